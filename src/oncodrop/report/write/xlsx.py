"""``{sample}.xlsx``: the report as a workbook for people who live in spreadsheets.

Sheets: Summary, Evidence (one row per evidence item of Tier I/II findings), Variants (the TSV
columns, numbers as numbers), CNA, Signatures, Kataegis. Variants is capped at ``XLSX_MAX_VARIANT_ROWS``
(Tier I–III always included first): a whole-genome sample's 100k rows would take longer to write
than the rest of the report; the TSV always has every row and the sheet says so.

Written with xlsxwriter in constant-memory mode (rows go to disk as they come; 3-4x faster
than openpyxl's write-only mode, which spent a fifth of a 100k-variant report on 10k rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from oncodrop.domain.classification import Tier
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.tsv import TIER_COLUMNS, tier_row, tiers_tsv_name

XLSX_MAX_VARIANT_ROWS = 10_000
_NUMERIC = frozenset(
    {"pos", "oncogenicity_score", "depth", "alt_depth", "vaf", "normal_depth", "normal_vaf",
     "population_af"}
)
_EVIDENCE_HEADER = (
    "gene", "variant", "tier", "evidence_id", "level", "type", "direction", "significance",
    "therapies", "disease", "primary_site", "match", "citation",
)


def xlsx_name(sample_id: str) -> str:
    return f"{sample_id}.xlsx"


class _Sheet:
    """An xlsxwriter worksheet written row after row (``append`` as openpyxl's write-only)."""

    def __init__(self, book: Any, name: str, bold: Any) -> None:
        self._ws = book.add_worksheet(name)
        self._bold = bold
        self._row = 0

    def append(self, values: Sequence[object]) -> None:
        if values:
            self._ws.write_row(self._row, 0, values)
        self._row += 1

    def header(self, names: Iterable[str]) -> None:
        self._ws.write_row(self._row, 0, list(names), self._bold)
        self._row += 1


def bold_header(ws: WriteOnlyWorksheet, names: Iterable[str]) -> None:
    """Append a bold header row to an openpyxl write-only sheet (the germline workbook)."""
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)


def typed_value(text: str, *, numeric: bool, integer: bool = False) -> str | float | int | None:
    """A TSV cell as the workbook should hold it: empty → blank, numbers as numbers."""
    if text == "":
        return None
    if numeric:
        number = float(text)
        return int(number) if integer and number.is_integer() else number
    return text


def _summary_sheet(ws: _Sheet, content: ReportContent, summary_line: str) -> None:
    counts = content.tier_counts
    rows: list[tuple[str, object]] = [
        ("sample", content.sample_id),
        ("genome build", content.build),
        ("tumour site", content.config.sample.tumor_site or "any"),
        ("bundle", f"{content.bundle.name} {content.bundle.version}"),
        ("bundle label", content.bundle.label),
        ("variants read", content.read_stats.records),
        ("variants passing filters", content.read_stats.passing),
        *((f"Tier {t}", counts[t]) for t in ("I", "II", "III", "IV")),
        ("TMB (mut/Mb)", content.tmb.value if content.tmb.value is not None else content.tmb.note),
        ("TMB class", content.tmb_class or ""),
        ("MSI", content.msi_status or content.msi.note),
        ("top signatures", ", ".join(content.top_signatures)),
        ("kataegis events", len(content.kataegis_events)),
        ("summary", summary_line),
    ]
    ws.header(("item", "value"))
    for row in rows:
        ws.append(row)


def _evidence_sheet(ws: _Sheet, content: ReportContent) -> None:
    ws.header(_EVIDENCE_HEADER)
    for f in (*content.tier(Tier.I), *content.tier(Tier.II)):
        csq = f.variant.consequence
        for m in f.evidence:
            e = m.evidence
            ws.append((
                e.gene, (csq.hgvsp if csq and csq.hgvsp else f.variant.key), f.tier.value,
                e.evidence_id, e.level, e.evidence_type.value, e.direction, e.significance,
                "; ".join(e.therapies), e.disease, e.primary_site or "", m.match_level.value,
                e.citation,
            ))


def _variant_sheet(ws: _Sheet, content: ReportContent, tsv_name: str | None = None) -> None:
    names = [name for name, _ in TIER_COLUMNS]
    kinds = [(name in _NUMERIC, name in {"pos", "depth", "alt_depth"}) for name in names]
    findings, total = content.findings, content.finding_count
    if total > XLSX_MAX_VARIANT_ROWS:
        note = (
            f"Showing {XLSX_MAX_VARIANT_ROWS:,} of {total:,} variants (all Tier I–III "
            f"first); every variant is in {tsv_name or tiers_tsv_name(content.sample_id)}."
        )
        ws.append((note,))
        findings = findings[:XLSX_MAX_VARIANT_ROWS]
    ws.header(names)
    for f in findings:
        ws.append([
            None if text == "" else typed_value(text, numeric=numeric, integer=integer)
            for text, (numeric, integer) in zip(tier_row(f), kinds, strict=True)
        ])


def _cna_sheet(ws: _Sheet, content: ReportContent) -> None:
    if content.cna is None:
        ws.append(("No copy-number segments were supplied for this sample.",))
        return
    ws.header(("gene", "chrom", "start", "end", "call", "total_cn", "log2_ratio", "loh",
                 "tier", "therapies"))
    for g in content.altered_cna:
        therapies = sorted({t for m in g.evidence for t in m.evidence.therapies})
        ws.append((g.gene, g.chrom, g.start, g.end, g.call.value, g.total_cn, g.log2_ratio,
                   "yes" if g.loh else "", g.tier.value if g.tier else "", "; ".join(therapies)))


def _signature_sheet(ws: _Sheet, content: ReportContent) -> None:
    sig = content.signatures
    if sig.fit is None:
        ws.append((f"Signatures {sig.metric.note}",))
    else:
        ws.header(("signature", "mutations", "fraction", "ci_low", "ci_high", "aetiology"))
        for e in sig.fit.exposures:
            ws.append((e.name, round(e.count, 2), e.fraction, e.ci_low, e.ci_high, e.aetiology))
    if sig.catalogue is not None:
        ws.append(())
        ws.header(("context", "snvs"))
        for ctx, n in zip(sig.catalogue.contexts, sig.catalogue.counts, strict=True):
            ws.append((ctx, int(n)))


def _kataegis_sheet(ws: _Sheet, content: ReportContent) -> None:
    if not content.kataegis.computable:
        ws.append((f"Kataegis {content.kataegis.note}",))
        return
    ws.header(("chrom", "start", "end", "snvs", "mean_distance", "c_fraction", "apobec_fraction"))
    for k in content.kataegis_events:
        ws.append((k.chrom, k.start, k.end, k.n_snvs, round(k.mean_distance, 1), k.c_fraction,
                   k.apobec_fraction))


_SHEETS = (
    ("Evidence", _evidence_sheet), ("Variants", _variant_sheet), ("CNA", _cna_sheet),
    ("Signatures", _signature_sheet), ("Kataegis", _kataegis_sheet),
)  # fmt: skip


def write_xlsx(content: ReportContent, summary_line: str, out_dir: Path, tsv_name: str | None = None) -> Path:
    """Write ``{sample}.xlsx`` (constant memory: each row goes to disk when written);
    ``tsv_name`` is the tiers table as written (``.tsv.gz`` when compressed)."""
    path = out_dir / xlsx_name(content.sample_id)
    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False, "nan_inf_to_errors": True,
    })  # fmt: skip
    book.set_properties({"created": datetime(2000, 1, 1)})  # same content, same bytes
    bold = book.add_format({"bold": True})
    _summary_sheet(_Sheet(book, "Summary", bold), content, summary_line)
    for name, write in _SHEETS:
        if write is _variant_sheet:
            _variant_sheet(_Sheet(book, name, bold), content, tsv_name)
        else:
            write(_Sheet(book, name, bold), content)
    book.close()
    return path
