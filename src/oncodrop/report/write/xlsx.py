"""``{sample}.xlsx``: the report as a workbook for people who live in spreadsheets.

Sheets: Summary, Evidence (one row per evidence item of Tier I/II findings), Variants (the TSV
columns, numbers as numbers), CNA, Signatures, Kataegis. Variants is capped at ``XLSX_MAX_VARIANT_ROWS``
(Tier I–III always included first): a whole-genome sample's 100k rows would take longer to write
than the rest of the report; the TSV always has every row and the sheet says so.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from oncodrop.domain.classification import Tier
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.tsv import TIER_COLUMNS, tiers_tsv_name

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


def bold_header(ws: WriteOnlyWorksheet, names: Iterable[str]) -> None:
    """Append a bold header row (shared with the germline workbook)."""
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


def _typed(name: str, text: str) -> str | float | int | None:
    return typed_value(text, numeric=name in _NUMERIC, integer=name in {"pos", "depth", "alt_depth"})


def _summary_sheet(wb: Workbook, content: ReportContent, summary_line: str) -> None:
    ws = wb.create_sheet("Summary")
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
    bold_header(ws, ("item", "value"))
    for row in rows:
        ws.append(row)


def _evidence_sheet(wb: Workbook, content: ReportContent) -> None:
    ws = wb.create_sheet("Evidence")
    bold_header(ws, _EVIDENCE_HEADER)
    for f in content.findings:
        if f.tier not in (Tier.I, Tier.II):
            continue
        csq = f.variant.consequence
        for m in f.evidence:
            e = m.evidence
            ws.append((
                e.gene, (csq.hgvsp if csq and csq.hgvsp else f.variant.key), f.tier.value,
                e.evidence_id, e.level, e.evidence_type.value, e.direction, e.significance,
                "; ".join(e.therapies), e.disease, e.primary_site or "", m.match_level.value,
                e.citation,
            ))


def _variant_sheet(wb: Workbook, content: ReportContent) -> None:
    ws = wb.create_sheet("Variants")
    names = [name for name, _ in TIER_COLUMNS]
    findings = content.findings
    if len(findings) > XLSX_MAX_VARIANT_ROWS:
        note = (
            f"Showing {XLSX_MAX_VARIANT_ROWS:,} of {len(findings):,} variants (all Tier I–III "
            f"first); every variant is in {tiers_tsv_name(content.sample_id)}."
        )
        ws.append((note,))
        findings = findings[:XLSX_MAX_VARIANT_ROWS]
    bold_header(ws, names)
    for f in findings:
        ws.append([_typed(name, get(f)) for name, get in TIER_COLUMNS])


def _cna_sheet(wb: Workbook, content: ReportContent) -> None:
    ws = wb.create_sheet("CNA")
    if content.cna is None:
        ws.append(("No copy-number segments were supplied for this sample.",))
        return
    bold_header(ws, ("gene", "chrom", "start", "end", "call", "total_cn", "log2_ratio", "loh",
                 "tier", "therapies"))
    for g in content.altered_cna:
        therapies = sorted({t for m in g.evidence for t in m.evidence.therapies})
        ws.append((g.gene, g.chrom, g.start, g.end, g.call.value, g.total_cn, g.log2_ratio,
                   "yes" if g.loh else "", g.tier.value if g.tier else "", "; ".join(therapies)))


def _signature_sheet(wb: Workbook, content: ReportContent) -> None:
    ws = wb.create_sheet("Signatures")
    sig = content.signatures
    if sig.fit is None:
        ws.append((f"Signatures {sig.metric.note}",))
    else:
        bold_header(ws, ("signature", "mutations", "fraction", "ci_low", "ci_high", "aetiology"))
        for e in sig.fit.exposures:
            ws.append((e.name, round(e.count, 2), e.fraction, e.ci_low, e.ci_high, e.aetiology))
    if sig.catalogue is not None:
        ws.append(())
        bold_header(ws, ("context", "snvs"))
        for ctx, n in zip(sig.catalogue.contexts, sig.catalogue.counts, strict=True):
            ws.append((ctx, int(n)))


def _kataegis_sheet(wb: Workbook, content: ReportContent) -> None:
    ws = wb.create_sheet("Kataegis")
    if not content.kataegis.computable:
        ws.append((f"Kataegis {content.kataegis.note}",))
        return
    bold_header(ws, ("chrom", "start", "end", "snvs", "mean_distance", "c_fraction", "apobec_fraction"))
    for k in content.kataegis_events:
        ws.append((k.chrom, k.start, k.end, k.n_snvs, round(k.mean_distance, 1), k.c_fraction,
                   k.apobec_fraction))


def write_xlsx(content: ReportContent, summary_line: str, out_dir: Path) -> Path:
    """Write ``{sample}.xlsx`` (write-only mode: constant memory, fast for large samples)."""
    wb = Workbook(write_only=True)
    _summary_sheet(wb, content, summary_line)
    _evidence_sheet(wb, content)
    _variant_sheet(wb, content)
    _cna_sheet(wb, content)
    _signature_sheet(wb, content)
    _kataegis_sheet(wb, content)
    path = out_dir / xlsx_name(content.sample_id)
    wb.save(path)
    _freeze_timestamps(path)
    return path


_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _freeze_timestamps(path: Path) -> None:
    """Same content → same bytes: fixed zip entry times and document dates (openpyxl stamps
    the current time in both), so the workbook's checksum in provenance is reproducible."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            frozen = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            frozen.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(frozen, data)
