"""tiers.tsv: one row per finding in report order, clean cells."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.tsv import TIER_COLUMNS, tier_row, write_tiers_tsv


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_one_row_per_finding_in_tier_then_genomic_order(content: ReportContent, tmp_path: Path) -> None:
    path = write_tiers_tsv(content, tmp_path)
    assert path.name == "TEST-ABC123.tiers.tsv"
    rows = _rows(path)
    assert [(r["chrom"], r["tier"]) for r in rows] == [("7", "I"), ("17", "III"), ("X", "III"), ("1", "IV")]
    assert list(rows[0]) == ["sample_id", *(name for name, _ in TIER_COLUMNS)]


def test_braf_row_carries_evidence_therapies_and_oncogenicity(content: ReportContent, tmp_path: Path) -> None:
    braf = _rows(write_tiers_tsv(content, tmp_path))[0]
    assert braf["gene"] == "BRAF" and braf["hgvsp"] == "p.V600E"
    assert braf["therapies"] == "Dabrafenib;Trametinib"
    assert braf["evidence_ids"] == "EID95" and braf["evidence_levels"] == "A"
    assert braf["oncogenicity"] == "Oncogenic" and braf["oncogenicity_codes"] == "OS1;OS2;OS3"
    assert braf["vaf"] == "0.3" and braf["depth"] == "80" and braf["alt_depth"] == "24"
    assert braf["filter"] == "PASS"


def test_tabs_and_newlines_in_text_never_break_a_row(content: ReportContent, tmp_path: Path) -> None:
    first = content.findings[0]
    messy = replace(first, tier_reason="line one\nline\ttwo")
    rows = _rows(write_tiers_tsv(replace(content, findings=(messy,)), tmp_path))
    assert len(rows) == 1 and rows[0]["tier_reason"] == "line one line two"


def test_the_writers_row_function_says_what_the_column_table_says(content: ReportContent) -> None:
    """``tier_row`` (one call per row, the hot path) and ``TIER_COLUMNS`` (one getter per
    column, the readable table the workbook's headers come from) never drift apart."""
    for f in content.findings:
        assert tier_row(f) == [get(f) for _, get in TIER_COLUMNS]


def test_a_tab_inside_a_cell_is_cleaned_without_shifting_columns(content: ReportContent, tmp_path: Path) -> None:
    first = content.findings[0]
    messy = replace(first, tier_reason="a\tb", variant=replace(first.variant, dbsnp="rs1\t2"))
    rows = _rows(write_tiers_tsv(replace(content, findings=(messy,)), tmp_path))
    assert rows[0]["tier_reason"] == "a b" and rows[0]["dbsnp"] == "rs1 2" and rows[0]["filter"] == "PASS"
