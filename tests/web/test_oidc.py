"""OIDC browser login against a real (small) provider on 127.0.0.1: the console's redirect, the
provider's answer, the code redeemed over HTTP with PKCE, the ID token verified, groups mapped
to roles. Local accounts keep working beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import PASSWORD, login, make_settings
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey
from oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, oidc_provider  # noqa: F401 - fixture

from oncodrop.domain.access import Role
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.web.app import create_app
from oncodrop.web.sessions import COOKIE


@pytest.fixture
def sso(tmp_path: Path, oidc_provider: OidcProvider) -> Iterator[tuple[TestClient, Ledger]]:  # noqa: F811
    base = make_settings(tmp_path)
    settings = Settings.load(db=base.db, store=base.store, oidc__issuer=oidc_provider.issuer,
                             oidc__client_id=CLIENT_ID, oidc__client_secret=CLIENT_SECRET,
                             oidc__roles=("onco-submitters=submitter", "onco-admins=admin"))  # fmt: skip
    with Ledger.open(settings.db) as ledger:
        access.set_account(ledger.engine, ledger.now(), "local-admin", PASSWORD, Role.ADMIN)
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            yield client, ledger


def _through_provider(client: TestClient, next_path: str = "/") -> httpx.Response:
    """Start the login, let the provider answer (real HTTP), return the console's callback answer."""
    start = client.get("/login/oidc", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = httpx.URL(at_provider.headers["location"])
    assert back.host == "testserver" and back.path == "/login/oidc/callback"
    return client.get(f"{back.path}?{back.query.decode()}", follow_redirects=False)


def test_a_provider_login_maps_groups_to_a_role_and_opens_a_session(
    sso: tuple[TestClient, Ledger], oidc_provider: OidcProvider  # noqa: F811
) -> None:
    client, ledger = sso
    page = client.get("/login")
    assert 'href="/login/oidc?next=/"' in page.text and "Log in with single sign-on" in page.text
    start = client.get("/login/oidc", params={"next": "/failures"}, follow_redirects=False)
    sent = httpx.URL(start.headers["location"])
    assert sent.params["code_challenge_method"] == "S256" and sent.params["client_id"] == CLIENT_ID
    assert sent.params["redirect_uri"] == "https://testserver/login/oidc/callback"
    flow_cookie = start.headers["set-cookie"]
    assert "HttpOnly" in flow_cookie and "Secure" in flow_cookie and "SameSite=lax" in flow_cookie

    done = _through_provider(client, "/failures")
    assert done.status_code == 303 and done.headers["location"] == "/failures"
    session = [c for c in done.headers.get_list("set-cookie") if c.startswith(COOKIE)]
    assert session and "HttpOnly" in session[0] and "Secure" in session[0] and "SameSite=lax" in session[0]
    # the code was redeemed with the PKCE verifier (the provider checked it against the challenge)
    assert oidc_provider.token_requests[-1]["code_verifier"]
    who = client.get("/api/v1/whoami")
    assert who.json() == {"name": "user:ana@lab.example", "role": "submitter"}
    assert client.get("/upload").status_code == 200  # a submitter's page
    assert client.get("/api/v1/audit").status_code == 403  # not an admin
    entries = access.audit_entries(ledger.engine)
    assert [(e.actor, e.action, e.detail) for e in entries] == [("user:ana@lab.example", "login", "oidc")]


def test_the_strongest_group_wins_and_a_user_without_a_mapped_group_is_refused(
    sso: tuple[TestClient, Ledger], oidc_provider: OidcProvider  # noqa: F811
) -> None:
    client, ledger = sso
    oidc_provider.user = {"sub": "u-2", "email": "bo@lab.example", "groups": ["onco-submitters", "onco-admins"]}
    assert _through_provider(client).status_code == 303
    assert client.get("/api/v1/whoami").json()["role"] == "admin"
    client.cookies.clear()
    oidc_provider.user = {"sub": "u-3", "email": "cy@lab.example", "groups": ["finance"]}
    refused = _through_provider(client)
    assert refused.status_code == 403 and "cy@lab.example has no role" in refused.text
    assert client.get("/api/v1/whoami").status_code == 401
    assert ("user:cy@lab.example", "login_failed") in [(e.actor, e.action) for e in access.audit_entries(ledger.engine)]


@pytest.mark.parametrize("spoil", ["foreign_key", "audience", "expired", "nonce"])
def test_an_id_token_that_does_not_verify_logs_nobody_in(
    sso: tuple[TestClient, Ledger], oidc_provider: OidcProvider, spoil: str  # noqa: F811
) -> None:
    client, _ = sso
    if spoil == "foreign_key":
        oidc_provider.sign_with = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    elif spoil == "audience":
        oidc_provider.audience = "some-other-client"
    elif spoil == "expired":
        oidc_provider.expires_in = -3600
    else:
        oidc_provider.nonce_override = "a-nonce-from-another-login"
    refused = _through_provider(client)
    assert refused.status_code == 401 and "did not verify" in refused.text
    assert not [c for c in refused.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")]
    assert client.get("/api/v1/whoami").status_code == 401


def test_a_callback_with_a_forged_state_or_no_flow_cookie_is_refused(
    sso: tuple[TestClient, Ledger], oidc_provider: OidcProvider  # noqa: F811
) -> None:
    client, _ = sso
    start = client.get("/login/oidc", follow_redirects=False)
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = httpx.URL(at_provider.headers["location"])
    forged = client.get("/login/oidc/callback", params={"code": back.params["code"], "state": "forged"})
    assert forged.status_code == 403 and "does not match" in forged.text
    client.cookies.clear()
    stray = client.get(f"{back.path}?{back.query.decode()}")
    assert stray.status_code == 403
    assert client.get("/api/v1/whoami").status_code == 401


def test_a_provider_naming_another_issuer_is_not_trusted(
    sso: tuple[TestClient, Ledger], oidc_provider: OidcProvider  # noqa: F811
) -> None:
    client, _ = sso
    oidc_provider.issuer_override = "https://evil.example"
    answer = client.get("/login/oidc", follow_redirects=False)
    assert answer.status_code == 502 and "check oidc.issuer" in answer.text


def test_local_accounts_still_log_in_beside_the_provider(sso: tuple[TestClient, Ledger]) -> None:
    client, _ = sso
    login(client, "local-admin")
    assert client.get("/api/v1/whoami").json() == {"name": "user:local-admin", "role": "admin"}


def test_without_an_issuer_there_is_no_sso_button_and_the_route_says_so(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Ledger.open(settings.db) as ledger, TestClient(create_app(settings, ledger), base_url="https://testserver") as c:
        assert "/login/oidc" not in c.get("/login").text
        assert c.get("/login/oidc", follow_redirects=False).status_code == 404


def test_a_role_map_entry_with_an_unknown_role_is_a_settings_error() -> None:
    from oncodrop.errors import ConfigError

    with pytest.raises(ConfigError, match="'onco=root' is not 'group=role'"):
        Settings.load(oidc__issuer="http://127.0.0.1:1", oidc__client_id="c", oidc__roles=("onco=root",))
