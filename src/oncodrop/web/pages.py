"""The dashboard: server-rendered pages (Jinja2) over the same ledger reads as the API, with a
little plain JavaScript (``static/console.js``) for live updates and uploads. Every asset is
served from here; the pages load nothing from anywhere else."""

from __future__ import annotations

import hmac
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from oncodrop.domain.access import AuditAction, Role
from oncodrop.domain.state import SampleState
from oncodrop.errors import StateConflict
from oncodrop.ledger import access as ledger_access
from oncodrop.ledger import queries
from oncodrop.ledger.reinterp import Reinterpretations
from oncodrop.web import auth, downloads, uploads
from oncodrop.web.api import SampleId, load_sample, parse_cursor, rerun
from oncodrop.web.auth import Principal
from oncodrop.web.context import Console, console
from oncodrop.web.schemas import reinterpretation_path
from oncodrop.web.sessions import LOGIN_CSRF_COOKIE, end_session, login_csrf_token, set_login_csrf, start_session

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("oncodrop.web") / "templates"))
Ctx = Annotated[Console, Depends(console)]
Viewer = Annotated[Principal, Depends(auth.viewer)]
Submitter = Annotated[Principal, Depends(auth.submitter)]
PAGE = 100
FAILED = (SampleState.DEAD, SampleState.REJECTED)
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip


def render(request: Request, name: str, who: Principal | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    context |= {"who": who, "csrf": who.csrf if who else "",
                "can_submit": who is not None and who.role.allows(Role.SUBMITTER)}  # fmt: skip
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def login_page(request: Request, *, status: int = 401, error: str = "", next_path: str = "/") -> HTMLResponse:
    token = login_csrf_token(request)
    oidc = console(request).settings.oidc
    sso = oidc.display_name if oidc.issuer else ""
    response = render(request, "login.html", None, status, error=error, next=next_path, login_csrf=token, sso=sso)
    set_login_csrf(request, response, token)
    return response


def local_path(value: str) -> str:
    """Only same-site paths after login (no open redirect)."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return login_page(request, status=200, next_path=local_path(next))


@router.post("/login")
async def login(request: Request, ctx: Ctx, username: Annotated[str, Form(max_length=128)],
                password: Annotated[str, Form(max_length=1024)], csrf: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = "/") -> Response:  # fmt: skip
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return login_page(request, status=403, error="The form expired; please log in again.",
                          next_path=local_path(next))  # fmt: skip
    account = await run_in_threadpool(ledger_access.check_password, ctx.ledger.engine, username, password)
    if account is None:
        await run_in_threadpool(ctx.audit, f"user:{username}", AuditAction.LOGIN_FAILED, "console")
        return login_page(request, status=401, error="Wrong user name or password.", next_path=local_path(next))
    response = RedirectResponse(local_path(next), status_code=303)
    start_session(request, response, account.username, account.role)
    await run_in_threadpool(ctx.audit, f"user:{account.username}", AuditAction.LOGIN, "console")
    return response


@router.post("/logout")
def logout(_: Viewer) -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response


@router.get("/", response_class=HTMLResponse)
def samples_page(request: Request, ctx: Ctx, who: Viewer, state: str = "", batch: str = "", kind: str = "",
                 q: str = "", cursor: str | None = None) -> HTMLResponse:  # fmt: skip
    try:
        states = (SampleState(state),) if state else ()
    except ValueError:
        raise HTTPException(422, f"unknown state {state!r}") from None
    where = queries.SampleFilter(states, batch or None, kind or None, None, None, q or None)
    records, nxt = queries.page_samples(ctx.ledger.engine, where, after_id=parse_cursor(cursor), limit=PAGE)
    params = {k: v for k, v in {"state": state, "batch": batch, "kind": kind, "q": q}.items() if v}
    filtered = bool(params) or cursor is not None
    next_link = "/?" + urlencode({**params, "cursor": nxt}) if nxt is not None else ""
    return render(request, "samples.html", who, nav="samples", samples=records, states=list(SampleState),
                  chosen=_Chosen(where), filtered=filtered,
                  next_cursor=nxt, next_link=next_link)  # fmt: skip


class _Chosen:
    """The filter as the form shows it back."""

    def __init__(self, where: queries.SampleFilter) -> None:
        self.states = [s.value for s in where.states]
        self.batch, self.kind, self.text = where.batch, where.kind, where.text


@router.get("/samples/{sample_id}", response_class=HTMLResponse)
def sample_page(request: Request, sample_id: SampleId, ctx: Ctx, who: Viewer) -> HTMLResponse:
    record = load_sample(ctx, sample_id)
    return render(request, "sample.html", who, nav="samples", s=record, history=ctx.ledger.history(sample_id),
                  reinterpretations=Reinterpretations(ctx.ledger).jobs(sample_pk=sample_id),
                  reinterpretation_path=reinterpretation_path)  # fmt: skip


@router.get("/samples/{sample_id}/report")
def sample_report(sample_id: SampleId, ctx: Ctx, who: Viewer) -> Response:
    """The report on its own page (printable); audit-logged like the API download."""
    record = load_sample(ctx, sample_id)
    response = downloads.report_html(ctx.store, record)
    ctx.audit(who.name, AuditAction.DOWNLOAD, downloads.output_key_of(record), sample_pk=record.id, detail="report")
    return response


@router.post("/samples/{sample_id}/rerun")
def rerun_form(sample_id: SampleId, ctx: Ctx, who: Submitter, reason: Annotated[str, Form(min_length=3, max_length=2000)],
               ) -> Response:  # fmt: skip
    try:
        rerun(ctx, who, sample_id, reason.strip())
    except StateConflict as exc:
        raise HTTPException(409, exc.message) from None
    return RedirectResponse(f"/samples/{sample_id}", status_code=303)


@router.get("/failures", response_class=HTMLResponse)
def failures_page(request: Request, ctx: Ctx, who: Viewer) -> HTMLResponse:
    records, _ = queries.page_samples(ctx.ledger.engine, queries.SampleFilter(states=FAILED), after_id=None, limit=500)
    return render(request, "failures.html", who, nav="failures", samples=records)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, ctx: Ctx, who: Submitter) -> HTMLResponse:
    cap = ctx.settings.intake.max_compressed_bytes
    direct = ctx.settings.store.startswith("s3://")
    response = render(request, "upload.html", who, nav="upload", max_bytes=cap, max_mib=cap // (1024 * 1024),
                      direct=direct)  # fmt: skip
    if direct:  # the browser posts to the bucket: allow that one origin besides our own
        response.headers["Content-Security-Policy"] = PAGE_CSP.replace(
            "connect-src 'self'", f"connect-src 'self' {uploads.post_origin(ctx.store)}")
    return response
