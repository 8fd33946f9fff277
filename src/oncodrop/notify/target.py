"""A notification target (Slack, a generic webhook): what the outbox's notifier loop sends to.

Retries, Retry-After and giving up are the loop's (``notify.outbox``), per target, so that a
dead Slack neither fails a sample nor delays the other targets.
"""

from __future__ import annotations

from typing import Protocol

from oncodrop.notify.model import Notification

__all__ = ["Notifier"]


class Notifier(Protocol):
    """A notification target. ``name`` is safe to log (kind + host, never the secret URL).

    ``send`` raises ``TransientError`` when a retry may help, any other ``OncodropError``
    when it cannot.
    """

    name: str

    def send(self, notification: Notification) -> None: ...
