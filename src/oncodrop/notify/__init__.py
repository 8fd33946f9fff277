"""Notifications about sample state changes: Slack (Block Kit), a generic JSON webhook, delivered
from the ledger's outbox by the notifier loop."""

from __future__ import annotations

from oncodrop.notify.http import DEFAULT_TIMEOUT_S
from oncodrop.notify.model import EVENTS, Event, Notification, notification_for
from oncodrop.notify.outbox import LinkFor, NotifierLoop, Outbox
from oncodrop.notify.slack import SlackNotifier, slack_payload
from oncodrop.notify.target import Notifier
from oncodrop.notify.webhook import SCHEMA, WebhookNotifier, webhook_payload
from oncodrop.retry import RetryPolicy
from oncodrop.settings import NotifySettings

__all__ = [
    "EVENTS",
    "SCHEMA",
    "Event",
    "LinkFor",
    "Notification",
    "Notifier",
    "NotifierLoop",
    "Outbox",
    "RetryPolicy",
    "SlackNotifier",
    "WebhookNotifier",
    "notification_for",
    "notifier_loop_from_settings",
    "notifiers_from_settings",
    "outbox_policy",
    "slack_payload",
    "webhook_payload",
]


def build_notifiers(slack_webhook_url: str | None, webhook_url: str | None, *,
                    timeout_s: float = DEFAULT_TIMEOUT_S, console_url: str | None = None) -> list[Notifier]:  # fmt: skip
    """One notifier per configured target (none configured: an empty list)."""
    notifiers: list[Notifier] = []
    if slack_webhook_url:
        notifiers.append(SlackNotifier(slack_webhook_url, timeout_s=timeout_s, console_url=console_url))
    if webhook_url:
        notifiers.append(WebhookNotifier(webhook_url, timeout_s=timeout_s))
    return notifiers


def notifiers_from_settings(settings: NotifySettings) -> list[Notifier]:
    """The targets of the ``[notify]`` settings, with its request timeout."""
    return build_notifiers(
        settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None,
        settings.webhook_url.get_secret_value() if settings.webhook_url else None,
        timeout_s=settings.timeout_s,
        console_url=settings.console_url,
    )


def outbox_policy(settings: NotifySettings) -> RetryPolicy:
    """The outbox retry policy of the ``[notify]`` settings (the one place it is built)."""
    return RetryPolicy(attempts=settings.attempts, backoff_s=settings.backoff_s,
                       max_backoff_s=settings.max_backoff_s, jitter=settings.jitter)  # fmt: skip


def notifier_loop_from_settings(settings: NotifySettings, outbox: Outbox, link_for: LinkFor | None) -> NotifierLoop:
    """The notifier loop of ``oncodrop serve``: the ``[notify]`` targets, policy and pace."""
    return NotifierLoop(outbox, notifiers_from_settings(settings), outbox_policy(settings), link_for=link_for,
                        concurrency=settings.concurrency, timeout_s=settings.timeout_s)  # fmt: skip
