"""report.html in a real browser (Debian chromium via Playwright): sections visible, the
variant table sorts, filters and pages, and the page makes no request but for itself."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from chromium import browser_session, open_page, save_artifact, skip_without_browser

from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import SampleConfig, SampleSection

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECTIONS = ("#demo-banner", "#headline", "#actionable", "#oncogenic", "#tier34", "#variants", "#cna",
            "#signatures", "#kataegis", "#qc", "#settings", "#methods")  # fmt: skip

skip_without_browser()


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
    with browser_session() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[tuple[Page, list[str], list[str]]]:
    with open_page(browser, report / "report.html") as loaded:
        yield loaded.page, loaded.requests, loaded.errors


def _genes_on_page(page: Page) -> list[str]:
    return page.locator("#variant-table tbody tr td:nth-child(2)").all_inner_texts()


def test_key_sections_are_visible_and_nothing_but_the_file_is_requested(page: tuple[Page, list[str], list[str]], report: Path) -> None:
    pg, requests, errors = page
    for selector in SECTIONS:
        assert pg.locator(selector).is_visible(), selector
    assert "PIK3CA p.H1047R" in pg.locator("#actionable").inner_text()
    assert pg.locator("#signatures svg").count() == 2 and pg.locator("#qc svg").count() == 2
    assert requests == [(report / "report.html").as_uri()]
    assert errors == []
    save_artifact(pg, "page", report, "brca-report")
    for section in ("#headline", "#actionable", "#oncogenic", "#tier34", "#cna", "#signatures", "#qc"):
        save_artifact(pg, section, report, f"brca-{section[1:]}")


def test_table_pages_through_all_variants(page: tuple[Page, list[str], list[str]], report: Path) -> None:
    pg, _, _ = page
    assert pg.locator("#variant-table tbody tr").count() == 100
    assert pg.locator("#variant-count").inner_text() == "199 of 199 variants"
    pg.click("#next")
    assert pg.locator("#variant-table tbody tr").count() == 99
    assert pg.locator("#page-label").inner_text() == "page 2 of 2"


def test_typing_a_gene_or_choosing_a_tier_filters_the_table(page: tuple[Page, list[str], list[str]]) -> None:
    pg, _, _ = page
    pg.fill("#variant-filter", "tp53")
    assert _genes_on_page(pg) == ["TP53"]
    pg.fill("#variant-filter", "")
    pg.select_option("#tier-filter", "I")
    assert _genes_on_page(pg) == ["PIK3CA"]
    assert pg.locator("#variant-count").inner_text() == "1 of 199 variants"


def test_clicking_a_header_sorts_and_clicking_again_reverses(page: tuple[Page, list[str], list[str]], report: Path) -> None:
    pg, _, _ = page
    with (report / "BRCA.tiers.tsv").open(newline="") as fh:
        genes = sorted(r["gene"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if r["gene"])
    header = pg.locator("#variant-table thead th", has_text=re.compile("^Gene$"))
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _genes_on_page(pg)[:3] == genes[:3]
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert _genes_on_page(pg)[:3] == genes[::-1][:3]


def test_nras_cn_24_is_drawn_at_24_on_a_log_axis(page: tuple[Page, list[str], list[str]]) -> None:
    """T001-BRCA's NRAS segment has total CN 24: drawn at its value, above CN 16, below the top."""
    pg, _, errors = page
    svg = pg.locator("#cna svg")
    nras = svg.locator("rect[data-value='24']").first
    assert "24 (amplification)" in (nras.locator("title").text_content() or "")
    ticks = {t: svg.locator("text", has_text=t).first.bounding_box() for t in ("16", "32")}
    box = nras.bounding_box()
    assert box is not None and all(ticks.values())
    centre = box["y"] + box["height"] / 2
    assert ticks["32"]["y"] < centre < ticks["16"]["y"] + ticks["16"]["height"]  # type: ignore[index]
    assert box["width"] >= 2 and errors == []


def test_every_table_outside_the_variant_table_filters_and_sorts(page: tuple[Page, list[str], list[str]]) -> None:
    pg, _, _ = page
    tables = pg.locator("main table:not([data-js-table])")
    assert pg.locator(".table-tools").count() == tables.count() >= 8
    calls = pg.locator("#cna table").nth(1)
    box = pg.locator("#cna .table-tools").nth(1).locator("input.table-filter")
    box.fill("amplification")
    assert sorted(calls.locator("tbody tr:visible td:first-child").all_inner_texts()) == ["ERBB2", "NRAS"]
    box.fill("")
    header = calls.locator("thead th", has_text="Total CN")
    header.click()
    header.click()
    assert calls.locator("tbody tr td:first-child").first.inner_text() == "NRAS"  # CN 24, descending
