"""The cancer hotspots release read as published (hotspots_v2.xls, Excel 97), re-saved as
.xlsx, or as a TSV export of its SNV sheet: the same hotspots from each."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from upstream_fixtures import HOTSPOT_HEADER, HOTSPOT_ROWS, write_hotspots_xls

from oncodrop.errors import BundleError
from oncodrop.refdata.hotspots import hotspot_rows, is_workbook
from oncodrop.refdata.knowledge import hotspots_from_cancerhotspots


def _table(hotspots: tuple) -> dict[tuple[str, int, str | None], int]:
    return {(h.gene, h.codon, h.hgvsp): h.count for h in hotspots}


def test_the_published_xls_workbook_gives_residue_and_allele_counts(tmp_path: Path) -> None:
    xls = write_hotspots_xls(tmp_path / "download.tmp")  # a download lands under any name
    assert is_workbook(xls)
    table = _table(hotspots_from_cancerhotspots(xls))
    assert table[("BRAF", 600, None)] == 897 and table[("BRAF", 600, "p.V600E")] == 833
    assert table[("KRAS", 12, "p.G12D")] == 977 and table[("KRAS", 12, "p.G12C")] == 290
    assert not any(gene == "EGFR" for gene, _, _ in table)  # INDEL sheet and indel rows are not read


def test_xlsx_and_tsv_exports_give_the_same_hotspots(tmp_path: Path) -> None:
    expected = _table(hotspots_from_cancerhotspots(write_hotspots_xls(tmp_path / "h.xls")))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "SNV-hotspots"
    sheet.append(HOTSPOT_HEADER.split("\t"))
    for row in HOTSPOT_ROWS:
        sheet.append([int(v) if v.lstrip("-").isdigit() else v for v in row])
    book.save(tmp_path / "h.xlsx")
    (tmp_path / "h.tsv").write_text("\n".join([HOTSPOT_HEADER, *("\t".join(r) for r in HOTSPOT_ROWS)]) + "\n")
    assert _table(hotspots_from_cancerhotspots(tmp_path / "h.xlsx")) == expected
    assert _table(hotspots_from_cancerhotspots(tmp_path / "h.tsv")) == expected
    assert not is_workbook(tmp_path / "h.tsv")


def test_rows_keep_their_spreadsheet_line_numbers_and_integer_text(tmp_path: Path) -> None:
    rows = list(hotspot_rows(write_hotspots_xls(tmp_path / "h.xls")))
    assert [(r.line, r.get("Hugo_Symbol"), r.get("Amino_Acid_Position")) for r in rows][:2] == [
        (2, "BRAF", "600"), (3, "KRAS", "12"),
    ]


def test_a_workbook_without_the_hotspot_columns_names_its_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["gene", "count"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(BundleError, match=r"other.xlsx: no sheet of the workbook \(Summary\) has the columns Hugo_Symbol"):
        hotspots_from_cancerhotspots(tmp_path / "other.xlsx")
