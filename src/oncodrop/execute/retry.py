"""What a failed job means for its sample, and when to try again.

``DISPOSITIONS`` maps exception types (first match in order) to what happens to the sample;
``classify`` is the one function that reads it. Decisions, documented:

- ``InputRejected`` -> REJECTED: the user must fix the input; retrying cannot help.
- ``ConfigError`` / ``BundleError`` -> DEAD at once (no retry): every attempt would fail the
  same way until an operator fixes settings or the bundle, then re-runs the sample.
- ``TransientError`` and anything unexpected (bugs, a killed or timed-out job) -> retry with
  backoff until the sample's attempts run out, then DEAD.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from oncodrop.errors import BundleError, ConfigError, InputRejected, TransientError


class Disposition(StrEnum):
    REJECT = "reject"
    RETRY = "retry"
    DEAD = "dead"


DISPOSITIONS: tuple[tuple[type[BaseException], Disposition, str], ...] = (
    (InputRejected, Disposition.REJECT, "rejected"),
    (ConfigError, Disposition.DEAD, "config_error"),
    (BundleError, Disposition.DEAD, "bundle_error"),
    (TransientError, Disposition.RETRY, "transient"),
    (BaseException, Disposition.RETRY, "error"),
)

_MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Failure:
    """A job failure reduced to plain data (exceptions do not always survive pickling)."""

    disposition: Disposition
    reason_code: str
    message: str


def _describe_rejection(exc: InputRejected) -> str:
    where = [
        f"{name} {value}"
        for name, value in (
            ("file", exc.rejection.file),
            ("line", exc.rejection.line),
            ("field", exc.rejection.field),
        )
        if value is not None
    ]
    return exc.message + (f" ({', '.join(where)})" if where else "")


def classify(exc: BaseException) -> Failure:
    """The single exception -> sample-state mapping (see ``DISPOSITIONS``)."""
    for exc_type, disposition, code in DISPOSITIONS:
        if isinstance(exc, exc_type):
            if isinstance(exc, InputRejected):
                return Failure(disposition, exc.reason_code, _describe_rejection(exc))
            return Failure(disposition, code, f"{type(exc).__name__}: {exc}"[:_MAX_REASON])
    raise AssertionError("unreachable: BaseException matches everything")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts budget and exponential backoff with jitter.

    ``max_attempts`` is the budget the ledger gives new samples (``Ledger.open(max_attempts=)``),
    so the ledger, which counts attempts across processes, enforces it.
    """

    max_attempts: int = 3
    backoff_base_s: float = 30.0
    backoff_cap_s: float = 900.0
    jitter: float = 0.25  # +/- this fraction of the delay, so retries do not stampede
    _random: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def should_retry(self, exc: BaseException) -> bool:
        """Whether this kind of failure is worth another attempt at all."""
        return classify(exc).disposition is Disposition.RETRY

    def delay_s(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        raw = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** max(attempt - 1, 0))
        spread = raw * self.jitter
        return max(0.0, raw + self._random.uniform(-spread, spread))
