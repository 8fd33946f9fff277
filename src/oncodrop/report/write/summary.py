"""``{sample}.summary.json``: the machine-readable headline of a report.

The schema is these pydantic models; ``docs/summary-schema.json`` is generated from them
(``summary_json_schema()``) and a test keeps the file in sync, so the documented schema and the
written files cannot drift apart. Dashboards, notifications and downstream tools read this file
instead of parsing HTML. No timings here: the summary is identical for identical inputs.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from oncodrop.domain.classification import Finding, Tier
from oncodrop.domain.copynumber import GeneCopyNumber
from oncodrop.domain.headline import Headline
from oncodrop.report.write.content import ReportContent, tier_therapies

SCHEMA_VERSION: Literal["1.0"] = "1.0"
SCHEMA_ID = "https://oncodrop.invalid/schemas/summary-1.0.json"


TierName = Literal["I", "II", "III", "IV"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleSummary(_Model):
    id: str
    kind: Literal["somatic", "normal"]
    genome_build: Literal["grch37", "grch38"]
    tumor_site: str | None = Field(description="Primary tumour site used for tiering; null = any")
    assay: Literal["WES", "WGS", "TARGETED"]
    target_size_mb: float


class BundleSummary(_Model):
    name: str
    version: str
    demo: bool = Field(description="True for the offline demo bundle: not for clinical use")
    label: str
    manifest_sha256: str


class VariantCounts(_Model):
    records_read: int = Field(ge=0, description="Biallelic variants read from the VCF")
    passing: int = Field(ge=0, description="Variants kept after FILTER/depth/VAF filters")
    filtered: int = Field(ge=0)
    by_tier: dict[TierName, int] = Field(description="SNV/indel findings per tier")
    cna_by_tier: dict[TierName, int] = Field(
        description="Copy-number calls of altered genes per tier (all 0 without CNA input); the "
        "headline's Tier I/II counts are by_tier + cna_by_tier"
    )
    by_class: dict[str, int] = Field(description="SNV, MNV, insertion, deletion, indel")
    annotation_source: str


class MetricSummary(_Model):
    value: float | None = Field(description="null when not computable; see note")
    unit: str
    note: str


TmbClass = Literal["low", "intermediate", "high"]


class TmbSummary(MetricSummary):
    tmb_class: TmbClass | None


class MsiSummary(MetricSummary):
    status: str | None = Field(description="MSI-H | MSS | null when not computable")


class ExposureSummary(_Model):
    name: str = Field(description="COSMIC signature, e.g. SBS1")
    exposure: float = Field(ge=0, le=1, description="Share of the SNVs attributed to it")
    low: float | None = Field(description="Bootstrap 2.5th percentile; null without bootstrap")
    high: float | None = Field(description="Bootstrap 97.5th percentile")
    aetiology: str


class SignatureSummary(_Model):
    computable: bool
    note: str
    n_snvs: int = Field(ge=0)
    reference: str
    cosine_similarity: float | None
    exposures: list[ExposureSummary] = Field(description="Largest first")


class ReferenceSummary(_Model):
    status: Literal["not_checked", "concordant", "discordant", "wrong_build"] = Field(
        description="REF alleles vs the bundle genome; discordant: genome-dependent metrics withheld"
    )
    genome_build: Literal["grch37", "grch38"]
    checked: int = Field(ge=0, description="Sites whose REF lies on A/C/G/T bases of the genome")
    mismatched: int = Field(ge=0)
    unchecked: int = Field(ge=0, description="REF on N, on an absent contig or past its end")
    discordance: float | None = Field(description="mismatched / checked; null when none checked")
    synthetic_genome: bool = Field(description="The bundle genome is the demo's synthetic one")
    warning: str | None = Field(description="Shown prominently in the report when discordant")
    note: str


class FindingSummary(_Model):
    key: str = Field(description="chrom:pos:ref>alt")
    gene: str | None
    hgvsp: str | None
    hgvsc: str | None
    consequence: str
    tier: Literal["I", "II", "III", "IV"]
    tier_reason: str
    oncogenicity: str | None
    vaf: float | None
    therapies: list[str] = Field(description="Therapies of the predictive evidence behind the tier")
    evidence_ids: list[str]
    best_level: str | None


class CnaSummary(_Model):
    gene: str
    call: Literal["amplification", "gain", "neutral", "hetdel", "homdel"]
    total_cn: float | None
    tier: Literal["I", "II", "III", "IV"] | None
    therapies: list[str]


class Summary(_Model):
    """Top-level object of ``{sample}.summary.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="oncodrop somatic summary")

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    reporter: str
    sample: SampleSummary
    bundle: BundleSummary
    counts: VariantCounts
    tmb: TmbSummary
    msi: MsiSummary
    signatures: SignatureSummary
    kataegis_events: int = Field(ge=0)
    reference: ReferenceSummary | None = Field(
        default=None, description="REF-vs-bundle-genome concordance; null when not measured"
    )
    tier1: list[FindingSummary] = Field(description="Tier I findings, report order")
    tier2: list[FindingSummary]
    oncogenic: list[FindingSummary] = Field(description="Oncogenic or likely oncogenic")
    cna: list[CnaSummary] | None = Field(description="Altered genes; null when no CNA input")
    summary_line: str
    files: list[str]


def _finding(f: Finding, tumor_site: str | None) -> FindingSummary:
    csq = f.variant.consequence
    levels = sorted(m.evidence.level for m in f.evidence)
    return FindingSummary(
        key=f.variant.key,
        gene=csq.gene if csq else None,
        hgvsp=csq.hgvsp if csq else None,
        hgvsc=csq.hgvsc if csq else None,
        consequence=f.variant.consequence_term,
        tier=f.tier.value,
        tier_reason=f.tier_reason,
        oncogenicity=f.oncogenicity.label if f.oncogenicity else None,
        vaf=f.variant.vaf,
        therapies=list(tier_therapies(f, tumor_site)),
        evidence_ids=sorted({m.evidence.evidence_id for m in f.evidence}),
        best_level=levels[0] if levels else None,
    )


def _cna(g: GeneCopyNumber) -> CnaSummary:
    return CnaSummary(
        gene=g.gene,
        call=g.call.value,
        total_cn=g.total_cn,
        tier=g.tier.value if g.tier else None,
        therapies=sorted({t for m in g.evidence for t in m.evidence.therapies}),
    )


def _reference(content: ReportContent) -> ReferenceSummary | None:
    ref = content.reference
    if ref is None:
        return None
    return ReferenceSummary(
        status=cast(Literal["not_checked", "concordant", "discordant", "wrong_build"], ref.status),
        genome_build=cast(Literal["grch37", "grch38"], ref.genome_build),
        checked=ref.checked,
        mismatched=ref.mismatched,
        unchecked=ref.unchecked,
        discordance=None if ref.discordance is None else round(ref.discordance, 4),
        synthetic_genome=ref.synthetic,
        warning=content.reference_warning,
        note=ref.sentence,
    )


def build_summary(content: ReportContent, summary_line: str, files: list[str], *, oncogenic: bool = True) -> Summary:
    """Project a ``ReportContent`` onto the summary schema; without its ``oncogenic`` list
    when not ``oncogenic`` (``write_summary`` then writes ``oncogenic_entries`` in its place)."""
    classes = {value: total for value, total, _ in content.variant_types}
    sig = content.signatures
    fit = sig.fit
    stats = content.read_stats
    site = content.config.sample.tumor_site
    return Summary(
        reporter=content.reporter,
        sample=SampleSummary(
            id=content.sample_id,
            kind=content.kind,
            genome_build=content.build,
            tumor_site=content.config.sample.tumor_site,
            assay=content.config.assay.type,
            target_size_mb=content.config.assay.target_size_mb,
        ),
        bundle=BundleSummary(
            name=content.bundle.name,
            version=content.bundle.version,
            demo=content.bundle.demo,
            label=content.bundle.label,
            manifest_sha256=content.bundle.manifest_sha256,
        ),
        counts=VariantCounts(
            records_read=stats.records,
            passing=stats.passing,
            filtered=stats.filtered,
            by_tier=cast(dict[TierName, int], content.tier_counts),
            cna_by_tier=cast(dict[TierName, int], content.cna_tier_counts),
            by_class=dict(sorted(classes.items())),
            annotation_source=stats.annotation_source,
        ),
        tmb=TmbSummary(
            value=content.tmb.value, unit=content.tmb.unit, note=content.tmb.note,
            tmb_class=cast(TmbClass | None, content.tmb_class),
        ),
        msi=MsiSummary(
            value=content.msi.value, unit=content.msi.unit, note=content.msi.note,
            status=content.msi_status,
        ),
        signatures=SignatureSummary(
            computable=sig.metric.computable,
            note=sig.metric.note,
            n_snvs=sig.catalogue.total if sig.catalogue else 0,
            reference=content.signature_reference,
            cosine_similarity=sig.metric.value,
            exposures=[
                ExposureSummary(name=e.name, exposure=e.fraction, low=e.ci_low, high=e.ci_high,
                                aetiology=e.aetiology)
                for e in (fit.exposures if fit else ())
            ],
        ),
        kataegis_events=len(content.kataegis_events),
        reference=_reference(content),
        tier1=[_finding(f, site) for f in content.tier(Tier.I)],
        tier2=[_finding(f, site) for f in content.tier(Tier.II)],
        oncogenic=list(oncogenic_entries(content)) if oncogenic else [],
        cna=None if content.cna is None else [_cna(g) for g in content.altered_cna],
        summary_line=summary_line,
        files=sorted(files),
    )


def summary_json_name(sample_id: str) -> str:
    return f"{sample_id}.summary.json"


def oncogenic_entries(content: ReportContent) -> Iterator[FindingSummary]:
    """The summary's ``oncogenic`` entries, one at a time, in report order."""
    site = content.config.sample.tumor_site
    return (_finding(f, site) for f in content.iter_oncogenic())


_EMPTY_ONCOGENIC = '\n  "oncogenic": [],\n'


def write_summary(
    summary: Summary, sample_id: str, out_dir: Path, oncogenic: Iterable[FindingSummary] = ()
) -> Path:
    """Write ``{sample}.summary.json``. ``oncogenic``: entries written in place of an empty
    ``summary.oncogenic``, each dumped alone (a streamed report may have many thousands: they
    are never all held); the text is that of the summary holding them (indent 2, ``pydantic``)."""
    path = out_dir / summary_json_name(sample_id)
    text = summary.model_dump_json(indent=2) + "\n"
    entries = iter(oncogenic)
    first = next(entries, None)
    if first is None:
        path.write_text(text, encoding="utf-8")
        return path
    if summary.oncogenic or text.count(_EMPTY_ONCOGENIC) != 1:
        raise ValueError("oncogenic entries go in place of an empty summary.oncogenic")
    head, tail = text.split(_EMPTY_ONCOGENIC)
    with path.open("w", encoding="utf-8") as out:
        out.write(head + '\n  "oncogenic": [')
        for i, entry in enumerate(itertools.chain((first,), entries)):
            lines = entry.model_dump_json(indent=2).split("\n")
            out.write(("," if i else "") + "".join("\n    " + line for line in lines))
        out.write("\n  ],\n" + tail)
    return path


def summary_json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) that ``docs/summary-schema.json`` holds."""
    schema = Summary.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def render_summary_schema() -> str:
    return json.dumps(summary_json_schema(), indent=2, sort_keys=True) + "\n"


HEADLINE_NAMES = 3
"""How many Tier I/II findings the headline sentence names before "+N more"."""


def _tier_part(label: str, names: tuple[str, ...]) -> str:
    if not names:
        return f"{label}: 0"
    shown = ", ".join(names[:HEADLINE_NAMES])
    more = f", +{len(names) - HEADLINE_NAMES} more" if len(names) > HEADLINE_NAMES else ""
    return f"{label}: {len(names)} ({shown}{more})"


def headline(content: ReportContent) -> Headline:
    """The few numbers a notification shows, and one sentence saying them.

    Tier I/II count every finding at that tier: SNVs/indels and tiered copy-number calls
    (``ReportContent.clinical_findings``); the sentence names the first few. TMB and MSI are
    shown as metrics, not counted as tiered findings (no evidence item tiers them yet).
    """
    tier1, tier2 = content.clinical_findings(Tier.I), content.clinical_findings(Tier.II)
    tmb, msi, top = content.tmb.value, content.msi_status, content.top_signatures
    parts = [_tier_part("Tier I", tier1), _tier_part("Tier II", tier2)]
    parts.append(
        f"TMB {tmb:.1f} mut/Mb ({content.tmb_class})" if tmb is not None else "TMB n/a"
    )
    parts.append(f"MSI: {msi}" if msi else "MSI n/a")
    if top:
        parts.append("signatures " + ", ".join(top))
    line = "; ".join(parts)
    if content.bundle.demo:
        line += f" [{content.bundle.label}]"
    return Headline(
        tier1=len(tier1),
        tier2=len(tier2),
        tmb=tmb,
        msi=msi,
        top_signatures=top,
        summary_line=line,
    )
