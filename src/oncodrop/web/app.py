"""The console as one ASGI app: API, dashboard, webhooks, metrics, static files.

Errors: our ``OncodropError``s become HTTP answers here (a lost re-run race 409, a busy ledger
or store 503, a missing object 404); pages get an HTML page for them, API routes JSON. An
anonymous page view gets the login form with status 401.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from oncodrop import __version__
from oncodrop.errors import InputRejected, OncodropError, StateConflict, TransientError
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings
from oncodrop.web import api, chatops, live, metrics, oidc, pages, webhooks
from oncodrop.web.auth import identify
from oncodrop.web.context import Console
from oncodrop.web.pages import PAGE_CSP

_MACHINE_PREFIXES = ("/api/", "/metrics", "/static/", "/slack/")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(_MACHINE_PREFIXES)


def _status_of(exc: OncodropError) -> int:
    if isinstance(exc, StateConflict):
        return 409
    if isinstance(exc, TransientError):
        return 503
    if isinstance(exc, InputRejected):
        return 404
    return 500


def create_app(settings: Settings, ledger: Ledger | None = None) -> FastAPI:
    """The console for ``settings``; opens (and migrates) the ledger unless one is given.
    A ledger given is left open for its owner to close."""
    owned = ledger is None
    ctx = Console(settings, ledger if ledger is not None else Ledger.open(settings.db, max_attempts=settings.max_attempts))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.stopping.set()
        if owned:
            ctx.ledger.close()

    app = FastAPI(title="oncodrop console", version=__version__, openapi_url="/api/v1/openapi.json",
                  docs_url="/api/v1/docs", redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  lifespan=lifespan)  # fmt: skip
    app.state.console = ctx
    app.state.replay_guard = webhooks.ReplayGuard()
    app.state.oidc = oidc.Provider(settings.oidc)
    app.state.slack = chatops.bolt_app_for(ctx)
    app.state.metrics_registry = metrics.registry_for(ctx)
    for router in (api.public, api.router, live.router, webhooks.router, metrics.router, oidc.router, chatops.router,
                   pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(resources.files("oncodrop.web") / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            return pages.login_page(request, next_path=pages.local_path(request.url.path))
        detail = exc.detail
        if isinstance(detail, list):  # validation errors: their messages
            detail = "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in detail)
        return pages.render(request, "error.html", identify(request), exc.status_code, status=exc.status_code,
                            detail=detail)  # fmt: skip

    @app.exception_handler(OncodropError)
    async def oncodrop_error(request: Request, exc: OncodropError) -> Response:
        return await http_error(request, StarletteHTTPException(_status_of(exc), exc.message))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        return await http_error(request, StarletteHTTPException(422, "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())))

    return app


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
