"""``{sample}.summary.json`` of a germline report: its pydantic models are the schema.

``docs/germline-summary-schema.json`` is generated from these models
(``render_germline_summary_schema``) and a test keeps it in sync. No timings: the summary is
identical for identical inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from oncodrop.report.germline.model import GermlineFinding
from oncodrop.report.germline.write.content import GermlineContent

# 1.1: ``pathogenic`` holds Pathogenic only; Likely pathogenic moved to ``likely_pathogenic``
SCHEMA_VERSION: Literal["1.1"] = "1.1"
SCHEMA_ID = "https://oncodrop.invalid/schemas/germline-summary-1.1.json"
ClassCode = Literal["P", "LP", "VUS", "LB", "B"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GermlineSample(_Model):
    id: str
    kind: Literal["normal"] = "normal"
    genome_build: Literal["grch37", "grch38"]
    vcf_sample: str | None = Field(description="The VCF column reported (the person)")


class GermlineBundle(_Model):
    name: str
    version: str
    demo: bool = Field(description="True for the offline demo bundle: not for clinical use")
    label: str
    manifest_sha256: str


class PanelSummary(_Model):
    name: str = Field(description="Bundle panel name, or 'custom' for a gene list in the config")
    source: str
    genes: list[str]
    missing_genes: list[str] = Field(description="Panel genes absent from the bundle gene model")
    secondary_findings: bool = Field(description="ACMG SF genes outside the panel were included")
    secondary_genes: list[str]


class GermlineCounts(_Model):
    alleles_read: int = Field(ge=0, description="ALT alleles in the panel regions")
    reported: int = Field(ge=0, description="Variants in reported genes after FILTER/genotype")
    by_class: dict[ClassCode, int]
    qc_flagged: int = Field(ge=0)
    annotation_source: str
    population_data: bool = Field(description="Annotation carried a population AF (BA1/BS1/PM2)")
    used_index: bool


class CriterionSummary(_Model):
    code: str
    points: float
    reason: str


class ClinvarSummary(_Model):
    variation_id: str | None
    significance: str
    stars: int = Field(ge=0, le=4)
    review_status: str
    conditions: list[str]


class GermlineFindingSummary(_Model):
    key: str = Field(description="chrom:pos:ref>alt")
    gene: str
    origin: Literal["panel", "secondary"]
    consequence: str
    hgvsc: str | None
    hgvsp: str | None
    genotype: str | None
    zygosity: str
    allele_balance: float | None
    depth: int | None
    qc_flags: list[str]
    clinvar: ClinvarSummary | None
    acmg_score: float
    acmg_class: str
    criteria: list[CriterionSummary]
    final_class: ClassCode
    class_source: Literal["ClinVar", "ACMG points"]
    class_reason: str


class PgxFindingSummary(_Model):
    gene: str
    key: str = Field(description="chrom:pos:ref>alt")
    dbsnp: str | None
    zygosity: str
    clinvar_id: str | None
    significance: str
    stars: int
    conditions: list[str]
    drugs: str
    guideline: str


class PgxSummary(_Model):
    genes_assessed: list[str]
    findings: list[PgxFindingSummary] = Field(description="Carried ClinVar drug-response alleles")
    note: str = Field(description="What was not assessed, and that this is no star-allele call")


class GermlineSummary(_Model):
    """Top-level object of a germline ``{sample}.summary.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="oncodrop germline summary")

    schema_version: Literal["1.1"] = SCHEMA_VERSION
    reporter: str
    sample: GermlineSample
    bundle: GermlineBundle
    panel: PanelSummary
    counts: GermlineCounts
    pathogenic: list[GermlineFindingSummary] = Field(
        description="Pathogenic (P) in panel genes; until schema 1.1 this list also held LP"
    )
    likely_pathogenic: list[GermlineFindingSummary] = Field(
        description="Likely pathogenic (LP) in panel genes (schema 1.1+)"
    )
    vus: list[GermlineFindingSummary] = Field(description="VUS in panel genes")
    secondary: list[GermlineFindingSummary] = Field(description="P/LP in secondary-finding genes")
    notes: list[str]
    pharmacogenomics: PgxSummary | None = Field(default=None, description="CPIC genes; null: not run")
    summary_line: str
    files: list[str]


def _pgx(content: GermlineContent) -> PgxSummary | None:
    pgx = content.pgx
    if pgx is None:
        return None
    return PgxSummary(
        genes_assessed=list(pgx.genes_assessed),
        findings=[PgxFindingSummary(
            gene=f.gene, key=f.variant.key, dbsnp=f.variant.dbsnp, zygosity=f.zygosity,
            clinvar_id=f.clinvar.variation_id, significance=f.clinvar.significance, stars=f.clinvar.stars,
            conditions=list(f.clinvar.conditions), drugs=f.drugs, guideline=f.guideline,
        ) for f in pgx.findings],
        note=pgx.note or "ClinVar drug-response alleles only: no star-allele or phenotype call",
    )  # fmt: skip


def _finding(f: GermlineFinding) -> GermlineFindingSummary:
    v, csq, cv = f.variant, f.variant.consequence, f.clinvar
    return GermlineFindingSummary(
        key=v.key, gene=f.gene, origin=f.origin,
        consequence=v.consequence_term,
        hgvsc=csq.hgvsc if csq else None, hgvsp=csq.hgvsp if csq else None,
        genotype=v.genotype, zygosity=f.qc.zygosity, allele_balance=f.qc.allele_balance,
        depth=f.qc.depth, qc_flags=list(f.qc.flags),
        clinvar=ClinvarSummary(
            variation_id=cv.variation_id, significance=cv.significance, stars=cv.stars,
            review_status=cv.review_status, conditions=list(cv.conditions),
        ) if cv else None,
        acmg_score=f.acmg.score, acmg_class=f.acmg.label,
        criteria=[CriterionSummary(code=c.code, points=c.points, reason=c.reason) for c in f.acmg.criteria],
        final_class=f.final_class.code,  # type: ignore[arg-type]
        class_source=f.class_source, class_reason=f.class_reason,
    )  # fmt: skip


def build_germline_summary(content: GermlineContent, summary_line: str, files: list[str]) -> GermlineSummary:
    b, s, p = content.bundle, content.read_stats, content.panel
    return GermlineSummary(
        reporter=content.reporter,
        sample=GermlineSample(id=content.sample_id, genome_build=content.build, vcf_sample=s.sample),
        bundle=GermlineBundle(name=b.name, version=b.version, demo=b.demo, label=b.label,
                              manifest_sha256=b.manifest_sha256),
        panel=PanelSummary(
            name=p.name, source=p.source, genes=[g.symbol for g in p.genes],
            missing_genes=list(content.missing_genes),
            secondary_findings=content.config.germline.secondary_findings,
            secondary_genes=list(p.secondary),
        ),
        counts=GermlineCounts(
            alleles_read=s.alleles_read, reported=len(content.findings),
            by_class=content.class_counts,  # type: ignore[arg-type]
            qc_flagged=sum(1 for f in content.findings if f.qc.flags),
            annotation_source=s.annotation_source, population_data=s.population_data,
            used_index=s.used_index,
        ),
        pathogenic=[_finding(f) for f in content.pathogenic_only],
        likely_pathogenic=[_finding(f) for f in content.likely_pathogenic],
        vus=[_finding(f) for f in content.vus],
        secondary=[_finding(f) for f in content.secondary],
        notes=list(content.notes),
        pharmacogenomics=_pgx(content),
        summary_line=summary_line,
        files=sorted(files),
    )  # fmt: skip


def germline_summary_name(sample_id: str) -> str:
    return f"{sample_id}.summary.json"


def write_germline_summary(summary: GermlineSummary, sample_id: str, out_dir: Path) -> Path:
    path = out_dir / germline_summary_name(sample_id)
    path.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def render_germline_summary_schema() -> str:
    """The JSON Schema text that ``docs/germline-summary-schema.json`` holds."""
    schema = GermlineSummary.model_json_schema()
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
