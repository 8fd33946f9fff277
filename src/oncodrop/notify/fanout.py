"""Sending one notification to several targets: in parallel, retried, never raising.

A notification is a courtesy, not part of a sample's result: a dead Slack must neither fail
the sample nor delay the other targets. Each target gets its own thread and its own retries
(``oncodrop.retry.RetryPolicy``, honouring a target's ``Retry-After``); the outcome of each
is returned as a ``Delivery`` and logged with the target's host only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from oncodrop.notify.model import Notification
from oncodrop.retry import RetryPolicy

__all__ = ["Delivery", "Fanout", "Notifier", "RetryPolicy", "deliver"]

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """A notification target. ``name`` is safe to log (kind + host, never the secret URL).

    ``send`` raises ``TransientError`` when a retry may help, any other ``OncodropError``
    when it cannot.
    """

    name: str

    def send(self, notification: Notification) -> None: ...


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
    """Send to one target with retries (``TransientError`` only); report the outcome instead
    of raising."""
    attempts = 0

    def once() -> None:
        nonlocal attempts
        attempts += 1
        notifier.send(notification)

    def on_retry(attempt: int, exc: BaseException, wait_s: float) -> None:
        why = getattr(exc, "message", None) or type(exc).__name__
        log.info("notify %s: attempt %d failed (%s); retrying in %.1f s", notifier.name, attempt, why, wait_s)

    try:
        policy.call(once, sleep=sleep, on_retry=on_retry)
        return Delivery(notifier.name, ok=True, attempts=attempts)
    except Exception as exc:  # noqa: BLE001 - a notification must never fail the caller
        error = getattr(exc, "message", None) or type(exc).__name__
    log.warning(
        "notify %s: giving up on %s of %s after %d attempt(s): %s",
        notifier.name, notification.event, notification.key, attempts, error,
    )  # fmt: skip
    return Delivery(notifier.name, ok=False, attempts=attempts, error=error)


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
