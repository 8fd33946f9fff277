"""Who is asking, and may they: bearer API tokens, or a signed session cookie from the login
page; each route names the weakest role it needs.

- No credentials, or bad ones: 401. Credentials whose role is too weak: 403.
- A session cookie authorises a state-changing request only with its CSRF token, in the form
  field ``csrf`` or the ``X-CSRF-Token`` header (a bearer token needs none: browsers never
  send it on their own).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from oncodrop.domain.access import Role
from oncodrop.ledger import access as ledger_access
from oncodrop.web.context import console
from oncodrop.web.sessions import read_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: ``name`` is ``token:<id>`` or ``user:<name>`` (what the audit log records)."""

    name: str
    role: Role
    via: str  # "token" | "session"
    csrf: str = ""


class NotAuthenticated(HTTPException):
    def __init__(self, detail: str = "log in or send an API token (Authorization: Bearer odt_...)") -> None:
        super().__init__(401, detail, headers={"WWW-Authenticate": 'Bearer realm="oncodrop"'})


def identify(request: Request) -> Principal | None:
    """The caller's principal, or None when the request carries no valid credentials."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        ctx = console(request)
        token = ledger_access.check_token(ctx.ledger.engine, ctx.now(), value.strip())
        return None if token is None else Principal(f"token:{token.token_id}", token.role, "token")
    session = read_session(request)
    if session is None:
        return None
    return Principal(f"user:{session.username}", session.role, "session", session.csrf)


async def _check_csrf(request: Request, principal: Principal) -> None:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, principal.csrf):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def require(role: Role) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A FastAPI dependency: the caller's principal, if its role allows ``role``."""

    async def dependency(request: Request) -> Principal:
        principal = identify(request)
        if principal is None:
            raise NotAuthenticated()
        if not principal.role.allows(role):
            raise HTTPException(403, f"this needs the {role.value} role; you are {principal.role.value}")
        await _check_csrf(request, principal)
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_{role.value}"
    return dependency


viewer = require(Role.VIEWER)
submitter = require(Role.SUBMITTER)
admin = require(Role.ADMIN)
