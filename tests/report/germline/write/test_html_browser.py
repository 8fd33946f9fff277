"""The germline report.html in real Chromium: no script errors, no request but itself, every
table sortable, the variant table's class filter still right after a sort. Screenshots land in
tmp and tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from chromium import browser_session, open_page, save_artifact, skip_without_browser

from oncodrop.demo.synth import write_synthetic_vcf

from ..test_engine import CLINVAR, SYNTHETIC, run

pytestmark = [pytest.mark.browser]
skip_without_browser()


def test_germline_tables_sort_and_the_class_filter_survives_a_sort(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    vcf = write_synthetic_vcf(tmp_path / "n.vcf.gz", SYNTHETIC, samples=("NORMAL",), build="grch38")
    out = tmp_path / "out"
    run(vcf, make_bundle(clinvar=CLINVAR), out)
    with browser_session() as browser, open_page(browser, out / "report.html") as loaded:
        pg = loaded.page
        table = pg.locator("#variant-table")
        assert table.locator("th.sortable").count() == table.locator("thead th").count()
        assert pg.locator("#variants .table-tools").count() == 0  # its own class and text filters
        points = table.locator("thead th", has_text="Points")
        points.click()
        points.click()
        scores = [float(t) for t in table.locator("tbody tr td:nth-child(13)").all_inner_texts()]
        assert scores == sorted(scores, reverse=True) and len(scores) == 4
        pg.select_option("#class-filter", "P")
        assert table.locator("tbody tr:visible td:nth-child(2)").all_inner_texts() == ["BRCA2"]
        brca2 = table.locator("tbody tr:visible")
        assert brca2.locator("a", has_text="ClinVar").get_attribute("href") == \
            "https://www.ncbi.nlm.nih.gov/clinvar/variation/9322/"
        others = pg.locator("main table:not(#variant-table)")
        assert pg.locator(".table-tools").count() == others.count() >= 3
        save_artifact(pg, "page", tmp_path, "germline-report")
        assert loaded.errors == []
        assert loaded.requests == [(out / "report.html").as_uri()]
