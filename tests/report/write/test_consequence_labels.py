"""One label per consequence across the outputs: a variant without annotation is
``not_annotated`` in the TSV, the MAF, the summary JSON and the HTML, and never IGR."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

from oncodrop.domain.classification import Tier
from oncodrop.domain.consequences import NOT_ANNOTATED
from oncodrop.report.maf import write_maf
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.html import render_html
from oncodrop.report.write.summary import build_summary, headline
from oncodrop.report.write.tsv import write_tiers_tsv

KEY = "1:5000:C>A"  # the conftest finding without consequence annotation


def _content(content: ReportContent) -> ReportContent:
    """The unannotated finding promoted to Tier II, so the summary JSON lists it too."""
    findings = tuple(
        replace(f, tier=Tier.II) if f.variant.key == KEY else f for f in content.findings
    )
    assert any(f.variant.key == KEY and f.variant.consequence is None for f in findings)
    return replace(content, findings=findings)


def test_unannotated_variant_has_the_same_label_in_tsv_maf_json_and_html(
    content: ReportContent, tmp_path: Path
) -> None:
    content = _content(content)
    tsv = write_tiers_tsv(content, tmp_path)
    rows = list(csv.DictReader(tsv.read_text().splitlines(), delimiter="\t"))
    tsv_row = next(r for r in rows if (r["chrom"], r["pos"]) == ("1", "5000"))

    maf = write_maf(content.findings, tmp_path / "s.maf", sample_id="S", build="grch38")
    maf_rows = list(csv.DictReader(maf.read_text().splitlines()[1:], delimiter="\t"))
    maf_row = next(r for r in maf_rows if r["vcf_pos"] == "5000")

    head = headline(content)
    summary = json.loads(build_summary(content, head.summary_line, []).model_dump_json())
    json_row = next(f for f in summary["tier2"] if f["key"] == KEY)

    html = render_html(content, head)
    data = re.search(r'id="variant-data">(.*?)</script>', html, re.DOTALL)
    assert data is not None
    table = json.loads(data.group(1))
    html_row = next(r for r in table["rows"] if r[0] == KEY)
    html_label = table["columns"][2]["codes"][html_row[2]]

    labels = {tsv_row["consequence"], maf_row["Consequence"], json_row["consequence"], html_label}
    assert labels == {NOT_ANNOTATED}
    assert f"{KEY.replace('>', '&gt;')} · {NOT_ANNOTATED}" in html  # the finding card says the same
    assert maf_row["Variant_Classification"] == "Targeted_Region"
    assert "IGR" not in maf_row.values()
    assert "intergenic" not in json.dumps([tsv_row, maf_row, json_row])
