"""Slack ChatOps, answered by the console (Slack's HTTP mode; slack-bolt checks each request's
signature and timestamp with ``slack.signing_secret``):

- ``/oncodrop status`` (counts by state), ``/oncodrop status KEY|BATCH|#ID``,
  ``/oncodrop list failed``, ``/oncodrop rerun KEY|#ID REASON``, ``/oncodrop help``;
- the 'Re-run' button of a failure notification (``notify.console_url`` adds the buttons).

A Slack user's role comes from ``slack.users``: viewers ask, submitters re-run. Anyone else is
refused in the thread. Replies go to the request's ``response_url``; re-runs are audit-logged
as ``slack:<user id>``. Replies name object keys and states only (no patient data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from oncodrop.domain.access import AuditAction, Role
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import TERMINAL, SampleState
from oncodrop.errors import StateConflict
from oncodrop.ledger import queries
from oncodrop.notify.slack import OPEN_ACTION, RERUN_ACTION
from oncodrop.web.context import Console

router = APIRouter(include_in_schema=False)
COMMAND = "/oncodrop"
SHOWN = 20
FAILED = (SampleState.DEAD, SampleState.REJECTED)
USAGE = ("`/oncodrop status` · `/oncodrop status KEY|BATCH|#ID` · `/oncodrop list failed` · "
         "`/oncodrop rerun KEY|#ID REASON`")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    public: bool = False  # in_channel (everyone sees it) or ephemeral (only the asker)


def role_of(ctx: Console, user_id: str) -> Role | None:
    found = ctx.settings.slack.user_roles.get(user_id)
    return Role(found) if found else None


def _refusal(user_id: str, needed: Role, has: Role | None) -> Reply:
    what = f"you are {has.value}" if has else "you have no role in oncodrop (slack.users)"
    return Reply(f":no_entry: <@{user_id}>: this needs the {needed.value} role; {what}.")


def _line(record: SampleRecord, ctx: Console) -> str:
    where = ctx.settings.notify.console_url
    label = f"<{where.rstrip('/')}/samples/{record.id}|#{record.id}>" if where else f"#{record.id}"
    text = f"{label} `{record.key}` *{record.state.value}* (run {record.run}, attempts {record.attempts})"
    if record.state in FAILED and record.reason:
        text += f" [{record.reason_code or 'error'}] {record.reason[:300]}"
    return text


def find(ctx: Console, target: str) -> list[SampleRecord]:
    """Samples meant by ``target``: ``#12`` or ``12`` (a sample), an exact object key (its newest
    run), else a batch name; newest first."""
    number = target.removeprefix("#")
    if number.isdigit():
        record = ctx.ledger.get(int(number))
        return [record] if record is not None else []
    found, _ = queries.page_samples(ctx.ledger.engine, queries.SampleFilter(text=target), after_id=None, limit=50)
    exact = [r for r in found if r.key == target]
    if exact:
        return exact[:1]
    records, _ = queries.page_samples(ctx.ledger.engine, queries.SampleFilter(batch=target), after_id=None,
                                      limit=SHOWN)  # fmt: skip
    return records


def status(ctx: Console, target: str) -> Reply:
    if not target:
        counts = ctx.ledger.counts_by_state()
        shown = ", ".join(f"{state.value} {n}" for state, n in counts.items() if n) or "no samples yet"
        return Reply(f"oncodrop: {shown}")
    records = find(ctx, target)
    if not records:
        return Reply(f"no sample, key or batch {target!r}")
    return Reply("\n".join(_line(r, ctx) for r in records))


def list_failed(ctx: Console) -> Reply:
    records, more = queries.page_samples(ctx.ledger.engine, queries.SampleFilter(states=FAILED), after_id=None,
                                         limit=SHOWN)  # fmt: skip
    if not records:
        return Reply("no failed or rejected samples")
    tail = "\n…and more: see the console's failures page" if more is not None else ""
    return Reply("\n".join(_line(r, ctx) for r in records) + tail)


def rerun(ctx: Console, user_id: str, target: str, reason: str) -> Reply:
    records = find(ctx, target)
    if len(records) != 1:
        return Reply(f"name one sample to re-run (its key or #id); {target!r} matches {len(records)}")
    record = records[0]
    if record.state not in TERMINAL:
        return Reply(f"#{record.id} is {record.state.value}; only finished samples re-run")
    actor = f"slack:{user_id}"
    try:
        record = ctx.ledger.rerun(record.id, actor=actor, reason=reason)
    except StateConflict as exc:
        return Reply(exc.message)
    ctx.audit(actor, AuditAction.RERUN, record.key, sample_pk=record.id, detail=reason)
    return Reply(f":repeat: <@{user_id}> re-ran {_line(record, ctx)}: {reason}", public=True)


def run_command(ctx: Console, user_id: str, text: str) -> Reply:
    """The reply to ``/oncodrop <text>`` from ``user_id``, roles checked."""
    words = text.split()
    verb = words[0].lower() if words else "help"
    needed = Role.SUBMITTER if verb == "rerun" else Role.VIEWER
    has = role_of(ctx, user_id)
    if verb not in ("status", "list", "rerun"):
        return Reply(f"usage: {USAGE}")
    if has is None or not has.allows(needed):
        return _refusal(user_id, needed, has)
    if verb == "status":
        return status(ctx, " ".join(words[1:2]))
    if verb == "list":
        if words[1:] != ["failed"]:
            return Reply(f"usage: {USAGE}")
        return list_failed(ctx)
    if len(words) < 3 or len(" ".join(words[2:])) < 3:
        return Reply("usage: `/oncodrop rerun KEY|#ID REASON` (a reason of at least 3 characters)")
    return rerun(ctx, user_id, words[1], " ".join(words[2:]))


def press_rerun(ctx: Console, user_id: str, value: str) -> Reply:
    has = role_of(ctx, user_id)
    if has is None or not has.allows(Role.SUBMITTER):
        return _refusal(user_id, Role.SUBMITTER, has)
    return rerun(ctx, user_id, f"#{value}", "re-run from the Slack button")


def _authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None, **_: Any) -> AuthorizeResult:
    """No bot token: every answer goes to the request's response_url."""
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)


def bolt_app(ctx: Console) -> App:
    """The Bolt app answering this console's Slack requests."""
    secret = ctx.settings.slack.signing_secret
    assert secret is not None
    app = App(signing_secret=secret.get_secret_value(), authorize=_authorize, token_verification_enabled=False,
              process_before_response=True)  # fmt: skip

    @app.command(COMMAND)
    def command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = run_command(ctx, command["user_id"], command.get("text", ""))
        respond(text=reply.text, response_type="in_channel" if reply.public else "ephemeral")

    @app.action(RERUN_ACTION)
    def rerun_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = press_rerun(ctx, body["user"]["id"], str(action.get("value", "")))
        thread = body.get("container", {}).get("message_ts") or body.get("message", {}).get("ts")
        respond(text=reply.text, replace_original=False, thread_ts=thread,
                response_type="in_channel" if reply.public else "ephemeral")  # fmt: skip

    @app.action(OPEN_ACTION)
    def open_button(ack: Ack) -> None:
        ack()  # a link button: Slack opened the page, it only wants the click acknowledged

    return app


@router.post("/slack/events")
async def slack_events(request: Request) -> Response:
    """Slack's slash commands and interactive actions (signature checked by slack-bolt)."""
    app: App | None = request.app.state.slack
    if app is None:
        raise HTTPException(404, "Slack ChatOps is off: set slack.signing_secret")
    body = await request.body()
    bolt_request = BoltRequest(body=body.decode("utf-8", errors="replace"), query=str(request.url.query),
                               headers=dict(request.headers))  # fmt: skip
    return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_request))


def bolt_app_for(ctx: Console) -> App | None:
    return bolt_app(ctx) if ctx.settings.slack.signing_secret is not None else None


