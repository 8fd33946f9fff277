"""Browser login through an OpenID Connect provider: authorization code with PKCE (S256), the ID
token's signature checked against the provider's JWKS, then the same session cookie as a local
login. Local accounts stay the fallback (the embedded console needs no provider).

- ``GET /login/oidc`` keeps ``state``, ``nonce`` and the PKCE verifier in a signed cookie that
  lives ten minutes (nothing kept server side) and sends the browser to the provider.
- ``GET /login/oidc/callback`` checks ``state``, redeems the code at the token endpoint (with the
  verifier, and the client secret when there is one), verifies the ID token (signature, ``iss``,
  ``aud``, ``azp``, ``exp``, ``nonce``) and maps ``oidc.roles_claim`` to a role through
  ``oidc.roles``; a user with no role is refused (403) and the refusal audit-logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from oncodrop.domain.access import AuditAction, Role
from oncodrop.settings import OidcSettings
from oncodrop.web.context import console
from oncodrop.web.pages import local_path, login_page
from oncodrop.web.sessions import start_session

router = APIRouter(include_in_schema=False)
FLOW_COOKIE = "oncodrop_oidc"
FLOW_TTL_S = 600
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]  # never "none" or HMAC
LEEWAY_S = 60
METADATA_TTL_S = 3600.0
HTTP_TIMEOUT_S = 10.0


class LoginRefused(Exception):
    """The provider's answer cannot log anyone in; ``message`` is shown on the login page."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Provider:
    """The provider's metadata and keys, fetched on first use and kept for an hour; the keys
    are fetched again when a token names a key id we do not know (key rotation)."""

    settings: OidcSettings
    _metadata: dict[str, Any] | None = None
    _keys: KeySet | None = None
    _fetched_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None or time.monotonic() - self._fetched_at > METADATA_TTL_S:
                issuer = str(self.settings.issuer).rstrip("/")
                found = _get_json(f"{issuer}/.well-known/openid-configuration")
                if str(found.get("issuer", "")).rstrip("/") != issuer:
                    raise LoginRefused(f"the provider at {issuer} names itself {found.get('issuer')!r}; "
                                       "check oidc.issuer", 502)  # fmt: skip
                for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(found.get(needed), str):
                        raise LoginRefused(f"the provider's metadata has no {needed}", 502)
                self._metadata, self._keys, self._fetched_at = found, None, time.monotonic()
            return self._metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        uri = self.metadata()["jwks_uri"]
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(_get_json(uri))  # type: ignore[arg-type]
            return self._keys


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = httpx.get(url, timeout=HTTP_TIMEOUT_S, follow_redirects=False)
        answer.raise_for_status()
        data = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise LoginRefused(f"the login provider did not answer ({type(exc).__name__}); try again later", 502) from exc
    if not isinstance(data, dict):
        raise LoginRefused(f"{url} did not return a JSON object", 502)
    return data


def provider_of(request: Request) -> Provider:
    found: Provider = request.app.state.oidc
    return found


def _flow_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(console(request).session_secret, salt="oncodrop.oidc")


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirect_uri(request: Request) -> str:
    base = console(request).settings.oidc.public_url
    if base:
        return base.rstrip("/") + "/login/oidc/callback"
    return str(request.url_for("oidc_callback"))


def role_of(claims: dict[str, Any], settings: OidcSettings) -> Role | None:
    """The strongest role any of the user's groups maps to, else the default role (or None)."""
    groups = claims.get(settings.roles_claim, [])
    if isinstance(groups, str):
        groups = [groups]
    mapping = settings.role_map
    roles = [Role(mapping[g]) for g in groups if isinstance(g, str) and g in mapping]
    if roles:
        return max(roles, key=lambda r: r.rank)
    return Role(settings.default_role) if settings.default_role else None


def verify_id_token(provider: Provider, token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature and claims check out; else ``LoginRefused``."""
    settings = provider.settings
    try:
        try:
            decoded = jwt.decode(token, provider.keys(), algorithms=ALGORITHMS)
        except (JoseError, ValueError):  # perhaps a rotated key: fetch the keys once more
            decoded = jwt.decode(token, provider.keys(refresh=True), algorithms=ALGORITHMS)
        claims = dict(decoded.claims)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": str(settings.issuer).rstrip("/")},
            aud={"essential": True, "value": str(settings.client_id)},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except (JoseError, ValueError) as exc:
        raise LoginRefused(f"the login provider's ID token did not verify ({exc}); try again") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.client_id:
        raise LoginRefused("the ID token was issued to another client (azp)")
    return claims


def _redeem(provider: Provider, code: str, verifier: str, redirect: str) -> str:
    settings = provider.settings
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier,
            "client_id": str(settings.client_id)}  # fmt: skip
    auth = None
    if settings.client_secret is not None:
        auth = httpx.BasicAuth(str(settings.client_id), settings.client_secret.get_secret_value())
    try:
        answer = httpx.post(provider.metadata()["token_endpoint"], data=form, auth=auth, timeout=HTTP_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise LoginRefused(f"the login provider did not answer ({type(exc).__name__}); try again later", 502) from exc
    if answer.status_code != 200:
        raise LoginRefused(f"the login provider refused the code (HTTP {answer.status_code}); log in again")
    try:
        token = answer.json().get("id_token")
    except ValueError:
        token = None
    if not isinstance(token, str):
        raise LoginRefused("the login provider sent no ID token", 502)
    return token


@router.get("/login/oidc")
async def oidc_start(request: Request, next: str = "/") -> Response:
    settings = console(request).settings.oidc
    if not settings.issuer:
        return login_page(request, status=404, error="Single sign-on is not configured here.")
    try:
        metadata = await run_in_threadpool(provider_of(request).metadata)
    except LoginRefused as exc:
        return login_page(request, status=exc.status, error=exc.message)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    query = urlencode({"response_type": "code", "client_id": settings.client_id, "redirect_uri": redirect_uri(request),
                       "scope": settings.scopes, "state": state, "nonce": nonce,
                       "code_challenge": _challenge(verifier), "code_challenge_method": "S256"})  # fmt: skip
    response = RedirectResponse(f"{metadata['authorization_endpoint']}?{query}", status_code=303)
    flow = _flow_serializer(request).dumps({"s": state, "n": nonce, "v": verifier, "next": local_path(next)})
    # Lax: the provider's redirect back is a top-level GET, which carries Lax cookies
    response.set_cookie(FLOW_COOKIE, flow, max_age=FLOW_TTL_S, path="/login/oidc", httponly=True, samesite="lax",
                        secure=console(request).settings.web.cookie_secure)  # fmt: skip
    return response


@router.get("/login/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    ctx = console(request)
    try:
        flow = _flow_serializer(request).loads(request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_TTL_S)
    except BadSignature:
        return login_page(request, status=403, error="The login took too long or came from elsewhere; try again.")
    if not state or not hmac.compare_digest(state, str(flow.get("s", ""))):
        return login_page(request, status=403, error="The login answer does not match this browser; try again.")
    if error or not code:
        return login_page(request, status=401, error=f"The login provider said: {error or 'no code'}.")
    provider = provider_of(request)
    try:
        token = await run_in_threadpool(_redeem, provider, code, str(flow["v"]), redirect_uri(request))
        claims = await run_in_threadpool(verify_id_token, provider, token, str(flow["n"]))
    except LoginRefused as exc:
        return login_page(request, status=exc.status, error=exc.message)
    username = str(claims.get(ctx.settings.oidc.username_claim) or claims["sub"])
    role = role_of(claims, ctx.settings.oidc)
    if role is None:
        await run_in_threadpool(ctx.audit, f"user:{username}", AuditAction.LOGIN_FAILED, "console", detail="oidc: no role")
        return login_page(request, status=403, error=f"{username} has no role in this console; "
                                                      "ask an administrator to add one of your groups.")  # fmt: skip
    response = RedirectResponse(str(flow.get("next", "/")), status_code=303)
    start_session(request, response, username, role)
    response.delete_cookie(FLOW_COOKIE, path="/login/oidc")
    await run_in_threadpool(ctx.audit, f"user:{username}", AuditAction.LOGIN, "console", detail="oidc")
    return response
