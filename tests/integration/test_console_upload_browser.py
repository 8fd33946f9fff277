"""Uploads in real Chromium. With an S3 store (moto_server, with a CORS rule for the console's
origin) the upload page asks the console for a presigned POST and posts the tarball straight to
the bucket; with a folder store it posts to the console. A badly named file is never sent."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import moto_fixture
import pytest
import uvicorn
from waiting import scaled, wait_for

from oncodrop.domain.access import Role
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.store.s3 import s3_client
from oncodrop.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.integration]
moto_endpoint = moto_fixture.moto_endpoint

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PASSWORD = "a long enough password"
V053 = "pcgr/v0.5.3"

if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3_console(tmp_path: Path, moto_endpoint: str) -> Iterator[tuple[str, str]]:
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    bucket = f"onco-{uuid.uuid4().hex[:12]}"
    s3 = s3_client(moto_endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["POST"], "AllowedOrigins": [origin], "AllowedHeaders": ["*"]}]})  # fmt: skip
    settings = Settings.load(db=f"sqlite:///{tmp_path / 'ledger.db'}", store=f"s3://{bucket}",
                             aws__s3_endpoint_url=moto_endpoint)  # fmt: skip
    yield from _serve(settings, port, bucket)


@pytest.fixture
def folder_console(tmp_path: Path) -> Iterator[tuple[str, str]]:
    (tmp_path / "bucket").mkdir()
    settings = Settings.load(db=f"sqlite:///{tmp_path / 'ledger.db'}", store=(tmp_path / "bucket").as_uri())
    yield from _serve(settings, _free_port(), str(tmp_path / "bucket"))


def _serve(settings: Settings, port: int, where: str) -> Iterator[tuple[str, str]]:
    with Ledger.open(settings.db) as ledger:
        access.set_account(ledger.engine, ledger.now(), "op", PASSWORD, Role.SUBMITTER)
        server = uvicorn.Server(uvicorn.Config(create_app(settings, ledger), host="127.0.0.1", port=port,
                                               log_level="warning"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            wait_for(lambda: server.started, scaled(30), "uvicorn to start")
            yield f"http://127.0.0.1:{port}", where
        finally:
            server.should_exit = True
            thread.join(timeout=scaled(30))


def _upload(url: str, files: list[Path]) -> str:
    """Log in, drop ``files`` on the upload page (folder projA), return the page's upload list
    once the good one is through."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{url}/upload")
            page.fill("#username", "op")
            page.fill("#password", PASSWORD)
            page.click("#login")
            page.wait_for_selector("#upload-form")
            page.fill("#prefix", "projA")
            page.set_input_files("#file", [str(f) for f in files])
            page.wait_for_selector("#uploads .uploaded", timeout=scaled(60) * 1000)
            refusals = [e for e in errors if "Content Security Policy" in e or "CORS" in e or "blocked" in e]
            assert not refusals, refusals  # (the login page's 401 and a missing favicon are expected)
            text: str = page.inner_text("#uploads")
            return text
        finally:
            browser.close()


def _tarballs(testdata: Path, tmp_path: Path) -> tuple[Path, Path]:
    src = testdata / V053
    tarball = pack_sample(tmp_path / "brca-a1b2c3-somatic.tar.gz", src / "tumor_sample.BRCA.vcf.gz",
                          src / "pcgr_configuration_examples.toml", index=src / "tumor_sample.BRCA.vcf.gz.tbi")  # fmt: skip
    badly_named = tmp_path / "brca-somatic.tar.gz"
    badly_named.write_bytes(tarball.read_bytes())
    return tarball, badly_named


def test_the_browser_posts_a_tarball_straight_to_the_bucket(
    s3_console: tuple[str, str], moto_endpoint: str, testdata: Path, tmp_path: Path
) -> None:
    url, bucket = s3_console
    tarball, badly_named = _tarballs(testdata, tmp_path)
    text = _upload(url, [tarball, badly_named])
    assert "uploaded as projA/brca-a1b2c3-somatic.tar.gz (checked by the service on arrival)" in text
    assert "brca-somatic.tar.gz not sent" in text
    stored = s3_client(moto_endpoint).get_object(Bucket=bucket, Key="projA/brca-a1b2c3-somatic.tar.gz")
    assert stored["Body"].read() == tarball.read_bytes()
    listed = s3_client(moto_endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [o["Key"] for o in listed] == ["projA/brca-a1b2c3-somatic.tar.gz"]


def test_with_a_folder_store_the_browser_uploads_through_the_console(
    folder_console: tuple[str, str], testdata: Path, tmp_path: Path
) -> None:
    url, folder = folder_console
    tarball, badly_named = _tarballs(testdata, tmp_path)
    text = _upload(url, [tarball, badly_named])
    assert "uploaded as projA/brca-a1b2c3-somatic.tar.gz" in text and "checked by the service" not in text
    assert (Path(folder) / "projA" / tarball.name).read_bytes() == tarball.read_bytes()
