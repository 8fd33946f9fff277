"""Notifications about sample state changes: Slack (Block Kit), a generic JSON webhook, fan-out."""

from __future__ import annotations

from oncodrop.notify.fanout import Delivery, Fanout, Notifier, RetryPolicy, deliver
from oncodrop.notify.model import EVENTS, Event, Notification
from oncodrop.notify.slack import SlackNotifier, slack_payload
from oncodrop.notify.webhook import SCHEMA, WebhookNotifier, webhook_payload
from oncodrop.settings import Settings

__all__ = [
    "EVENTS",
    "SCHEMA",
    "Delivery",
    "Event",
    "Fanout",
    "Notification",
    "Notifier",
    "RetryPolicy",
    "SlackNotifier",
    "WebhookNotifier",
    "deliver",
    "fanout_from_settings",
    "slack_payload",
    "webhook_payload",
]


def fanout_from_settings(settings: Settings) -> Fanout:
    """The targets configured in settings (none configured: a Fanout that sends nothing)."""
    notifiers: list[Notifier] = []
    if settings.slack_webhook_url is not None:
        notifiers.append(SlackNotifier(settings.slack_webhook_url.get_secret_value()))
    if settings.webhook_url is not None:
        notifiers.append(WebhookNotifier(settings.webhook_url.get_secret_value()))
    retry = RetryPolicy(attempts=settings.notify_attempts, backoff_s=settings.notify_backoff_s)
    return Fanout(notifiers, retry)
