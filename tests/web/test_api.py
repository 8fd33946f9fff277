"""The API's contract: shapes, filters, cursor paging, history, audited downloads and re-runs,
uploads checked like ``oncodrop submit``, health and readiness, the OpenAPI document."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from conftest import REPORT, Console

from oncodrop.domain.access import Role
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import access

V053 = "pcgr/v0.5.3"


def _audit(c: Console) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.target) for e in access.audit_entries(c.ledger.engine)]


def test_openapi_is_3_1_and_lists_the_v1_routes(console: Console) -> None:
    doc = console.client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path in ("/api/v1/samples", "/api/v1/samples/{sample_id}", "/api/v1/samples/{sample_id}/output",
                 "/api/v1/samples/{sample_id}/rerun", "/api/v1/uploads", "/api/v1/bundle", "/api/v1/health",
                 "/api/v1/ready", "/api/v1/hooks/generic", "/api/v1/hooks/stackstorm", "/api/v1/events"):  # fmt: skip
        assert path in doc["paths"], path


def test_list_filters_by_state_batch_kind_and_text_and_pages_with_a_cursor(console: Console) -> None:
    c = console
    for i in range(5):
        c.add(f"lab1-00000{i}-somatic.tar.gz")
    c.add("lab2-aaaaaa-normal.tar.gz")
    c.succeed("lab2-bbbbbb-somatic.tar.gz")
    viewer = c.as_role(Role.VIEWER)

    first = c.client.get("/api/v1/samples", params={"limit": 3}, headers=viewer).json()
    assert [s["key"] for s in first["items"]] == ["lab2-bbbbbb-somatic.tar.gz", "lab2-aaaaaa-normal.tar.gz",
                                                  "lab1-000004-somatic.tar.gz"]  # fmt: skip
    rest = c.client.get("/api/v1/samples", params={"limit": 3, "cursor": first["next_cursor"]}, headers=viewer).json()
    last = c.client.get("/api/v1/samples", params={"limit": 3, "cursor": rest["next_cursor"]}, headers=viewer).json()
    keys = [s["key"] for page in (first, rest, last) for s in page["items"]]
    assert len(keys) == len(set(keys)) == 7 and last["next_cursor"] is None

    def keys_for(**params: object) -> list[str]:
        return [s["key"] for s in c.client.get("/api/v1/samples", params=params, headers=viewer).json()["items"]]

    assert keys_for(state="SUCCEEDED") == ["lab2-bbbbbb-somatic.tar.gz"]
    assert len(keys_for(state=["QUEUED", "SUCCEEDED"])) == 7
    assert len(keys_for(batch="lab1")) == 5 and keys_for(batch="lab") == []
    assert keys_for(kind="normal") == ["lab2-aaaaaa-normal.tar.gz"]
    assert keys_for(q="00003") == ["lab1-000003-somatic.tar.gz"]
    assert keys_for(q="%") == []  # a literal, not a wildcard
    assert c.client.get("/api/v1/samples", params={"state": "BOGUS"}, headers=viewer).status_code == 422
    assert c.client.get("/api/v1/samples", params={"cursor": "x1"}, headers=viewer).status_code == 422


def test_output_key_is_only_shown_when_the_output_exists(console: Console) -> None:
    queued = console.add("lab-111111-somatic.tar.gz")
    done = console.succeed("lab-222222-somatic.tar.gz")
    get = console.client.get
    viewer = console.as_role(Role.VIEWER)
    assert get(f"/api/v1/samples/{queued.id}", headers=viewer).json()["sample"]["output_key"] is None
    body = get(f"/api/v1/samples/{done.id}", headers=viewer).json()
    assert body["sample"]["output_key"] == "lab-222222-somatic-output.tar.gz"
    assert body["sample"]["headline"]["tier1"] == 1
    assert [h["to_state"] for h in body["history"]] == ["RECEIVED", "QUEUED", "RUNNING", "SUCCEEDED"]
    assert get("/api/v1/samples/999", headers=viewer).status_code == 404


def test_downloads_stream_the_output_and_the_report_and_are_audited(console: Console) -> None:
    done = console.succeed("lab-333333-somatic.tar.gz")
    viewer = console.as_role(Role.VIEWER)
    out = console.client.get(f"/api/v1/samples/{done.id}/output", headers=viewer)
    assert out.status_code == 200 and out.headers["content-type"] == "application/gzip"
    assert out.content == (console.bucket / "lab-333333-somatic-output.tar.gz").read_bytes()
    with tarfile.open(fileobj=io.BytesIO(out.content)) as tar:
        assert tar.getnames() == ["lab-333333-somatic-output/report.html"]
    report = console.client.get(f"/api/v1/samples/{done.id}/report", headers=viewer)
    assert report.content == REPORT and "default-src 'none'" in report.headers["content-security-policy"]
    viewer_id = console.tokens[Role.VIEWER].split("_")[1]
    assert _audit(console)[:2] == [(f"token:{viewer_id}", "download", "lab-333333-somatic-output.tar.gz")] * 2
    queued = console.add("lab-444444-somatic.tar.gz")
    assert console.client.get(f"/api/v1/samples/{queued.id}/output", headers=viewer).status_code == 404


def test_rerun_needs_a_reason_and_a_finished_sample_and_is_a_new_run_in_the_history(console: Console) -> None:
    dead = console.dead("lab-555555-somatic.tar.gz")
    queued = console.add("lab-666666-somatic.tar.gz")
    sub = console.as_role(Role.SUBMITTER)
    post = console.client.post
    assert post(f"/api/v1/samples/{dead.id}/rerun", json={}, headers=sub).status_code == 422
    assert post(f"/api/v1/samples/{queued.id}/rerun", json={"reason": "again"}, headers=sub).status_code == 409
    again = post(f"/api/v1/samples/{dead.id}/rerun", json={"reason": "bundle fixed"}, headers=sub)
    assert again.status_code == 200, again.text
    assert (again.json()["state"], again.json()["run"], again.json()["attempts"]) == ("QUEUED", 2, 0)
    last = console.ledger.history(dead.id)[-1]
    assert (last.run, last.reason, last.actor) == (2, "bundle fixed", f"token:{console.tokens[Role.SUBMITTER].split('_')[1]}")
    assert _audit(console)[0][1:] == ("rerun", "lab-555555-somatic.tar.gz")


def test_upload_stores_a_good_tarball_and_refuses_a_bad_one_with_the_submit_reason(
    console: Console, testdata: Path, tmp_path: Path
) -> None:
    src = testdata / V053
    good = pack_sample(tmp_path / "brca-a1b2c3-somatic.tar.gz", src / "tumor_sample.BRCA.vcf.gz",
                       src / "pcgr_configuration_examples.toml", index=src / "tumor_sample.BRCA.vcf.gz.tbi")  # fmt: skip
    sub = console.as_role(Role.SUBMITTER)
    with good.open("rb") as fh:
        stored = console.client.post("/api/v1/uploads", files={"file": (good.name, fh)}, data={"prefix": "projA"},
                                     headers=sub)  # fmt: skip
    assert stored.status_code == 201, stored.text
    assert stored.json()["key"] == "projA/brca-a1b2c3-somatic.tar.gz"
    assert (console.bucket / "projA" / good.name).read_bytes() == good.read_bytes()

    bad = console.client.post("/api/v1/uploads", files={"file": ("brca-XYZ-somatic.tar.gz", good.read_bytes())},
                              headers=sub)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["reason_code"] == "bad_key"
    broken = console.client.post("/api/v1/uploads", files={"file": ("brca-a1b2c4-somatic.tar.gz", b"not gzip")},
                                 headers=sub)  # fmt: skip
    assert broken.status_code == 422 and broken.json()["reason_code"] == "corrupt_tarball"
    assert not (console.bucket / "brca-a1b2c4-somatic.tar.gz").exists()
    assert [a for _, a, _ in _audit(console)] == ["upload"]


def test_upload_over_the_intake_cap_is_refused_while_it_arrives(tmp_path: Path) -> None:
    from conftest import make_settings
    from fastapi.testclient import TestClient

    from oncodrop.ledger import Ledger
    from oncodrop.settings import Settings
    from oncodrop.web.app import create_app

    base = make_settings(tmp_path)
    settings = Settings.load(db=base.db, store=base.store, intake__max_compressed_bytes=1000)
    with Ledger.open(settings.db) as ledger:
        secret, _ = access.create_token(ledger.engine, ledger.now(), "s", Role.SUBMITTER, None)
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            big = client.post("/api/v1/uploads", files={"file": ("b-a1b2c3-somatic.tar.gz", b"x" * 5000)},
                              headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert big.status_code == 413 and "max_compressed_bytes" in big.json()["detail"]


def test_health_is_public_and_readiness_names_what_is_missing(console: Console) -> None:
    assert console.client.get("/api/v1/health").json() == {"status": "ok", "checks": {}}
    ready = console.client.get("/api/v1/ready")
    assert ready.status_code == 503  # no bundle configured in this fixture
    assert ready.json()["checks"] == {"ledger": "ok", "store": "ok", "bundle": "missing"}


def test_bundle_information_comes_from_the_bundle_manifest(tmp_path: Path, demo_bundle: Path) -> None:
    from conftest import make_settings
    from fastapi.testclient import TestClient

    from oncodrop.ledger import Ledger
    from oncodrop.web.app import create_app

    settings = make_settings(tmp_path).model_copy(update={"bundle": demo_bundle})
    with Ledger.open(settings.db) as ledger:
        secret, _ = access.create_token(ledger.engine, ledger.now(), "v", Role.VIEWER, None)
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            body = client.get("/api/v1/bundle", headers={"Authorization": f"Bearer {secret}"}).json()
            assert client.get("/api/v1/ready").status_code == 200
    assert body["demo"] is True and "path" not in body and body["manifest_sha256"]


def test_metrics_report_states_failures_durations_and_queue_age(console: Console) -> None:
    console.succeed("lab-777777-somatic.tar.gz")
    console.dead("lab-888888-somatic.tar.gz")
    console.add("lab-999999-somatic.tar.gz")
    assert console.client.get("/metrics").status_code == 401
    text = console.client.get("/metrics", headers=console.as_role(Role.VIEWER)).text
    assert 'oncodrop_samples{state="SUCCEEDED"} 1.0' in text
    assert 'oncodrop_samples{state="QUEUED"} 1.0' in text
    assert 'oncodrop_failures{reason_code="bundle_error"} 1.0' in text
    assert "oncodrop_job_duration_seconds_count 2.0" in text
    assert "oncodrop_queue_age_seconds" in text


def test_ids_and_cursors_beyond_the_ledger_range_are_422_not_a_crash(console: Console) -> None:
    """Found by schemathesis: 2**63 overflowed SQLite's INTEGER (a 500)."""
    viewer = console.as_role(Role.VIEWER)
    for path in ("/api/v1/samples/9223372036854775808", "/api/v1/samples/9223372036854775808/output",
                 "/samples/9223372036854775808"):  # fmt: skip
        assert console.client.get(path, headers=viewer).status_code == 422, path
    page = console.client.get("/api/v1/samples", params={"cursor": "99999999999999999"}, headers=viewer)
    assert page.status_code == 200 and page.json()["items"] == []
    bad = console.client.get("/api/v1/samples", params={"cursor": "x"}, headers=viewer)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "cursor"]
    html = console.client.get("/", params={"cursor": "x"}, headers=viewer)
    assert html.status_code == 422 and "cursor must be a value a previous page returned" in html.text
