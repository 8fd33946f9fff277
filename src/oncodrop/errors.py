"""One exception tree for oncodrop, grouped by what the caller can do about it.

- ``InputRejected``: the user must fix the input; never retried. Carries a ``Rejection``.
- ``TransientError``: a dependency hiccup (store, network, database); retry with backoff.
- ``ConfigError``: the operator's settings are wrong; fix them and restart.
- ``BundleError``: the reference bundle is missing, corrupt or incompatible.

Foreign exceptions (botocore, sqlalchemy, pysam…) are translated at the edge of the module
that calls the library; nothing above those modules catches a library's exception.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an input was refused, in words a person can act on.

    ``reason_code`` is stable and machine-readable (``bad_key``, ``unsafe_tarball``,
    ``bad_manifest``, ``bad_config``, ``bad_vcf``, ``bad_cna``…); ``message`` says which file,
    field or line is wrong and what to do about it.
    """

    reason_code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"[{self.reason_code}] {self.message}"


class OncodropError(Exception):
    """Root of every error oncodrop raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputRejected(OncodropError):
    """The input cannot be processed as it is; the user must fix it (never retried)."""

    def __init__(
        self,
        reason_code: str,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rejection = Rejection(reason_code, message, file=file, line=line, field=field)

    @property
    def reason_code(self) -> str:
        return self.rejection.reason_code


class TransientError(OncodropError):
    """A temporary failure of a dependency; the job is retried with backoff."""


class ConfigError(OncodropError):
    """Operator settings are invalid or incomplete."""


class BundleError(OncodropError):
    """The reference bundle is missing, corrupt or does not fit the sample."""


class StateConflict(OncodropError):
    """A compare-and-set ledger transition lost a race (someone else moved the sample)."""
