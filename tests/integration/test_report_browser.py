"""report.html in a real browser (Debian chromium via Playwright): sections visible, the
variant table sorts, filters and pages, and the page makes no request but for itself."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from waiting import IN_CI, require

from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import SampleConfig, SampleSection

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

Loaded = tuple["Page", list[str], list[str]]  # the page, the URLs it requested, its JS errors

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SECTIONS = ("#demo-banner", "#headline", "#actionable", "#oncogenic", "#variants", "#cna",
            "#signatures", "#kataegis", "#qc", "#settings", "#methods")  # fmt: skip

# Outside CI a missing browser skips the module; in CI (CI=true) each test fails instead.
if not IN_CI and not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium (`apt-get install chromium`)",
                allow_module_level=True)
try:
    from playwright import sync_api
except ImportError:
    if not IN_CI:
        pytest.skip("playwright is not installed", allow_module_level=True)
    sync_api = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, testdata: Path, demo_bundle: Path) -> Path:
    """The real BRCA (VEP 85) report with CNA, made with the demo bundle."""
    root = tmp_path_factory.mktemp("browser")
    request = ReportRequest(
        vcf=testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz",
        config=SampleConfig(sample=SampleSection(tumor_site="Breast")),
        bundle=demo_bundle,
        out_dir=root / "out",
        sample_id="BRCA",
        cna=testdata / "pcgr/v2.3.2/T001-BRCA.grch37.cna.tsv",
    )
    SomaticReporter().run(request)
    return root / "out"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM.exists(), "Debian chromium is not installed at /usr/bin/chromium (`apt-get install chromium`)")
    require(sync_api is not None, "playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[Loaded]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((report / "report.html").as_uri())
    yield page, requests, errors
    page.close()


def _genes_on_page(page: Page) -> list[str]:
    return page.locator("#variant-table tbody tr td:nth-child(2)").all_inner_texts()


def test_key_sections_are_visible_and_nothing_but_the_file_is_requested(page: Loaded, report: Path) -> None:
    pg, requests, errors = page
    for selector in SECTIONS:
        assert pg.locator(selector).is_visible(), selector
    assert "PIK3CA p.H1047R" in pg.locator("#actionable").inner_text()
    assert pg.locator("#signatures svg").count() == 2 and pg.locator("#qc svg").count() == 2
    pg.screenshot(path=str(report / "screenshot.png"))
    assert requests == [(report / "report.html").as_uri()]
    assert errors == []


def test_table_pages_through_all_variants(page: Loaded, report: Path) -> None:
    pg, _, _ = page
    assert pg.locator("#variant-table tbody tr").count() == 100
    assert pg.locator("#variant-count").inner_text() == "199 of 199 variants"
    pg.click("#next")
    assert pg.locator("#variant-table tbody tr").count() == 99
    assert pg.locator("#page-label").inner_text() == "page 2 of 2"


def test_typing_a_gene_or_choosing_a_tier_filters_the_table(page: Loaded) -> None:
    pg, _, _ = page
    pg.fill("#variant-filter", "tp53")
    assert _genes_on_page(pg) == ["TP53"]
    pg.fill("#variant-filter", "")
    pg.select_option("#tier-filter", "I")
    assert _genes_on_page(pg) == ["PIK3CA"]
    assert pg.locator("#variant-count").inner_text() == "1 of 199 variants"


def test_clicking_a_header_sorts_and_clicking_again_reverses(page: Loaded, report: Path) -> None:
    pg, _, _ = page
    with (report / "BRCA.tiers.tsv").open(newline="") as fh:
        genes = sorted(r["gene"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if r["gene"])
    header = pg.locator("#variant-table thead th", has_text="Gene")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _genes_on_page(pg)[:3] == genes[:3]
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert _genes_on_page(pg)[:3] == genes[::-1][:3]
