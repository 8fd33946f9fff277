"""Re-interpretations in the console: listed by the API and on the sample page, and each
change report downloadable (streamed from the store, audit-logged) like the output."""

from __future__ import annotations

import io
import tarfile

from conftest import CHANGE_REPORT, Console, login

from oncodrop.domain.access import Role
from oncodrop.ledger import access
from oncodrop.ledger.reinterp import Reinterpretations, Selection


def test_the_api_lists_each_bundle_version_with_a_link_only_where_a_change_report_exists(console: Console) -> None:
    sample = console.succeed("ri-300001-somatic.tar.gz")
    console.reinterpreted(sample, "2026.11", changed=False)
    console.reinterpreted(sample, "2026.12 civic")
    reinterps = Reinterpretations(console.ledger)  # a third one that died
    reinterps.enqueue("2027.01", Selection(keys=(sample.key,)))
    job = reinterps.claim("r2", 60, "2027.01")
    assert job is not None
    reinterps.fail(job.id, "r2", "no interpretation input in the output", max_attempts=1)
    got = console.client.get(f"/api/v1/samples/{sample.id}/reinterpretations", headers=console.as_role(Role.VIEWER))
    assert got.status_code == 200
    unchanged, changed, dead = got.json()
    assert (unchanged["bundle_version"], unchanged["state"], unchanged["changes"], unchanged["download"]) == (
        "2026.11", "DONE", 0, None)
    assert changed["state"] == "DONE" and (changed["changes"], changed["meaningful"]) == (2, 1)
    assert changed["output_key"] == "ri-300001-somatic-reinterpretation-2026.12_civic.tar.gz"
    assert changed["download"] == f"/api/v1/samples/{sample.id}/reinterpretations/2026.12%20civic/output"
    assert changed["counts"] == {"tier_changes": 2}
    assert dead["state"] == "DEAD" and dead["download"] is None and "no interpretation input" in dead["reason"]
    missing = console.client.get("/api/v1/samples/999/reinterpretations", headers=console.as_role(Role.VIEWER))
    assert missing.status_code == 404


def test_a_viewer_downloads_the_change_report_and_the_download_is_audited(console: Console) -> None:
    sample = console.succeed("ri-300002-somatic.tar.gz")
    job = console.reinterpreted(sample, "2026.12 civic")
    url = console.client.get(f"/api/v1/samples/{sample.id}/reinterpretations",
                             headers=console.as_role(Role.VIEWER)).json()[0]["download"]  # fmt: skip
    got = console.client.get(url, headers=console.as_role(Role.VIEWER))
    assert got.status_code == 200 and got.headers["content-type"] == "application/gzip"
    assert job.output_key and job.output_key in got.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(got.content), mode="r:gz") as tar:
        member = tar.extractfile("ri-300002-somatic-reinterpretation-2026.12_civic/changes.html")
        assert member is not None and member.read() == CHANGE_REPORT
    entry = access.audit_entries(console.ledger.engine, limit=1)[0]
    assert (entry.action, entry.target, entry.sample_pk) == ("download", job.output_key, sample.id)
    assert entry.detail == "reinterpretation 2026.12 civic" and entry.actor.startswith("token:")


def test_no_change_report_is_a_404_saying_why_and_is_not_audited(console: Console) -> None:
    sample = console.succeed("ri-300003-somatic.tar.gz")
    console.reinterpreted(sample, "2026.11", changed=False)
    viewer = console.as_role(Role.VIEWER)
    before = len(access.audit_entries(console.ledger.engine, limit=1000))
    unchanged = console.client.get(f"/api/v1/samples/{sample.id}/reinterpretations/2026.11/output", headers=viewer)
    assert unchanged.status_code == 404 and "nothing changed" in unchanged.text
    unknown = console.client.get(f"/api/v1/samples/{sample.id}/reinterpretations/1999.1/output", headers=viewer)
    assert unknown.status_code == 404 and "no re-interpretation against bundle 1999.1" in unknown.text
    assert len(access.audit_entries(console.ledger.engine, limit=1000)) == before


def test_the_sample_page_links_each_change_report_and_the_link_works_for_a_viewer_session(console: Console) -> None:
    sample = console.succeed("ri-300004-somatic.tar.gz")
    console.reinterpreted(sample, "2026.11", changed=False)
    console.reinterpreted(sample, "2026.12")
    login(console.client, "viewer")
    page = console.client.get(f"/samples/{sample.id}")
    assert page.status_code == 200 and page.text.count("download-reinterpretation") == 1 and "no change" in page.text
    href = page.text.split('class="button download-reinterpretation" href="', 1)[1].split('"', 1)[0]
    assert href == f"/api/v1/samples/{sample.id}/reinterpretations/2026.12/output"
    got = console.client.get(href)
    assert got.status_code == 200 and got.content[:2] == b"\x1f\x8b"
    assert access.audit_entries(console.ledger.engine, limit=1)[0].actor == "user:viewer"
