"""One retry policy for everything that tries again: jobs, notifications, downloads.

``RetryPolicy`` is plain data (picklable, it crosses into worker processes). Delays double
from ``backoff_s`` and are capped at ``max_backoff_s``; ``jitter`` spreads each one by
+/- that fraction so retries of many samples do not stampede::

    delay_s(n) = min(max_backoff_s, backoff_s * 2 ** (n - 1))   # n = failed attempt, 1-based

Where the attempts are counted differs:

- jobs (``execute``): the ledger counts attempts across processes and enforces each sample's
  budget (``Ledger.open(max_attempts=)``, from ``Settings.max_attempts``); the worker only asks
  ``delay_s`` for the sample's ``not_before``; ``execute.job.job_retry_policy`` builds that
  policy from the ``retry_*`` settings (30 s, doubling, at most 15 min, +/- 25 %).
- in-process loops (``notify`` fan-out, ``refdata`` downloads): ``call`` runs a function up to
  ``attempts`` times with tenacity, retrying only ``TransientError``. A server's
  ``Retry-After`` (``TransientError.retry_after_s``, parsed by ``parse_retry_after``) is
  honoured: the wait is at least what the server asked for, never more than ``max_backoff_s``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from oncodrop.errors import TransientError

T = TypeVar("T")

# called before each wait: (failed attempt number, its exception, seconds about to wait)
OnRetry = Callable[[int, BaseException, float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often to try (``attempts``, at least 1) and how long to wait in between."""

    attempts: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    jitter: float = 0.0  # +/- this fraction of each delay

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.backoff_s < 0 or self.max_backoff_s < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("RetryPolicy: delays must be >= 0 and jitter within [0, 1]")

    def delay_s(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based); at least
        ``retry_after_s`` when a server asked for it, never more than ``max_backoff_s``."""
        raw = min(self.max_backoff_s, self.backoff_s * 2.0 ** max(attempt - 1, 0))
        if self.jitter:
            raw = max(0.0, raw + random.uniform(-raw * self.jitter, raw * self.jitter))
        if retry_after_s is not None:
            raw = max(raw, retry_after_s)
        return min(raw, self.max_backoff_s)

    def call(
        self,
        fn: Callable[[], T],
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: OnRetry | None = None,
    ) -> T:
        """``fn()``, retried on ``TransientError`` until ``attempts`` run out (then the last
        ``TransientError`` is raised); any other exception is raised at once."""

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.delay_s(state.attempt_number, getattr(exc, "retry_after_s", None))

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait_s = state.next_action.sleep if state.next_action else 0.0
            if on_retry is not None and exc is not None:
                on_retry(state.attempt_number, exc, wait_s)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=wait,
            retry=tenacity.retry_if_exception_type(TransientError),
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(fn)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from an HTTP ``Retry-After`` header (delta-seconds or an HTTP date), or None
    when absent or unreadable. A date in the past gives 0."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
