"""Browser sessions: a signed, expiring cookie (itsdangerous) naming the account, its role and
the session's CSRF token. Cookies are ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` (browsers
keep Secure cookies on https and on loopback http, so the embedded console works too).

Nothing is kept server side, so disabling an account takes effect at the next login or when
the cookie expires (``web.session_ttl_s``); revoke API tokens for immediate effect.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

from oncodrop.domain.access import Role
from oncodrop.web.context import console

COOKIE = "oncodrop_session"
LOGIN_CSRF_COOKIE = "oncodrop_login_csrf"
_SALT = "oncodrop.session"


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    role: Role
    csrf: str


def _serializer(conn: HTTPConnection) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(console(conn).session_secret, salt=_SALT)


def read_session(conn: HTTPConnection) -> Session | None:
    raw = conn.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(conn).loads(raw, max_age=console(conn).settings.web.session_ttl_s)
        return Session(str(data["u"]), Role(data["r"]), str(data["c"]))
    except (BadSignature, KeyError, ValueError, TypeError):
        return None


def start_session(conn: HTTPConnection, response: Response, username: str, role: Role) -> Session:
    session = Session(username, role, secrets.token_urlsafe(24))
    value = _serializer(conn).dumps({"u": username, "r": role.value, "c": session.csrf})
    _set_cookie(conn, response, COOKIE, value, console(conn).settings.web.session_ttl_s)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return session


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def login_csrf_token(conn: HTTPConnection) -> str:
    """The login form's CSRF token (double submit: a cookie and the same value in the form)."""
    return conn.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf(conn: HTTPConnection, response: Response, token: str) -> None:
    _set_cookie(conn, response, LOGIN_CSRF_COOKIE, token, 3600)


def _set_cookie(conn: HTTPConnection, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=console(conn).settings.web.cookie_secure)  # fmt: skip
