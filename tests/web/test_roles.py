"""Route x role matrix: every route of the console is listed here with the weakest role it
needs; anonymous callers get 401, weaker roles 403, the rest get through. A route added to
the app without a row here fails ``test_every_route_is_in_the_matrix``."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Console, login

from oncodrop.domain.access import Role

PUBLIC = {("GET", "/api/v1/health"), ("GET", "/api/v1/ready"), ("GET", "/api/v1/openapi.json"),
          ("GET", "/api/v1/docs"), ("GET", "/login"), ("POST", "/login"),
          # signed with the webhook HMAC instead (see test_webhooks)
          ("POST", "/api/v1/hooks/generic"), ("POST", "/api/v1/hooks/stackstorm"),
          # the OIDC login itself (test_oidc); Slack signs its requests, users mapped by slack.users (test_chatops)
          ("GET", "/login/oidc"), ("GET", "/login/oidc/callback"), ("POST", "/slack/events")}  # fmt: skip

# (method, path, weakest role, request kwargs); {id} is a SUCCEEDED sample, {dead} a DEAD one,
# {bundle_version} the version {id} was re-interpreted against (with a change report)
MATRIX: list[tuple[str, str, Role, dict[str, Any]]] = [
    ("GET", "/api/v1/samples", Role.VIEWER, {}),
    ("GET", "/api/v1/samples/{id}", Role.VIEWER, {}),
    ("GET", "/api/v1/samples/{id}/output", Role.VIEWER, {}),
    ("GET", "/api/v1/samples/{id}/report", Role.VIEWER, {}),
    ("GET", "/api/v1/samples/{id}/reinterpretations", Role.VIEWER, {}),
    ("GET", "/api/v1/samples/{id}/reinterpretations/{bundle_version}/output", Role.VIEWER, {}),
    ("POST", "/api/v1/samples/{dead}/rerun", Role.SUBMITTER, {"json": {"reason": "matrix"}}),
    ("POST", "/api/v1/uploads", Role.SUBMITTER, {"files": {"file": ("x-a1b2c3-somatic.tar.gz", b"x")}}),
    ("POST", "/api/v1/uploads/presign", Role.SUBMITTER, {"json": {"filename": "x-a1b2c3-somatic.tar.gz", "size": 1}}),
    ("GET", "/api/v1/bundle", Role.VIEWER, {}),
    ("GET", "/api/v1/whoami", Role.VIEWER, {}),
    ("GET", "/api/v1/audit", Role.ADMIN, {}),
    ("GET", "/api/v1/events", Role.VIEWER, {}),
    ("GET", "/metrics", Role.VIEWER, {}),
    ("GET", "/", Role.VIEWER, {}),
    ("GET", "/samples/{id}", Role.VIEWER, {}),
    ("GET", "/samples/{id}/report", Role.VIEWER, {}),
    ("POST", "/samples/{dead}/rerun", Role.SUBMITTER, {"data": {"reason": "matrix"}}),
    ("GET", "/failures", Role.VIEWER, {}),
    ("GET", "/upload", Role.SUBMITTER, {}),
    ("POST", "/logout", Role.VIEWER, {}),
]
STREAMING = {"/api/v1/events"}


def _path(console: Console, template: str) -> str:
    ids = getattr(console, "_ids", None)
    if ids is None:
        done = console.succeed("m-a00001-somatic.tar.gz")
        console.reinterpreted(done, "2026.12")
        ids = {"id": done.id, "dead": console.dead("m-a00002-somatic.tar.gz").id, "bundle_version": "2026.12"}
        console._ids = ids  # type: ignore[attr-defined]
    return template.format(**ids)


def test_every_route_is_in_the_matrix(console: Console) -> None:
    listed = {(m, p) for m, p, _, _ in MATRIX} | PUBLIC
    found = set()
    routes = list(console.client.app.routes)  # type: ignore[attr-defined]
    while routes:
        route = routes.pop()
        if hasattr(route, "original_router"):  # FastAPI keeps included routers nested
            routes += route.original_router.routes
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path.replace("{sample_id}", "{id}")))
    normalised = {(m, p.replace("{dead}", "{id}")) for m, p in listed}
    assert found == normalised


@pytest.mark.parametrize(("method", "template", "needed", "kwargs"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_anonymous_is_401_weaker_roles_403_and_the_role_itself_passes(
    console: Console, method: str, template: str, needed: Role, kwargs: dict[str, Any]
) -> None:
    path = _path(console, template)
    console.client.cookies.clear()
    assert console.client.request(method, path, **kwargs).status_code == 401
    for role in Role:
        if role.allows(needed):
            continue
        got = console.client.request(method, path, headers=console.as_role(role), **kwargs)
        assert got.status_code == 403, (role, got.text)
    if path in STREAMING:
        return  # an endless stream; its 200 is checked in test_live
    got = console.client.request(method, path, headers=console.as_role(needed), follow_redirects=False, **kwargs)
    assert got.status_code not in (401, 403), got.text
    if method == "GET" and "{id}" in template:
        assert got.status_code == 200, got.text  # the sample (and its change report) exist: really served


def test_bad_expired_and_revoked_tokens_are_401(console: Console) -> None:
    from datetime import timedelta

    from oncodrop.ledger import access

    engine, now = console.ledger.engine, console.ledger.now()
    get = console.client.get
    good = console.tokens[Role.ADMIN]
    assert get("/api/v1/whoami", headers={"Authorization": f"Bearer {good}x"}).status_code == 401
    assert get("/api/v1/whoami", headers={"Authorization": "Basic YTpi"}).status_code == 401
    expired, _ = access.create_token(engine, now - timedelta(days=2), "old", Role.ADMIN, now - timedelta(days=1))
    assert get("/api/v1/whoami", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    token_id = good.split("_")[1]
    assert get("/api/v1/whoami", headers=console.as_role(Role.ADMIN)).json()["name"] == f"token:{token_id}"
    assert access.revoke_token(engine, now, token_id)
    assert get("/api/v1/whoami", headers=console.as_role(Role.ADMIN)).status_code == 401


def test_tokens_are_hashed_at_rest(console: Console) -> None:
    from sqlalchemy import text

    with console.ledger.engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_tokens")) for v in row)
        passwords = " ".join(str(v) for row in conn.execute(text("SELECT password_hash FROM accounts")) for v in row)
    for secret in console.tokens.values():
        assert secret.split("_", 2)[2] not in stored
    assert "correct horse" not in passwords and passwords.startswith("scrypt$")


def test_a_viewer_session_is_refused_a_rerun_with_403(console: Console) -> None:
    dead = console.dead("v-b00001-somatic.tar.gz")
    csrf = login(console.client, "viewer")
    refused = console.client.post(f"/samples/{dead.id}/rerun", data={"reason": "please", "csrf": csrf})
    assert refused.status_code == 403 and "submitter" in refused.text
    assert console.ledger.get(dead.id).state.value == "DEAD"
