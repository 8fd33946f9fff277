"""The workbook: the same facts as the TSV and summary, in sheets people open."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from oncodrop.domain.classification import Finding, Tier
from oncodrop.report.write import xlsx
from oncodrop.report.write.content import ReportContent


def test_workbook_has_summary_evidence_variants_cna_and_signature_sheets(
    content: ReportContent, tmp_path: Path
) -> None:
    path = xlsx.write_xlsx(content, "Tier I: 1", tmp_path)
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["Summary", "Evidence", "Variants", "CNA", "Signatures", "Kataegis"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Tier I"] == 1 and summary["TMB (mut/Mb)"] == 12.5 and summary["MSI"] == "MSS"
    evidence = list(wb["Evidence"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3], r[4], r[8]) for r in evidence] == [
        ("BRAF", "p.V600E", "EID95", "A", "Dabrafenib; Trametinib")
    ]
    variants = list(wb["Variants"].iter_rows(values_only=True))
    assert variants[0][:3] == ("chrom", "pos", "ref")
    assert variants[1][:2] == ("7", 140453136)  # numbers stay numbers
    assert [r[0] for r in wb["CNA"].iter_rows(min_row=2, values_only=True)] == ["ERBB2", "TP53"]
    sig = [r for r in wb["Signatures"].iter_rows(min_row=2, values_only=True) if r and r[0]]
    assert sig[0][0] == "SBS1"
    wb.close()


def test_variant_sheet_is_capped_with_a_note_pointing_to_the_tsv(
    content: ReportContent, tmp_path: Path, make_finding: Callable[..., Finding],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(xlsx, "XLSX_MAX_VARIANT_ROWS", 10)
    many = tuple(make_finding("3", 100 + i, "C", "T", "G", None, Tier.IV) for i in range(25))
    wb = load_workbook(xlsx.write_xlsx(replace(content, findings=many), "", tmp_path), read_only=True)
    rows = list(wb["Variants"].iter_rows(values_only=True))
    assert rows[0][0].startswith("Showing 10 of 25 variants") and "TEST-ABC123.tiers.tsv" in rows[0][0]
    assert len(rows) == 12  # note + header + 10
    wb.close()


def test_workbook_bytes_carry_no_timestamp(content: ReportContent, tmp_path: Path) -> None:
    path = xlsx.write_xlsx(content, "", tmp_path)
    with zipfile.ZipFile(path) as z:
        # one fixed date before any real run (xlsxwriter writes 1980-01-31), never "now"
        assert {info.date_time[0] for info in z.infolist()} == {1980}
        assert len({info.date_time for info in z.infolist()}) == 1
        core = z.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2
    first = path.read_bytes()
    assert xlsx.write_xlsx(content, "", tmp_path).read_bytes() == first
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames[0] == "Summary"
    wb.close()
