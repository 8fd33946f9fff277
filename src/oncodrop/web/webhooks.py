"""Signed inbound webhooks: another system asks for a re-scan of the store or a re-run.

Signature: ``X-Oncodrop-Timestamp: <unix seconds>`` and
``X-Oncodrop-Signature: sha256=<hex HMAC-SHA256(web.webhook_secret, "<timestamp>." + body)>``.
A timestamp outside ``web.webhook_window_s`` is refused, and so is a signature already used
inside the window (a replay). Two body shapes:

- generic JSON: ``{"action": "rescan"}`` or ``{"action": "rerun", "sample": 12 | "key": "...",
  "reason": "..."}``;
- StackStorm (the original system's automation): ``{"trigger": "oncodrop.rerun", "payload":
  {...same fields...}}``, the action being the trigger name's last part.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from oncodrop.domain.access import AuditAction
from oncodrop.domain.state import TERMINAL, SampleState
from oncodrop.errors import StateConflict
from oncodrop.ledger import queries
from oncodrop.web.context import Console, console
from oncodrop.web.schemas import Problem

router = APIRouter(prefix="/api/v1/hooks", responses={401: {"model": Problem}, 422: {"model": Problem}})
TIMESTAMP_HEADER = "X-Oncodrop-Timestamp"
SIGNATURE_HEADER = "X-Oncodrop-Signature"
ACTOR = "webhook"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (what senders compute)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class ReplayGuard:
    """Signatures seen inside the window; a second use is a replay."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, signature: str, window_s: float, now: float) -> bool:
        with self._lock:
            self._seen = {s: t for s, t in self._seen.items() if now - t <= 2 * window_s}
            if signature in self._seen:
                return False
            self._seen[signature] = now
            return True


def verify(request: Request, body: bytes, ctx: Console, guard: ReplayGuard, clock: Callable[[], float]) -> None:
    secret = ctx.settings.web.webhook_secret
    if secret is None:
        raise HTTPException(401, "inbound webhooks are off: set web.webhook_secret")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    sent = request.headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit() or not sent:
        raise HTTPException(401, f"send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}")
    now = clock()
    window = ctx.settings.web.webhook_window_s
    if abs(now - int(timestamp)) > window:
        raise HTTPException(401, f"timestamp outside the {window:g} s window (clock skew or a replay)")
    if not hmac.compare_digest(sent, sign(secret.get_secret_value(), timestamp, body)):
        raise HTTPException(401, "bad signature")
    if not guard.first_use(sent, window, now):
        raise HTTPException(401, "this signed request was already used (replay)")


def _request_of(shape: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise HTTPException(422, "the body must be a JSON object")
    if shape == "stackstorm":
        trigger, payload = data.get("trigger"), data.get("payload", {})
        if not isinstance(trigger, str) or not isinstance(payload, dict):
            raise HTTPException(422, 'StackStorm shape: {"trigger": "oncodrop.rerun", "payload": {...}}')
        return {**payload, "action": trigger.rsplit(".", 1)[-1]}
    return data


def _find(ctx: Console, req: dict[str, Any]) -> int:
    if isinstance(req.get("sample"), int):
        return int(req["sample"])
    key = req.get("key")
    if not isinstance(key, str) or not key:
        raise HTTPException(422, 'a rerun needs "sample" (the id) or "key" (the object key)')
    found, _ = queries.page_samples(ctx.ledger.engine, queries.SampleFilter(text=key), after_id=None, limit=50)
    exact = [r for r in found if r.key == key]
    if not exact:
        raise HTTPException(404, f"no sample with key {key!r}")
    return exact[0].id  # newest version of that key


def act(ctx: Console, req: dict[str, Any]) -> dict[str, Any]:
    action = req.get("action")
    if action == "rescan":
        handed = ctx.rescan()
        ctx.audit(ACTOR, AuditAction.RESCAN, ctx.settings.store, detail=f"{handed} new object(s)")
        return {"action": "rescan", "new_objects": handed}
    if action == "rerun":
        reason = req.get("reason")
        if not isinstance(reason, str) or len(reason.strip()) < 3:
            raise HTTPException(422, 'a rerun needs "reason" (at least 3 characters)')
        record_id = _find(ctx, req)
        record = ctx.ledger.get(record_id)
        if record is None:
            raise HTTPException(404, f"no sample #{record_id}")
        if SampleState(record.state) not in TERMINAL:
            raise HTTPException(409, f"sample #{record_id} is {record.state.value}; only finished samples re-run")
        try:
            record = ctx.ledger.rerun(record_id, actor=ACTOR, reason=reason.strip())
        except StateConflict as exc:
            raise HTTPException(409, exc.message) from None
        ctx.audit(ACTOR, AuditAction.RERUN, record.key, sample_pk=record.id, detail=reason.strip())
        return {"action": "rerun", "sample": record.id, "state": record.state.value, "run": record.run}
    raise HTTPException(422, 'action must be "rescan" or "rerun"')


def _endpoint(shape: str) -> Callable[..., Any]:
    async def receive(request: Request, ctx: Annotated[Console, Depends(console)]) -> dict[str, Any]:
        body = await request.body()
        verify(request, body, ctx, request.app.state.replay_guard, time.time)
        try:
            data = json.loads(body)
        except ValueError:
            raise HTTPException(422, "the body is not JSON") from None
        return await run_in_threadpool(act, ctx, _request_of(shape, data))

    receive.__name__ = f"webhook_{shape}"
    receive.__doc__ = f"Signed webhook, {shape} shape (see the module docs for the signature)."
    return receive


router.add_api_route("/generic", _endpoint("generic"), methods=["POST"], summary="Signed webhook (generic JSON)")
router.add_api_route("/stackstorm", _endpoint("stackstorm"), methods=["POST"], summary="Signed webhook (StackStorm)")
