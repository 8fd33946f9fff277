"""report.html's tables in real Chromium: the evidence "Show n more" button reveals exactly the
rows it counts, every server-rendered table filters and sorts, link columns are links, and the
page requests nothing but itself. Screenshots land in tmp and tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from chromium import Loaded, browser_session, open_page, save_artifact, skip_without_browser

from oncodrop.domain.classification import Finding
from oncodrop.domain.copynumber import CnaCall, Segment
from oncodrop.domain.evidence import EvidenceMatch, MatchLevel
from oncodrop.report.write.content import CalledSegment, ReportContent
from oncodrop.report.write.html import EVIDENCE_SHOWN, render_html
from oncodrop.report.write.summary import headline

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser]
skip_without_browser()

MELANOMA_ITEMS = EVIDENCE_SHOWN + 3


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with browser_session() as chromium:
        yield chromium


def _rich(content: ReportContent) -> ReportContent:
    """The writer fixture with BRAF carrying 11 melanoma and 2 colorectal items, database ids,
    a population AF, and a genome with a CN 24 focal amplification."""
    braf: Finding = content.findings[0]
    base = braf.evidence[0].evidence
    melanoma = tuple(EvidenceMatch(replace(base, evidence_id=f"EID{100 + i}", therapies=(f"Drug{i:02d}",)),
                                   MatchLevel.HGVSP) for i in range(MELANOMA_ITEMS))  # fmt: skip
    colorectal = tuple(EvidenceMatch(replace(base, evidence_id=f"EID{200 + i}", disease="Colorectal Cancer",
                                             primary_site="Colon/Rectum", therapies=("Encorafenib", "Cetuximab")),
                                     MatchLevel.HGVSP) for i in range(2))  # fmt: skip
    variant = replace(braf.variant, dbsnp="rs113488022", cosmic="COSV56056643", population_af=0.00002,
                      population_checked=True, predictions=(("SIFT", "deleterious(0)"),))  # fmt: skip
    braf = replace(braf, variant=variant, evidence=melanoma + colorectal, gene_role="oncogene")
    segments = (
        CalledSegment(Segment("1", 1, 110_000_000, total_cn=2.0), CnaCall.NEUTRAL),
        CalledSegment(Segment("1", 115_240_000, 115_280_000, total_cn=24.0), CnaCall.AMPLIFICATION),
        CalledSegment(Segment("17", 37_800_000, 37_900_000, total_cn=9.0), CnaCall.AMPLIFICATION),
        CalledSegment(Segment("17", 1, 20_000_000, total_cn=1.0), CnaCall.HETDEL),
    )  # fmt: skip
    return replace(content, findings=(braf, *content.findings[1:]), cna_segments=segments)


@pytest.fixture
def page(browser: Browser, content: ReportContent, tmp_path: Path) -> Iterator[Loaded]:
    rich = _rich(content)
    path = tmp_path / "report.html"
    path.write_text(render_html(rich, headline(rich)), encoding="utf-8")
    with open_page(browser, path) as loaded:
        yield loaded
    assert loaded.errors == []
    assert loaded.requests == [path.as_uri()]


def test_show_more_reveals_exactly_the_rows_it_counts(page: Loaded, tmp_path: Path) -> None:
    pg = page.page
    group = pg.locator(".evidence-group").first
    assert "This tumour type (Skin) or pan-cancer" in group.locator("h4").inner_text()
    rows = group.locator("tbody tr")
    assert rows.count() == MELANOMA_ITEMS
    button = group.locator("button.more")
    assert button.inner_text() == "Show 3 more"
    assert group.locator("tbody tr:visible").count() == EVIDENCE_SHOWN
    save_artifact(pg, "#actionable", tmp_path, "synthetic-actionable-collapsed")
    button.click()
    assert group.locator("tbody tr:visible").count() == MELANOMA_ITEMS
    assert button.inner_text() == "Show fewer"
    other = pg.locator(".evidence-group").nth(1)
    assert "Other tumour types" in other.locator("h4").inner_text()
    assert other.locator("button.more").count() == 0 and other.locator("tbody tr:visible").count() == 2
    save_artifact(pg, "#actionable", tmp_path, "synthetic-actionable-expanded")


def test_filtering_an_evidence_table_searches_hidden_rows_too(page: Loaded) -> None:
    group = page.page.locator(".evidence-group").first
    group.locator("input.table-filter").fill("drug10")  # the 11th item: beyond the first 8
    assert group.locator("tbody tr:visible").all_inner_texts()[0].startswith("Drug10")
    assert group.locator("tbody tr:visible").count() == 1
    assert group.locator(".table-count").inner_text() == f"1 of {MELANOMA_ITEMS} rows shown"


def test_every_server_rendered_table_gets_a_filter_and_sortable_headers(page: Loaded, tmp_path: Path) -> None:
    pg = page.page
    tables = pg.locator("main table:not([data-js-table])")
    assert tables.count() >= 8
    assert pg.locator(".table-tools").count() == tables.count()
    assert pg.locator("main table:not([data-js-table]) th.sortable").count() == \
        pg.locator("main table:not([data-js-table]) thead th").count()
    qc = pg.locator("table.qc-counts").nth(1)  # by consequence
    header = qc.locator("thead th", has_text="Consequence")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    names = qc.locator("tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    variants = qc.locator("thead th", has_text="Variants")
    variants.click()
    counts = [int(t) for t in qc.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert counts == sorted(counts)
    variants.click()
    assert [int(t) for t in qc.locator("tbody tr td:nth-child(2)").all_inner_texts()] == sorted(counts, reverse=True)
    save_artifact(pg, "#qc", tmp_path, "synthetic-qc")
    save_artifact(pg, "#tier34", tmp_path, "synthetic-tier34")


def test_variant_table_links_ids_and_card_links_databases(page: Loaded) -> None:
    pg = page.page
    link = pg.locator("#variant-table tbody a", has_text="rs113488022")
    assert link.get_attribute("href") == "https://www.ncbi.nlm.nih.gov/snp/rs113488022"
    cosmic = pg.locator("#variant-table tbody a", has_text="COSV56056643")
    assert cosmic.get_attribute("href") == "https://cancer.sanger.ac.uk/cosmic/search?q=COSV56056643"
    card = pg.locator("#actionable .finding").first
    assert card.locator("a", has_text="gnomAD").get_attribute("href") == \
        "https://gnomad.broadinstitute.org/variant/7-140453136-A-T?dataset=gnomad_r4"
    assert "population AF: 2e-05" in card.locator(".facts").inner_text()


def test_cna_plot_draws_cn_24_below_the_axis_top_and_wide_enough_to_see(page: Loaded, tmp_path: Path) -> None:
    pg = page.page
    focal = pg.locator("#cna svg rect[data-value='24']")
    box = focal.bounding_box()
    plot = pg.locator("#cna svg").bounding_box()
    assert box is not None and plot is not None
    assert box["width"] >= 2  # a 40 kb segment is still a visible mark at 1280 px
    ticks = pg.locator("#cna svg text").all_text_contents()
    assert "32" in ticks and "24" not in ticks  # axis to 32 on a log scale; 24 is drawn, not capped at 8
    save_artifact(pg, "#cna", tmp_path, "synthetic-cna")


def test_copy_number_card_and_its_cna_table_row_link_to_each_other(page: Loaded, tmp_path: Path) -> None:
    """The fixture's Tier I ERBB2 amplification is a card among the actionable findings; its link
    brings the copy-number section's row into view below the sticky nav, and the row links back."""
    pg = page.page
    card = pg.locator("#actionable-cna-ERBB2")
    assert card.locator(".head b").inner_text() == "ERBB2 amplification"
    assert card.locator(".head .tier").inner_text() == "I"
    assert card.locator("tbody tr").first.locator("td").first.inner_text() == "Trastuzumab"
    in_view = """id => { const r = document.getElementById(id).getBoundingClientRect();
                         const nav = document.querySelector("nav").getBoundingClientRect();
                         return r.top >= nav.bottom - 1 && r.top < innerHeight; }"""
    assert pg.evaluate(in_view, "cna-ERBB2") is False  # far below the cards at first
    card.locator("a[href='#cna-ERBB2']").click()
    pg.wait_for_function("location.hash === '#cna-ERBB2'")
    assert pg.evaluate(in_view, "cna-ERBB2") is True
    pg.locator("#cna-ERBB2 a[href='#actionable-cna-ERBB2']").click()
    pg.wait_for_function("location.hash === '#actionable-cna-ERBB2'")
    assert pg.evaluate(in_view, "actionable-cna-ERBB2") is True
    save_artifact(pg, "#actionable-cna-ERBB2", tmp_path, "synthetic-actionable-cna")
