"""Live updates for open dashboards: server-sent events, one ``sample`` event per sample whose
state changed, read from the ledger's transition log every ``web.live_interval_s``.

The event id is the newest transition id sent; a browser that reconnects sends it back as
``Last-Event-ID`` and misses nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from oncodrop.ledger import queries
from oncodrop.web import auth
from oncodrop.web.auth import Principal
from oncodrop.web.context import Console, console
from oncodrop.web.schemas import Problem, SampleOut

router = APIRouter(prefix="/api/v1", responses={401: {"model": Problem}, 403: {"model": Problem}})
KEEPALIVE_S = 15.0


async def _events(request: Request, ctx: Console, after: int) -> AsyncIterator[str]:
    yield f"retry: 2000\nid: {after}\nevent: hello\ndata: {{}}\n\n"
    quiet = 0.0
    interval = ctx.settings.web.live_interval_s
    while not ctx.stopping.is_set() and not await request.is_disconnected():
        after, changed = await run_in_threadpool(queries.changed_since, ctx.ledger.engine, after)
        for record in changed:
            yield f"id: {after}\nevent: sample\ndata: {json.dumps(SampleOut.of(record).model_dump(mode='json'))}\n\n"
        quiet = 0.0 if changed else quiet + interval
        if quiet >= KEEPALIVE_S:
            quiet = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(interval)


@router.get("/events", response_class=StreamingResponse, responses={
    200: {"content": {"text/event-stream": {}}, "description": "`sample` events (JSON of a sample)."}})
async def sample_events(request: Request, ctx: Annotated[Console, Depends(console)],
                        _: Annotated[Principal, Depends(auth.viewer)]) -> StreamingResponse:  # fmt: skip
    """Server-sent events: each sample whose state changes, as it is now."""
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else await run_in_threadpool(queries.last_transition_id, ctx.ledger.engine)
    return StreamingResponse(_events(request, ctx, after), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})  # fmt: skip
