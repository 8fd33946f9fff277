"""``{sample}.xlsx``: the germline report as a workbook (Summary, Variants, Criteria, Panel).

Variants has the TSV's columns with numbers as numbers; Criteria one row per met criterion.
Written row after row as the somatic workbook (``report.write.workbook``; a panel's workbook is
small enough to be assembled in memory).
"""

from __future__ import annotations

from pathlib import Path

from oncodrop.report.germline.write.content import GermlineContent
from oncodrop.report.germline.write.tsv import GERMLINE_COLUMNS, tsv_rows
from oncodrop.report.write.workbook import Workbook, typed_value

_NUMERIC = frozenset({"pos", "depth", "allele_balance", "genotype_quality", "population_af",
                      "clinvar_stars", "acmg_score"})  # fmt: skip


def germline_xlsx_name(sample_id: str) -> str:
    return f"{sample_id}.xlsx"


def _typed(name: str, text: str) -> str | float | int | None:
    return typed_value(text, numeric=name in _NUMERIC, integer=True)


def write_germline_xlsx(content: GermlineContent, summary_line: str, out_dir: Path) -> Path:
    expected = len(content.findings) * 4 + len(content.panel.genes) + len(content.panel.secondary) + 30
    with Workbook(out_dir / germline_xlsx_name(content.sample_id), rows=expected) as book:
        ws = book.sheet("Summary")
        ws.header(("item", "value"))
        rows: list[tuple[str, object]] = [
            ("sample", content.sample_id),
            ("genome build", content.build),
            ("panel", f"{content.panel.name} ({len(content.panel.genes)} genes)"),
            ("secondary findings", "yes" if content.panel.secondary else "no"),
            ("bundle", f"{content.bundle.name} {content.bundle.version}"),
            ("bundle label", content.bundle.label),
            ("variants reported", len(content.findings)),
            *((f"class {code}", n) for code, n in content.class_counts.items()),
            ("summary", summary_line),
            *(("note", note) for note in content.notes),
        ]
        for row in rows:
            ws.append(row)
        ws = book.sheet("Variants")
        names = [name for name, _ in GERMLINE_COLUMNS]
        ws.header(names)
        for cells in tsv_rows(content):
            ws.append([_typed(n, v) for n, v in zip(names, cells, strict=True)])
        ws = book.sheet("Criteria")
        ws.header(("variant", "gene", "code", "points", "reason"))
        for f in content.findings:
            for c in f.acmg.criteria:
                ws.append([f.variant.key, f.gene, c.code, c.points, c.reason])
        ws = book.sheet("Panel")
        ws.header(("gene", "mechanism", "inheritance", "origin"))
        for g in content.panel.genes:
            ws.append([g.symbol, g.mechanism, g.inheritance, "panel"])
        for symbol in content.panel.secondary:
            ws.append([symbol, "", "", "secondary"])
    return book.path
