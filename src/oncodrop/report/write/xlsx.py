"""``{sample}.xlsx``: the report as a workbook for people who live in spreadsheets.

Sheets: Summary, Evidence (one row per evidence item of Tier I/II findings), Variants (the TSV
columns, numbers as numbers), CNA, Signatures, Kataegis. Variants is capped at ``XLSX_MAX_VARIANT_ROWS``
(Tier I–III always included first): a whole-genome sample's 100k rows would take longer to write
than the rest of the report; the TSV always has every row and the sheet says so.

Written row after row (``workbook``: in constant memory when large; openpyxl's write-only mode
spent a fifth of a 100k-variant report on these 10k rows).
"""

from __future__ import annotations

from pathlib import Path

from oncodrop.domain.classification import Tier
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.tsv import TIER_COLUMNS, tier_row, tiers_tsv_name
from oncodrop.report.write.workbook import Sheet, Workbook, typed_value

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


def _summary_sheet(ws: Sheet, content: ReportContent, summary_line: str) -> None:
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


def _evidence_sheet(ws: Sheet, content: ReportContent) -> None:
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


def _variant_sheet(ws: Sheet, content: ReportContent, tsv_name: str | None = None) -> None:
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


def _cna_sheet(ws: Sheet, content: ReportContent) -> None:
    if content.cna is None:
        ws.append(("No copy-number segments were supplied for this sample.",))
        return
    ws.header(("gene", "chrom", "start", "end", "call", "total_cn", "log2_ratio", "loh",
                 "tier", "therapies"))
    for g in content.altered_cna:
        therapies = sorted({t for m in g.evidence for t in m.evidence.therapies})
        ws.append((g.gene, g.chrom, g.start, g.end, g.call.value, g.total_cn, g.log2_ratio,
                   "yes" if g.loh else "", g.tier.value if g.tier else "", "; ".join(therapies)))


def _signature_sheet(ws: Sheet, content: ReportContent) -> None:
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


def _kataegis_sheet(ws: Sheet, content: ReportContent) -> None:
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
    """Write ``{sample}.xlsx``; ``tsv_name`` is the tiers table as written (``.tsv.gz`` when
    compressed)."""
    rows = min(len(content.findings), XLSX_MAX_VARIANT_ROWS) + 200  # Variants, + the other sheets' few
    with Workbook(out_dir / xlsx_name(content.sample_id), rows=rows) as book:
        _summary_sheet(book.sheet("Summary"), content, summary_line)
        for name, write in _SHEETS:
            if write is _variant_sheet:
                _variant_sheet(book.sheet(name), content, tsv_name)
            else:
                write(book.sheet(name), content)
    return book.path
