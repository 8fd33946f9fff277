"""One exception tree for oncodrop, its reason codes, and the one exception -> outcome mapping.

- ``InputRejected``: the user must fix the input; never retried. Carries a ``Rejection``.
- ``TransientError``: a dependency hiccup (store, network, database); retry with backoff.
- ``ConfigError``: the operator's settings are wrong; fix them and restart.
- ``BundleError``: the reference bundle is missing, corrupt or incompatible.

Foreign exceptions (botocore, sqlalchemy, pysam…) are translated at the edge of the module
that calls the library. Whatever still escapes a job (a bug, an ``OSError``) is translated by
``classify`` here, the one place that decides what a failure means for a sample:

- ``InputRejected`` -> REJECT with its own reason code;
- ``ConfigError`` -> DEAD at once, ``config_error``; ``BundleError`` -> DEAD at once, ``bundle_error``;
- ``TransientError``, and an ``OSError`` whose errno is in ``TRANSIENT_ERRNOS`` (ENOSPC, EIO,
  EAGAIN, ETIMEDOUT, ECONNRESET…) or a ``TimeoutError``/``ConnectionError`` -> RETRY, ``transient``;
- any other ``OSError`` (EACCES, EPERM, ENOENT, EISDIR…) on a file inside the reference bundle
  -> DEAD at once, ``bundle_error``; elsewhere (work dir, a missing tool) -> DEAD at once, ``io_error``;
- anything else (a bug: ``KeyError``, ``ZeroDivisionError``…) -> RETRY, ``error``.

RETRY means: again after a backoff while the sample has attempts left, then DEAD (the sample
keeps its reason code). Attempts count only failures the sample itself may have caused: a
``transient`` failure (``OUTAGE_CODES``: the store, the ledger database, the network, a full
disk) is an outage of our side, retried with capped backoff for ``outage_budget_s`` without
spending an attempt (``Failure.outage``); only a longer outage starts spending them. Unexpected exceptions are retried because a bug may be provoked by a
passing condition (a race, a flaky tool); settings, bundle and permission problems are not,
because every attempt would fail the same way until an operator fixes them and re-runs the
sample. A failure's ``message`` is one line (it reaches the ledger and notifications); the
traceback of an unexpected exception goes to the job's run log and the service log only.

Standard library only: the AWS Lambda handler ships this module (events/lambda_package.py).
"""

from __future__ import annotations

import errno
import os
import traceback
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ReasonCode(StrEnum):
    """Stable machine-readable codes stored in the ledger and sent in notifications.

    The values never change (docs/notifications.md lists them); ``REASON_MEANINGS`` says what
    each one means.
    """

    # rejections: the user must fix the input
    BAD_KEY = "bad_key"
    BAD_EVENT = "bad_event"
    MISSING_OBJECT = "missing_object"
    OBJECT_CHANGED = "object_changed"
    UNSAFE_TARBALL = "unsafe_tarball"
    CORRUPT_TARBALL = "corrupt_tarball"
    BAD_MANIFEST = "bad_manifest"
    BAD_CONFIG = "bad_config"
    BAD_VCF = "bad_vcf"
    BAD_CNA = "bad_cna"
    BAD_SAMPLE_ID = "bad_sample_id"
    AMBIGUOUS_SAMPLES = "ambiguous_samples"
    UNKNOWN_BUILD = "unknown_build"
    BUILD_MISMATCH = "build_mismatch"
    REF_MISMATCH = "ref_mismatch"
    NO_ANNOTATION = "no_annotation"
    # failures: something on our side went wrong
    TRANSIENT = "transient"
    ERROR = "error"
    CONFIG_ERROR = "config_error"
    BUNDLE_ERROR = "bundle_error"
    IO_ERROR = "io_error"
    TIMEOUT = "timeout"
    JOB_CRASHED = "job_crashed"
    LEASE_EXPIRED = "lease_expired"
    # ledger history: ordinary transitions
    RECEIVED = "received"
    QUEUED = "queued"
    CLAIMED = "claimed"
    RETRY_SCHEDULED = "retry_scheduled"
    OUTAGE_RETRY = "outage_retry"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    RELEASED = "released"
    SUCCEEDED = "succeeded"
    RERUN = "rerun"

    @property
    def meaning(self) -> str:
        return REASON_MEANINGS[self]


REASON_MEANINGS: dict[ReasonCode, str] = {
    ReasonCode.BAD_KEY: "the object key does not follow {sample_batch}-{id6}-{kind}.tar.gz, or is unsafe",
    ReasonCode.BAD_EVENT: "a queue message is not an S3 event notification",
    ReasonCode.MISSING_OBJECT: "the input object is gone from the store",
    ReasonCode.OBJECT_CHANGED: "the input was replaced after it was queued; the new upload runs on its own",
    ReasonCode.UNSAFE_TARBALL: "the tarball has links, devices, absolute or '..' paths, or is too big (a bomb)",
    ReasonCode.CORRUPT_TARBALL: "the tarball cannot be read (not gzip/tar, truncated)",
    ReasonCode.BAD_MANIFEST: "the tarball's files are wrong (missing or extra VCF/config, nested folders)",
    ReasonCode.BAD_CONFIG: "the sample's TOML config is invalid (names file, line and field)",
    ReasonCode.BAD_VCF: "the VCF is malformed or unreadable (names file and line)",
    ReasonCode.BAD_CNA: "the copy-number segment file is malformed (names file, line and field)",
    ReasonCode.BAD_SAMPLE_ID: "the sample id cannot name the report files",
    ReasonCode.AMBIGUOUS_SAMPLES: "the VCF has several samples and the config does not say which is the tumour",
    ReasonCode.UNKNOWN_BUILD: "the genome build is neither configured nor recognisable from the VCF",
    ReasonCode.BUILD_MISMATCH: "the VCF's contigs do not match the configured genome build",
    ReasonCode.REF_MISMATCH: "VCF REF alleles do not match the reference genome",
    ReasonCode.NO_ANNOTATION: "the VCF has no consequence annotation and the bundle cannot add one",
    ReasonCode.TRANSIENT: "a dependency or local resource failed temporarily (network, store, full disk); retried",
    ReasonCode.ERROR: "an unexpected exception (a bug); retried, traceback in the run log and service log",
    ReasonCode.CONFIG_ERROR: "the operator's settings are wrong (e.g. no reporter for the kind); not retried",
    ReasonCode.BUNDLE_ERROR: "the reference bundle is missing, unreadable or incompatible; not retried",
    ReasonCode.IO_ERROR: "a local file operation failed for good (permissions, missing file/tool); not retried",
    ReasonCode.TIMEOUT: "the job exceeded its time limit and was killed; retried",
    ReasonCode.JOB_CRASHED: "the job process died without a result (killed, out of memory); retried",
    ReasonCode.LEASE_EXPIRED: "the worker holding the sample stopped heartbeating; re-claimed (DEAD if it keeps happening)",
    ReasonCode.RECEIVED: "history: the object was recorded",
    ReasonCode.QUEUED: "history: the sample is waiting for a worker",
    ReasonCode.CLAIMED: "history: a worker took the sample",
    ReasonCode.RETRY_SCHEDULED: "history: a failed attempt is queued again after its backoff",
    ReasonCode.OUTAGE_RETRY: "history: a dependency outage interrupted the sample; retried later, no attempt spent",
    ReasonCode.ATTEMPTS_EXHAUSTED: "history: the last retryable attempt failed; the sample is DEAD",
    ReasonCode.RELEASED: "history: a stopping worker handed the sample back without counting a failure",
    ReasonCode.SUCCEEDED: "history: the output is in the store",
    ReasonCode.RERUN: "history: an operator re-opened a finished sample",
}


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an input was refused, in words a person can act on.

    ``reason_code`` is stable and machine-readable; ``message`` says which file, field or line
    is wrong and what to do about it.
    """

    reason_code: ReasonCode
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"[{self.reason_code}] {self.message}"


def _rebuild(cls: type[OncodropError], args: tuple[Any, ...], state: dict[str, Any]) -> OncodropError:
    """Unpickle an ``OncodropError`` without calling its ``__init__`` (signatures differ)."""
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class OncodropError(Exception):
    """Root of every error oncodrop raises on purpose. Every subclass pickles (its attributes
    travel in ``__dict__``), so errors cross process boundaries intact."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InputRejected(OncodropError):
    """The input cannot be processed as it is; the user must fix it (never retried)."""

    def __init__(
        self,
        reason_code: ReasonCode,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rejection = Rejection(ReasonCode(reason_code), message, file=file, line=line, field=field)

    @property
    def reason_code(self) -> ReasonCode:
        return self.rejection.reason_code


class TransientError(OncodropError):
    """A temporary failure of a dependency; retried with backoff.

    ``retry_after_s`` is the wait a server asked for (HTTP ``Retry-After``), if any.
    """

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ConfigError(OncodropError):
    """Operator settings are invalid or incomplete."""


class BundleError(OncodropError):
    """The reference bundle is missing, corrupt or does not fit the sample."""


class StateConflict(OncodropError):
    """A compare-and-set ledger transition lost a race (someone else moved the sample)."""


# -- what a failure means for a sample ---------------------------------------------------------


class Disposition(StrEnum):
    REJECT = "reject"
    RETRY = "retry"
    DEAD = "dead"


# a local resource or the network is short for now: another attempt later may well succeed
TRANSIENT_ERRNOS: frozenset[int] = frozenset(
    getattr(errno, name)
    for name in (
        "ENOSPC", "EDQUOT", "EIO", "EAGAIN", "EWOULDBLOCK", "EINTR", "EBUSY", "ENOMEM", "ENFILE",
        "EMFILE", "ETIMEDOUT", "ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "EHOSTUNREACH",
        "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "ENETRESET", "ESTALE", "ETXTBSY",
    )
    if hasattr(errno, name)
)  # fmt: skip

MAX_MESSAGE = 500

# failures of our infrastructure, never of the sample: they spend outage time, not attempts
OUTAGE_CODES: frozenset[ReasonCode] = frozenset({ReasonCode.TRANSIENT})


@dataclass(frozen=True, slots=True)
class Failure:
    """A job failure reduced to plain data: what happens to the sample and the one-line reason.

    ``traceback`` (unexpected exceptions and ``OSError``) is for the logs: never stored in the ledger or sent
    in a notification.
    """

    disposition: Disposition
    reason_code: ReasonCode
    message: str
    traceback: str | None = None

    @property
    def outage(self) -> bool:
        """True for an outage of a dependency (retried without spending an attempt)."""
        return self.disposition is Disposition.RETRY and self.reason_code in OUTAGE_CODES


def _one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _describe_rejection(exc: InputRejected) -> str:
    r = exc.rejection
    where = [f"{name} {value}" for name, value in (("file", r.file), ("line", r.line), ("field", r.field)) if value is not None]
    return exc.message + (f" ({', '.join(where)})" if where else "")


def _inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(root)]) == os.path.realpath(root)
    except ValueError:  # different drives, relative vs absolute
        return False


def _classify_os_error(exc: OSError, bundle: str | os.PathLike[str] | None) -> Failure:
    name = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno is not None else None
    what = f"{type(exc).__name__}" + (f" [{name}]" if name else "") + f": {exc.strerror or exc}"
    where = f" on {exc.filename}" if exc.filename else ""
    text = _one_line(f"{what}{where}")
    if exc.errno in TRANSIENT_ERRNOS or (exc.errno is None and isinstance(exc, (TimeoutError, ConnectionError))):
        return Failure(Disposition.RETRY, ReasonCode.TRANSIENT, text)
    if exc.errno is None:  # an OSError raised without an errno: nothing to go by, treat as a bug
        return _unexpected(exc)
    if bundle is not None and exc.filename and _inside(exc.filename, bundle):
        return Failure(Disposition.DEAD, ReasonCode.BUNDLE_ERROR, _one_line(f"{text} (a reference bundle file; not retried)"))
    return Failure(Disposition.DEAD, ReasonCode.IO_ERROR, _one_line(f"{text} (not retried; fix and re-run)"))


def _unexpected(exc: BaseException) -> Failure:
    first = _one_line(str(exc), 200)
    message = type(exc).__name__ + (f": {first}" if first else "")
    return Failure(Disposition.RETRY, ReasonCode.ERROR, f"{message} (unexpected; traceback in the run log and service log)")


def _plain(exc: OncodropError) -> str:
    return _one_line(f"{type(exc).__name__}: {exc.message}")


# raised by the worker's own machinery around a job (its work dir, the job fork server), never
# by the job: whatever they are, they are outages of our side, not the sample's doing
_MACHINERY_OUTAGES: tuple[type[BaseException], ...] = (OSError, EOFError)


def classify(
    exc: BaseException, *, bundle: str | os.PathLike[str] | None = None, machinery: bool = False
) -> Failure:
    """The single exception -> sample outcome mapping (the table in this module's docstring).

    ``bundle`` is the reference bundle directory, so an ``OSError`` on one of its files is a
    ``bundle_error`` rather than a generic ``io_error``. ``machinery=True`` marks an exception
    of the worker around the job (an unwritable work dir, a dead fork server): an ``OSError``
    or ``EOFError`` there is an outage (``transient``), whatever its errno.
    """
    if machinery and isinstance(exc, _MACHINERY_OUTAGES):
        text = _one_line(f"worker could not run the job: {type(exc).__name__}: {exc}")
        return Failure(Disposition.RETRY, ReasonCode.TRANSIENT, text, "".join(traceback.format_exception(exc)))
    failure = _classify(exc, bundle)
    if isinstance(exc, OncodropError) and failure.reason_code is not ReasonCode.ERROR:
        return failure  # raised on purpose, with a message that says it all
    text = "".join(traceback.format_exception(exc))
    return Failure(failure.disposition, failure.reason_code, failure.message, text)


def _classify(exc: BaseException, bundle: str | os.PathLike[str] | None) -> Failure:
    if isinstance(exc, InputRejected):
        return Failure(Disposition.REJECT, exc.reason_code, _describe_rejection(exc))
    if isinstance(exc, ConfigError):
        return Failure(Disposition.DEAD, ReasonCode.CONFIG_ERROR, _plain(exc))
    if isinstance(exc, BundleError):
        return Failure(Disposition.DEAD, ReasonCode.BUNDLE_ERROR, _plain(exc))
    if isinstance(exc, TransientError):
        return Failure(Disposition.RETRY, ReasonCode.TRANSIENT, _plain(exc))
    if isinstance(exc, OSError):
        return _classify_os_error(exc, bundle)
    return _unexpected(exc)
