"""Slack incoming-webhook messages in Block Kit, with a plain ``text`` fallback.

The layout is data: ``STATE_EMOJI`` picks the header emoji; ``slack_payload`` is a pure
function of the notification, so tests compare exact JSON.
"""

from __future__ import annotations

from typing import Any

import httpx

from oncodrop.domain.headline import Headline
from oncodrop.notify.http import DEFAULT_TIMEOUT_S, idempotency_headers, post_json, target_host
from oncodrop.notify.model import Event, Notification

STATE_EMOJI: dict[Event, str] = {
    "received": ":inbox_tray:",
    "rejected": ":no_entry:",
    "succeeded": ":white_check_mark:",
    "failed": ":warning:",
    "dead": ":skull:",
    "reinterpreted": ":arrows_counterclockwise:",
}

_HEADER_MAX = 150  # Slack's limit for header text
_TEXT_MAX = 3000  # Slack's limit for a section's text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    """Slack mrkdwn control characters (only these three need escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{_escape(value)}"}


def _headline_fields(kind: str, headline: Headline) -> list[dict[str, str]]:
    """Somatic: tiers, TMB, MSI, signatures. Germline (normal): P, LP and VUS counts, apart
    (as the HTML lists them: a Likely pathogenic call is not a Pathogenic one)."""
    if kind == "normal":
        return [
            _field("Pathogenic", str(headline.pathogenic)),
            _field("Likely pathogenic", str(headline.likely_pathogenic)),
            _field("VUS", str(headline.vus)),
        ]
    tmb = "not computable" if headline.tmb is None else f"{headline.tmb:.2f} mut/Mb"
    return [
        _field("Tier I", str(headline.tier1)),
        _field("Tier II", str(headline.tier2)),
        _field("TMB", tmb),
        _field("MSI", headline.msi or "not computable"),
        _field("Top signatures", ", ".join(headline.top_signatures) or "none"),
    ]


def _output_text(n: Notification) -> str | None:
    if n.output_link and n.output_key:
        return f"*Output*: <{n.output_link}|{_escape(n.output_key)}>"
    if n.output_key:
        return f"*Output*: `{_escape(n.output_key)}`"
    return None


def fallback_text(n: Notification) -> str:
    """The one-line ``text`` Slack shows in notifications and clients without blocks."""
    text = f"oncodrop: {n.sample_id} ({n.kind}) {n.state}: {n.key}"
    if n.event == "reinterpreted":
        text += f" with bundle {n.bundle_version}: {len(n.changes)} clinically meaningful change(s)"
    elif n.is_problem and n.reason:
        text += f" [{n.reason_code or 'error'}] {n.reason}"
    elif n.headline and n.headline.summary_line:
        text += f" ({n.headline.summary_line})"
    return _clip(text, _TEXT_MAX)


RERUN_ACTION = "oncodrop_rerun"  # the console's ChatOps answers these (oncodrop.web.chatops)
OPEN_ACTION = "oncodrop_open"


def _buttons(n: Notification, console_url: str) -> dict[str, Any]:
    """'Re-run' (answered by the console's ChatOps, which checks the clicker's role) and 'Open'
    (the sample's console page) under a failure."""
    page = f"{console_url.rstrip('/')}/samples/{n.record_id}"
    return {"type": "actions", "block_id": "oncodrop_sample", "elements": [
        {"type": "button", "action_id": RERUN_ACTION, "text": {"type": "plain_text", "text": "Re-run"},
         "value": str(n.record_id), "style": "primary"},
        {"type": "button", "action_id": OPEN_ACTION, "text": {"type": "plain_text", "text": "Open"}, "url": page},
    ]}  # fmt: skip


def slack_payload(n: Notification, console_url: str | None = None) -> dict[str, Any]:
    """Block Kit message for one notification; with ``console_url``, a failure or rejection
    gets 'Re-run' and 'Open' buttons."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _clip(f"{STATE_EMOJI[n.event]} {n.sample_id}: {n.state}", _HEADER_MAX),
                "emoji": True,
            },
        },
        {
            "type": "section",
            "fields": [
                _field("Key", n.key),
                _field("Kind", n.kind),
                _field("State", n.state),
                _field("Attempts", str(n.attempts)),
            ],
        },
    ]
    if n.event == "succeeded" and n.headline is not None:
        blocks.append({"type": "section", "fields": _headline_fields(n.kind, n.headline)})
        if n.headline.summary_line:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(n.headline.summary_line)}]}
            )
    if n.event == "reinterpreted":
        lines = "\n".join(f"• {_escape(line)}" for line in n.changes)
        text = f"*Re-interpreted with bundle {_escape(n.bundle_version or '?')}*\n{lines}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, _TEXT_MAX)}})
    output = _output_text(n)
    if output:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": output}})
    if n.is_problem and n.reason:
        code = n.reason_code or "error"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Reason* (`{_escape(code)}`)"}})
        # plain_text shows the reason verbatim: no mrkdwn interpretation, no escaping needed
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": _clip(n.reason, _TEXT_MAX)}})
    if console_url and n.record_id is not None and n.event in ("rejected", "dead"):
        blocks.append(_buttons(n, console_url))
    return {"text": fallback_text(n), "blocks": blocks}


class SlackNotifier:
    """Posts to a Slack incoming webhook (or anything speaking its JSON, e.g. Mattermost)."""

    def __init__(self, webhook_url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, console_url: str | None = None) -> None:
        self._url = webhook_url
        self._console_url = console_url
        self._client = httpx.Client(timeout=timeout_s)
        self.name = f"slack({target_host(webhook_url)})"

    def send(self, notification: Notification) -> None:
        post_json(self._client, self._url, slack_payload(notification, self._console_url),
                  idempotency_headers(notification.id))

    def close(self) -> None:
        self._client.close()
