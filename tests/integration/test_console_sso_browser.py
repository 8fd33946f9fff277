"""Single sign-on in real Chromium: the console (uvicorn on 127.0.0.1) sends the browser to the
small OIDC provider of the tests, which sends it back with a code; the browser ends up logged
in with the role its groups map to, its cookies as the console set them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, oidc_provider  # noqa: F401 - fixture
from waiting import scaled, wait_for

from oncodrop.ledger import Ledger
from oncodrop.settings import Settings
from oncodrop.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def console_url(tmp_path: Path, oidc_provider: OidcProvider) -> Iterator[str]:  # noqa: F811
    (tmp_path / "bucket").mkdir()
    settings = Settings.load(db=f"sqlite:///{tmp_path / 'ledger.db'}", store=(tmp_path / "bucket").as_uri(),
                             oidc__issuer=oidc_provider.issuer, oidc__client_id=CLIENT_ID,
                             oidc__client_secret=CLIENT_SECRET, oidc__display_name="Lab SSO",
                             oidc__roles=("onco-submitters=submitter",))  # fmt: skip
    port = _free_port()
    with Ledger.open(settings.db) as ledger:
        server = uvicorn.Server(uvicorn.Config(create_app(settings, ledger), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="on"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            wait_for(lambda: server.started, scaled(30), "uvicorn to start")
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=scaled(30))


def test_a_browser_logs_in_through_the_provider_and_gets_its_role(console_url: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            page.goto(f"{console_url}/upload")
            page.click("#sso")  # console -> provider -> console callback -> /upload
            page.wait_for_selector("#who", timeout=scaled(30) * 1000)
            assert page.url == f"{console_url}/upload"
            assert "ana@lab.example (submitter)" in page.inner_text("#who")
            cookies = {c["name"]: c for c in page.context.cookies()}
            session = cookies["oncodrop_session"]
            assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"
            assert "oncodrop_oidc" not in cookies  # the flow cookie is gone once used
        finally:
            browser.close()
