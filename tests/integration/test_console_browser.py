"""The console in real Chromium (Playwright) against the real ``oncodrop serve`` with its
embedded console: log in, watch a dropped sample reach SUCCEEDED on the open samples page
(server-sent events, no reload), open its report, and be refused a re-run as a viewer."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from oncodrop.intake.pack import pack_sample

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PASSWORD = "a long enough password"
V053 = "pcgr/v0.5.3"

if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@dataclass
class Served:
    url: str
    bucket: Path
    log: Path


def _oncodrop(*args: str, stdin: str = "", env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "oncodrop", *args], input=stdin, text=True, env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip


@pytest.fixture
def served(tmp_path: Path, demo_bundle: Path, closed_port: int) -> Iterator[Served]:
    bucket, work = tmp_path / "bucket", tmp_path / "work"
    bucket.mkdir()
    work.mkdir(mode=0o700)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCODROP_")} | {"ONCODROP_WORKDIR": str(work)}
    _oncodrop("account", "set", "op", "--role", "submitter", "--password-stdin", "--db", db, stdin=PASSWORD, env=env)
    _oncodrop("account", "set", "watcher", "--role", "viewer", "--password-stdin", "--db", db, stdin=PASSWORD, env=env)
    port = closed_port
    log = tmp_path / "serve.log"
    cmd = [sys.executable, "-m", "oncodrop", "serve", "--store", bucket.as_uri(), "--db", db, "--bundle",
           str(demo_bundle), "--workers", "1", "--poll-interval", "0.3", "--web-port", str(port)]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:  # wait for a positive answer from the console, not for time to pass
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"console never answered:\n{log.read_text()}"
            time.sleep(0.2)
        yield Served(url, bucket, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _log_in(page: object, url: str, user: str) -> None:
    page.goto(f"{url}/")  # type: ignore[attr-defined]
    page.fill("#username", user)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("#login")  # type: ignore[attr-defined]
    page.wait_for_selector("#who")  # type: ignore[attr-defined]


def test_drop_goes_live_to_succeeded_report_opens_and_a_viewer_cannot_rerun(
    served: Served, browser: object, testdata: Path, tmp_path: Path
) -> None:
    src = testdata / V053
    tarball = pack_sample(tmp_path / "brca-a1b2c3-somatic.tar.gz", src / "tumor_sample.BRCA.vcf.gz",
                          src / "pcgr_configuration_examples.toml", src / "tumor_sample.BRCA.cna.tsv",
                          index=src / "tumor_sample.BRCA.vcf.gz.tbi")  # fmt: skip
    requests: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    _log_in(page, served.url, "op")
    assert "op (submitter)" in page.inner_text("#who")
    # a function, not an expression: Playwright re-evaluates an expression with eval(), which the
    # console's CSP (script-src 'self') refuses whenever the stream is not open at the first look
    page.wait_for_function("() => document.getElementById('live').textContent === 'live'", timeout=30_000)
    page.evaluate("window.__sameDocument = true")

    shutil.copy(tarball, served.bucket / tarball.name)  # dropped as a user would
    row = page.locator("#samples tbody tr", has_text=tarball.name)
    row.wait_for(timeout=60_000)  # appears without a reload
    try:
        page.wait_for_function("""() => [...document.querySelectorAll('#samples tbody tr')]
            .some(tr => tr.textContent.includes('brca-a1b2c3') && tr.querySelector('.state').textContent.trim() === 'SUCCEEDED')""",
                               timeout=240_000)  # fmt: skip
    except sync_api.TimeoutError:
        raise AssertionError(served.log.read_text()[-4000:]) from None
    assert page.evaluate("window.__sameDocument") is True  # live update, not a reload

    row.locator("a").click()
    page.wait_for_selector("#headline")
    frame = page.frame_locator("#report-frame")
    assert frame.locator("#actionable").is_visible()
    assert "SUCCEEDED" in page.inner_text("#state")
    assert all(r.startswith(served.url) for r in requests), [r for r in requests if not r.startswith(served.url)]
    assert errors == []
    sample_url = page.url
    context.close()

    viewer = browser.new_context().new_page()  # type: ignore[attr-defined]
    _log_in(viewer, served.url, "watcher")
    viewer.goto(sample_url)
    assert viewer.locator("#rerun").count() == 0  # no re-run button for a viewer
    status = viewer.evaluate("""async () => {
        const data = new URLSearchParams({reason: 'viewer tries', csrf: document.body.dataset.csrf});
        const r = await fetch(location.pathname + '/rerun', {method: 'POST', body: data});
        return r.status; }""")  # fmt: skip
    assert status == 403
    viewer.reload()
    assert "SUCCEEDED" in viewer.inner_text("#state")
    viewer.context.close()
