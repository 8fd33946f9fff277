"""``{sample}.germline.tsv``: one row per variant in a reported gene, in report order.

Columns are data (name → how to read it from a ``GermlineFinding``); the writer is one loop.
Lists are ``;``-joined, criteria as ``CODE(+points)``, empty cells are empty strings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from oncodrop.report.germline.model import GermlineFinding
from oncodrop.report.germline.write.content import GermlineContent


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(x) if isinstance(x, int) else f"{x:.4f}".rstrip("0").rstrip(".")


def _csq(f: GermlineFinding, attr: str) -> str:
    value = getattr(f.variant.consequence, attr) if f.variant.consequence else None
    return "" if value is None else str(value)


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


GERMLINE_COLUMNS: tuple[tuple[str, Callable[[GermlineFinding], str]], ...] = (
    ("chrom", lambda f: f.variant.chrom),
    ("pos", lambda f: str(f.variant.pos)),
    ("ref", lambda f: f.variant.ref),
    ("alt", lambda f: f.variant.alt),
    ("gene", lambda f: f.gene),
    ("gene_origin", lambda f: f.origin),
    ("consequence", lambda f: f.variant.consequence_terms),
    ("transcript", lambda f: _csq(f, "transcript")),
    ("hgvsc", lambda f: _csq(f, "hgvsc")),
    ("hgvsp", lambda f: _csq(f, "hgvsp")),
    ("genotype", lambda f: f.variant.genotype or ""),
    ("zygosity", lambda f: f.qc.zygosity),
    ("depth", lambda f: _num(f.qc.depth)),
    ("allele_balance", lambda f: _num(f.qc.allele_balance)),
    ("genotype_quality", lambda f: _num(f.qc.genotype_quality)),
    ("qc_flags", lambda f: ";".join(f.qc.flags)),
    ("population_af", lambda f: _num(f.variant.population_af)),
    ("dbsnp", lambda f: f.variant.dbsnp or ""),
    ("clinvar_id", lambda f: (f.clinvar.variation_id or "") if f.clinvar else ""),
    ("clinvar_significance", lambda f: f.clinvar.significance if f.clinvar else ""),
    ("clinvar_stars", lambda f: str(f.clinvar.stars) if f.clinvar else ""),
    ("clinvar_review_status", lambda f: f.clinvar.review_status if f.clinvar else ""),
    ("clinvar_conditions", lambda f: ";".join(f.clinvar.conditions) if f.clinvar else ""),
    ("acmg_criteria", lambda f: ";".join(f"{c.code}({c.points:+g})" for c in f.acmg.criteria)),
    ("acmg_score", lambda f: f"{f.acmg.score:g}"),
    ("acmg_class", lambda f: f.acmg.label),
    ("final_class", lambda f: f.final_class.value),
    ("class_source", lambda f: f.class_source),
    ("class_reason", lambda f: f.class_reason),
)


def germline_tsv_name(sample_id: str) -> str:
    return f"{sample_id}.germline.tsv"


def tsv_rows(content: GermlineContent) -> list[list[str]]:
    return [[_clean(get(f)) for _, get in GERMLINE_COLUMNS] for f in content.findings]


def write_germline_tsv(content: GermlineContent, out_dir: Path) -> Path:
    path = out_dir / germline_tsv_name(content.sample_id)
    lines = ["\t".join(name for name, _ in GERMLINE_COLUMNS)]
    lines += ["\t".join(row) for row in tsv_rows(content)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
