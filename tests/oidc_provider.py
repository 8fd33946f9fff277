"""A small OpenID Connect provider on 127.0.0.1 for tests: discovery, JWKS, an authorization
endpoint that signs in ``user`` at once (no login form), and a token endpoint that checks the
client, the redirect URI and the PKCE verifier before it issues an RS256-signed ID token.

Knobs for the refusals the console must make: ``sign_with`` (a key the JWKS does not publish),
``audience``, ``expires_in``, ``nonce_override``, ``issuer_override``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "oncodrop-console"
CLIENT_SECRET = "client-secret-for-tests"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    user: dict[str, Any]


@dataclass
class OidcProvider:
    port: int = 0
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "u-1", "email": "ana@lab.example",
                                                          "groups": ["onco-submitters"]})  # fmt: skip
    sign_with: RSAKey | None = None
    audience: str | None = None
    expires_in: int = 300
    nonce_override: str | None = None
    issuer_override: str | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metadata(self) -> dict[str, Any]:
        return {"issuer": self.issuer_override or self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}  # fmt: skip

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {**grant.user, "iss": self.issuer, "aud": self.audience or grant.client_id, "iat": now,
                  "exp": now + self.expires_in, "nonce": self.nonce_override or grant.nonce}  # fmt: skip
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.sign_with or self.key)


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.metadata())
            elif parts.path == "/jwks":
                self._json(200, KeySet([provider.key]).as_dict(private=False))
            elif parts.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.grants[code] = Grant(query["client_id"], query["redirect_uri"], query["code_challenge"],
                                              query["nonce"], dict(provider.user))  # fmt: skip
                self.send_response(302)
                self.send_header("Location", query["redirect_uri"] + "?" + urlencode({"code": code,
                                                                                     "state": query["state"]}))
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            provider.token_requests.append(form)
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self._json(401, {"error": "invalid_client"})
                return
            grant = provider.grants.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant is None or grant.redirect_uri != form.get("redirect_uri") or grant.challenge != challenge:
                self._json(400, {"error": "invalid_grant"})
                return
            self._json(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "id_token": provider.id_token(grant)})  # fmt: skip

    return Handler


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
