"""``{sample}.tiers.tsv``: one row per reported variant, the table other tools read.

The column list is data (name → how to get it from a ``Finding``); the writer is one loop. Rows
come in report order (tier, then genomic position). Empty cells are empty strings, lists are
``;``-joined, numbers are plain decimals, so ``pandas.read_csv(sep="\\t")`` round-trips.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from oncodrop.domain.classification import Finding
from oncodrop.report.write.content import ReportContent


def _num(x: float | None, digits: int = 4) -> str:
    if x is None:
        return ""
    return str(x) if isinstance(x, int) else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def _csq(f: Finding, attr: str) -> str:
    csq = f.variant.consequence
    value = getattr(csq, attr) if csq else None
    return "" if value is None else str(value)


def _unique(values: list[str]) -> str:
    return ";".join(dict.fromkeys(v for v in values if v))


_BLANKS = str.maketrans("\t\r\n", "   ")


def _clean(text: str) -> str:
    """A TSV cell never contains a tab or a line break."""
    return text.translate(_BLANKS)


TIER_COLUMNS: tuple[tuple[str, Callable[[Finding], str]], ...] = (
    ("chrom", lambda f: f.variant.chrom),
    ("pos", lambda f: str(f.variant.pos)),
    ("ref", lambda f: f.variant.ref),
    ("alt", lambda f: f.variant.alt),
    ("variant_class", lambda f: f.variant.variant_class),
    ("gene", lambda f: _csq(f, "gene")),
    ("consequence", lambda f: f.variant.consequence_terms),
    ("impact", lambda f: _csq(f, "impact")),
    ("transcript", lambda f: _csq(f, "transcript")),
    ("hgvsc", lambda f: _csq(f, "hgvsc")),
    ("hgvsp", lambda f: _csq(f, "hgvsp")),
    ("all_transcript_effects", lambda f: ";".join(f.variant.consequence.all_effects)
     if f.variant.consequence else ""),
    ("tier", lambda f: f.tier.value),
    ("tier_reason", lambda f: f.tier_reason),
    ("oncogenicity", lambda f: f.oncogenicity.label if f.oncogenicity else ""),
    ("oncogenicity_score", lambda f: _num(f.oncogenicity.score) if f.oncogenicity else ""),
    ("oncogenicity_codes", lambda f: _unique(
        [c.code for c in f.oncogenicity.criteria] if f.oncogenicity else [])),
    ("gene_role", lambda f: f.gene_role or ""),
    ("hotspot", lambda f: "yes" if f.hotspot else ""),
    ("therapies", lambda f: _unique([t for m in f.evidence for t in m.evidence.therapies])),
    ("evidence_ids", lambda f: _unique([m.evidence.evidence_id for m in f.evidence])),
    ("evidence_levels", lambda f: _unique(sorted(m.evidence.level for m in f.evidence))),
    ("depth", lambda f: _num(f.variant.depth)),
    ("alt_depth", lambda f: _num(f.variant.alt_depth)),
    ("vaf", lambda f: _num(f.variant.vaf)),
    ("normal_depth", lambda f: _num(f.variant.normal_depth)),
    ("normal_vaf", lambda f: _num(f.variant.normal_vaf)),
    ("population_af", lambda f: _num(f.variant.population_af, 6)),
    ("dbsnp", lambda f: f.variant.dbsnp or ""),
    ("cosmic", lambda f: f.variant.cosmic or ""),
    ("filter", lambda f: "PASS" if f.variant.filter_pass else ";".join(f.variant.filters)),
)


def tiers_tsv_name(sample_id: str) -> str:
    return f"{sample_id}.tiers.tsv"


def write_tiers_tsv(content: ReportContent, out_dir: Path) -> Path:
    """Write ``{sample}.tiers.tsv`` with a header line and one row per finding."""
    path = out_dir / tiers_tsv_name(content.sample_id)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("sample_id\t" + "\t".join(name for name, _ in TIER_COLUMNS) + "\n")
        sample = _clean(content.sample_id)
        for finding in content.findings:
            cells = (_clean(get(finding)) for _, get in TIER_COLUMNS)
            out.write(sample + "\t" + "\t".join(cells) + "\n")
    return path
