"""Notifications about sample state changes: Slack (Block Kit), a generic JSON webhook, fan-out."""

from __future__ import annotations

from oncodrop.notify.fanout import Delivery, Fanout, Notifier, RetryPolicy, deliver
from oncodrop.notify.model import EVENTS, Event, Notification, notification_for
from oncodrop.notify.slack import SlackNotifier, slack_payload
from oncodrop.notify.webhook import SCHEMA, WebhookNotifier, webhook_payload
from oncodrop.settings import NotifySettings

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
    "build_fanout",
    "deliver",
    "fanout_from_settings",
    "notification_for",
    "slack_payload",
    "webhook_payload",
]


def build_fanout(slack_webhook_url: str | None, webhook_url: str | None, retry: RetryPolicy) -> Fanout:
    """A Fanout to the given targets (none given: a Fanout that sends nothing)."""
    notifiers: list[Notifier] = []
    if slack_webhook_url:
        notifiers.append(SlackNotifier(slack_webhook_url))
    if webhook_url:
        notifiers.append(WebhookNotifier(webhook_url))
    return Fanout(notifiers, retry)


def fanout_from_settings(settings: NotifySettings) -> Fanout:
    """The targets and retry policy of the ``[notify]`` settings (the one place both are built)."""
    return build_fanout(
        settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None,
        settings.webhook_url.get_secret_value() if settings.webhook_url else None,
        RetryPolicy(attempts=settings.attempts, backoff_s=settings.backoff_s),
    )
