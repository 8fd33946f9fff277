"""Posting JSON to a notification target, with httpx errors translated at this one edge.

Messages name the target's host only: the rest of a webhook URL is a bearer secret.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from oncodrop.errors import ConfigError, TransientError
from oncodrop.retry import parse_retry_after

DEFAULT_TIMEOUT_S = 10.0


def target_host(url: str) -> str:
    """The part of a target URL that is safe to log."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_headers(notification_id: int | None) -> dict[str, str]:
    """``Idempotency-Key: oncodrop-<id>`` for an outbox notification (none without an id)."""
    return {} if notification_id is None else {IDEMPOTENCY_HEADER: f"oncodrop-{notification_id}"}


def post_json(client: httpx.Client, url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """POST ``payload``; ``TransientError`` for retryable outcomes, ``ConfigError`` otherwise.

    Retryable: connection/timeout errors, HTTP 429 and 5xx (carrying the answer's
    ``Retry-After`` as ``retry_after_s``). Any other non-2xx status means the target refuses us
    (revoked webhook, wrong URL) and retrying cannot help.
    """
    host = target_host(url)
    try:
        response = client.post(url, json=payload, headers=headers)
    except httpx.TimeoutException:
        raise TransientError(f"notification target {host} timed out") from None
    except httpx.TransportError as exc:
        raise TransientError(f"notification target {host} unreachable ({type(exc).__name__})") from None
    status = response.status_code
    if status == 429 or status >= 500:
        retry_after_s = parse_retry_after(response.headers.get("Retry-After"))
        raise TransientError(f"notification target {host} answered HTTP {status}", retry_after_s=retry_after_s)
    if status >= 400:
        raise ConfigError(f"notification target {host} refused the message with HTTP {status}; check its URL")
