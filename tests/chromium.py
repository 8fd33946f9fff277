"""Debian chromium driven by Playwright, for tests of the self-contained HTML reports.

Import as ``from chromium import open_page, browser_session, save_artifact`` (``tests/`` is on
``sys.path``, like ``waiting``). Outside CI a missing browser or Playwright skips the caller;
in CI (``CI=true``) it fails. Screenshots go to the test's own tmp dir and are copied to
``tests/artifacts/`` (ignored by git) so a reviewer can look at them after a run.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from waiting import IN_CI, require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).parent / "artifacts"


def skip_without_browser() -> None:
    """Skip the calling module outside CI when chromium or Playwright is missing."""
    if IN_CI:
        return
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (`apt-get install chromium`)",
                    allow_module_level=True)  # fmt: skip
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed", allow_module_level=True)


@contextmanager
def browser_session() -> Iterator[Browser]:
    require(CHROMIUM.exists(), "Debian chromium is not installed at /usr/bin/chromium (`apt-get install chromium`)")
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Loaded:
    """A page with the URLs it requested and the script errors it raised."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def open_page(browser: Browser, path: Path, width: int = 1280) -> Iterator[Loaded]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    loaded = Loaded(page)
    page.on("request", lambda r: loaded.requests.append(r.url))
    page.on("pageerror", lambda e: loaded.errors.append(str(e)))
    page.on("console", lambda m: loaded.errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    try:
        yield loaded
    finally:
        page.close()


def save_artifact(page: Page, selector: str, out_dir: Path, name: str) -> Path:
    """Screenshot of ``selector`` (the whole page for ``"page"``) as ``out_dir/name.png``,
    copied to ``tests/artifacts/``; the sticky nav is unpinned so it hides nothing."""
    page.add_style_tag(content="nav { position: static !important; }")
    path = out_dir / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
    if selector == "page":
        page.screenshot(path=str(path), full_page=True)
    else:
        page.locator(selector).screenshot(path=str(path))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / path.name)
    return path
