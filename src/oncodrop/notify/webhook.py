"""A generic JSON webhook; the schema (``oncodrop.notification/v1``) is in docs/notifications.md."""

from __future__ import annotations

from typing import Any

import httpx

from oncodrop.notify.http import DEFAULT_TIMEOUT_S, idempotency_headers, post_json, target_host
from oncodrop.notify.model import Notification

SCHEMA = "oncodrop.notification/v1"


def webhook_payload(n: Notification) -> dict[str, Any]:
    """The documented JSON body: stable names, every key always present (null when unknown)."""
    headline = n.headline.model_dump(mode="json") if n.headline is not None else None
    return {
        "schema": SCHEMA,
        "notification_id": n.id,
        "event": n.event,
        "key": n.key,
        "sample_id": n.sample_id,
        "kind": n.kind,
        "state": n.state,
        "attempts": n.attempts,
        "reason_code": n.reason_code,
        "reason": n.reason,
        "headline": headline,
        "output": {"key": n.output_key, "link": n.output_link} if n.output_key else None,
        "bundle_version": n.bundle_version,
        "changes": list(n.changes),
    }


class WebhookNotifier:
    """POSTs ``webhook_payload`` as JSON to any URL."""

    def __init__(self, url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._url = url
        self._client = httpx.Client(timeout=timeout_s)
        self.name = f"webhook({target_host(url)})"

    def send(self, notification: Notification) -> None:
        post_json(self._client, self._url, webhook_payload(notification), idempotency_headers(notification.id))

    def close(self) -> None:
        self._client.close()
