"""Browser login with local accounts: cookie flags, CSRF on every form, no open redirect,
logins audited."""

from __future__ import annotations

from conftest import Console, login

from oncodrop.ledger import access


def test_login_sets_a_secure_httponly_samesite_cookie_and_audits(console: Console) -> None:
    page = console.client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    done = console.client.post("/login", data={"username": "admin", "password": "correct horse battery",
                                               "csrf": csrf, "next": "//evil.example/"}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/"
    cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith("oncodrop_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags
    assert [e.action for e in access.audit_entries(console.ledger.engine)] == ["login"]


def test_wrong_password_and_missing_login_csrf_are_refused(console: Console) -> None:
    page = console.client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    wrong = console.client.post("/login", data={"username": "admin", "password": "nope-nope", "csrf": csrf})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    forged = console.client.post("/login", data={"username": "admin", "password": "correct horse battery",
                                                 "csrf": "forged"})  # fmt: skip
    assert forged.status_code == 403
    assert "oncodrop_session" not in console.client.cookies
    assert [e.action for e in access.audit_entries(console.ledger.engine)] == ["login_failed"]


def test_a_session_form_without_its_csrf_token_is_refused(console: Console) -> None:
    dead = console.dead("c-c00001-somatic.tar.gz")
    csrf = login(console.client, "submitter")
    assert console.client.post(f"/samples/{dead.id}/rerun", data={"reason": "no token"}).status_code == 403
    assert console.client.post(f"/samples/{dead.id}/rerun", data={"reason": "bad", "csrf": "x" + csrf}).status_code == 403
    assert console.ledger.get(dead.id).state.value == "DEAD"
    ok = console.client.post(f"/samples/{dead.id}/rerun", data={"reason": "fixed it", "csrf": csrf},
                             follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303 and console.ledger.get(dead.id).state.value == "QUEUED"
    api = console.client.post(f"/api/v1/samples/{dead.id}/rerun", json={"reason": "json without header"})
    assert api.status_code == 403  # the session cookie alone never authorises a write


def test_anonymous_page_view_gets_the_login_form_with_401(console: Console) -> None:
    page = console.client.get("/failures")
    assert page.status_code == 401 and 'action="/login"' in page.text and 'value="/failures"' in page.text


def test_pages_show_samples_failures_and_the_sample_with_its_timeline(console: Console) -> None:
    done = console.succeed("p-d00001-somatic.tar.gz")
    dead = console.dead("p-d00002-somatic.tar.gz")
    login(console.client, "submitter")
    home = console.client.get("/")
    assert "p-d00001-somatic.tar.gz" in home.text and "content-security-policy" in home.headers
    failures = console.client.get("/failures").text
    assert "p-d00002-somatic.tar.gz" in failures and "bundle_error" in failures
    assert "p-d00001-somatic.tar.gz" not in failures
    page = console.client.get(f"/samples/{done.id}").text
    assert "Tier I: <strong>1</strong>" in page and f"/api/v1/samples/{done.id}/report" in page
    assert "RUNNING → <strong>SUCCEEDED</strong>" in page
    assert "bundle FASTA unreadable" in console.client.get(f"/samples/{dead.id}").text
    assert console.client.get("/", params={"state": "DEAD"}).text.count('<tr data-id="') == 1


def test_the_sample_page_lists_its_reinterpretations(console: Console) -> None:
    from oncodrop.ledger.reinterp import Reinterpretations, Selection

    done = console.succeed("p-d00003-somatic.tar.gz")
    login(console.client, "viewer")
    assert 'id="reinterpretations"' not in console.client.get(f"/samples/{done.id}").text
    reinterps = Reinterpretations(console.ledger)
    reinterps.enqueue("v2", Selection(keys=("p-d00003-somatic.tar.gz",)))
    job = reinterps.claim("r1", 60)
    assert job is not None
    key = "p-d00003-somatic-reinterpretation-v2.tar.gz"
    reinterps.complete(job.id, "r1", output_key=key, location=key, changes=3, meaningful=1, summary={}, notice=None)
    page = console.client.get(f"/samples/{done.id}").text
    assert 'id="reinterpretations"' in page and key in page and "<td>v2</td><td>DONE</td>" in page
