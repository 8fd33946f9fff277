"""Signed inbound webhooks: HMAC-SHA256 over timestamp and body, a replay window, the generic
and the StackStorm shapes, re-run and re-scan, each audited."""

from __future__ import annotations

import json
import time

from conftest import Console

from oncodrop.ledger import access
from oncodrop.web.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

SECRET = "hook-secret-for-tests"


def _post(c: Console, path: str, body: dict[str, object], *, secret: str = SECRET, at: float | None = None,
          raw: bytes | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    data = raw if raw is not None else json.dumps(body).encode()
    stamp = str(int(at if at is not None else time.time()))
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, data), "Content-Type": "application/json"}
    return c.client.post(path, content=data, headers=headers)


def test_generic_rerun_by_key_requeues_the_sample_and_audits_it(console: Console) -> None:
    dead = console.dead("w-e00001-somatic.tar.gz")
    got = _post(console, "/api/v1/hooks/generic", {"action": "rerun", "key": dead.key, "reason": "from LIMS"})
    assert got.status_code == 200, got.text
    assert got.json() == {"action": "rerun", "sample": dead.id, "state": "QUEUED", "run": 2}
    assert console.ledger.history(dead.id)[-1].actor == "webhook"
    assert [(e.actor, e.action) for e in access.audit_entries(console.ledger.engine)] == [("webhook", "rerun")]


def test_stackstorm_shape_triggers_a_rerun_by_id(console: Console) -> None:
    dead = console.dead("w-e00002-somatic.tar.gz")
    body = {"trigger": "oncodrop.rerun", "payload": {"sample": dead.id, "reason": "st2 alias"}}
    assert _post(console, "/api/v1/hooks/stackstorm", body).json()["state"] == "QUEUED"


def test_rescan_admits_new_objects_in_the_store(console: Console) -> None:
    (console.bucket / "w-e00003-somatic.tar.gz").write_bytes(b"not really a tarball")
    got = _post(console, "/api/v1/hooks/generic", {"action": "rescan"})
    assert got.json() == {"action": "rescan", "new_objects": 1}
    assert [r.key for r in console.ledger.list_samples()] == ["w-e00003-somatic.tar.gz"]
    # a second request in the same second needs different bytes, or it is a replay
    assert _post(console, "/api/v1/hooks/generic", {"action": "rescan", "n": 2}).json()["new_objects"] == 0


def test_bad_signature_old_timestamp_and_replays_are_refused(console: Console) -> None:
    dead = console.dead("w-e00004-somatic.tar.gz")
    body = {"action": "rerun", "sample": dead.id, "reason": "again please"}
    assert _post(console, "/api/v1/hooks/generic", body, secret="wrong").status_code == 401
    assert _post(console, "/api/v1/hooks/generic", body, at=time.time() - 3600).status_code == 401
    assert _post(console, "/api/v1/hooks/generic", body, at=time.time() + 3600).status_code == 401
    assert console.client.post("/api/v1/hooks/generic", json=body).status_code == 401  # unsigned
    data = json.dumps(body).encode()
    stamp = str(int(time.time()))
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, data)}
    assert console.client.post("/api/v1/hooks/generic", content=data, headers=headers).status_code == 200
    replay = console.client.post("/api/v1/hooks/generic", content=data, headers=headers)
    assert replay.status_code == 401 and "replay" in replay.json()["detail"]
    tampered = console.client.post("/api/v1/hooks/generic", content=data.replace(b"again", b"AGAIN"), headers=headers)
    assert tampered.status_code == 401
    assert console.ledger.get(dead.id).run == 2  # exactly one re-run happened


def test_malformed_requests_are_422_not_500(console: Console) -> None:
    assert _post(console, "/api/v1/hooks/generic", {}, raw=b"{not json").status_code == 422
    assert _post(console, "/api/v1/hooks/generic", {"action": "explode"}).status_code == 422
    assert _post(console, "/api/v1/hooks/generic", {"action": "rerun", "key": "k"}).status_code == 422
    assert _post(console, "/api/v1/hooks/stackstorm", {"payload": {}}).status_code == 422
    queued = console.add("w-e00005-somatic.tar.gz")
    busy = _post(console, "/api/v1/hooks/generic", {"action": "rerun", "sample": queued.id, "reason": "now"})
    assert busy.status_code == 409
