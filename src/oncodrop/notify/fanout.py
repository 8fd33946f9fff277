"""Sending one notification to several targets: in parallel, retried, never raising.

A notification is a courtesy, not part of a sample's result: a dead Slack must neither fail
the sample nor delay the other targets. Each target gets its own thread and its own retries
(``RetryPolicy``); the outcome of each is returned as a ``Delivery`` and logged with the
target's host only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from oncodrop.errors import TransientError
from oncodrop.notify.model import Notification

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """A notification target. ``name`` is safe to log (kind + host, never the secret URL).

    ``send`` raises ``TransientError`` when a retry may help, any other ``OncodropError``
    when it cannot.
    """

    name: str

    def send(self, notification: Notification) -> None: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: ``backoff_s``, ``backoff_s*factor``, … capped at ``max_backoff_s``."""

    attempts: int = 4
    backoff_s: float = 1.0
    factor: float = 2.0
    max_backoff_s: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.backoff_s * self.factor ** (attempt - 1), self.max_backoff_s)


@dataclass(frozen=True, slots=True)
class Delivery:
    """How sending to one target went."""

    target: str
    ok: bool
    attempts: int
    error: str | None = None


def deliver(
    notifier: Notifier,
    notification: Notification,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send to one target with retries; report the outcome instead of raising."""
    for attempt in range(1, policy.attempts + 1):
        try:
            notifier.send(notification)
            return Delivery(notifier.name, ok=True, attempts=attempt)
        except TransientError as exc:
            error = exc.message
            if attempt < policy.attempts:
                log.info("notify %s: attempt %d failed (%s); retrying", notifier.name, attempt, error)
                sleep(policy.delay(attempt))
                continue
        except Exception as exc:  # noqa: BLE001 - a notification must never fail the caller
            error = getattr(exc, "message", None) or type(exc).__name__
        log.warning(
            "notify %s: giving up on %s of %s after %d attempt(s): %s",
            notifier.name, notification.event, notification.key, attempt, error,
        )
        return Delivery(notifier.name, ok=False, attempts=attempt, error=error)
    raise AssertionError("unreachable: RetryPolicy.attempts >= 1")  # pragma: no cover


class Fanout:
    """Sends each notification to every target at once; returns one ``Delivery`` per target."""

    def __init__(self, notifiers: Sequence[Notifier], retry: RetryPolicy | None = None) -> None:
        self.notifiers = tuple(notifiers)
        self.retry = retry or RetryPolicy()

    def send(self, notification: Notification) -> tuple[Delivery, ...]:
        if not self.notifiers:
            return ()
        with ThreadPoolExecutor(max_workers=len(self.notifiers), thread_name_prefix="notify") as pool:
            futures = [pool.submit(deliver, n, notification, self.retry) for n in self.notifiers]
            return tuple(f.result() for f in futures)

    def close(self) -> None:
        for notifier in self.notifiers:
            close = getattr(notifier, "close", None)
            if callable(close):
                close()
