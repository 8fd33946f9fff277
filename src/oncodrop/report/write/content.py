"""What a finished somatic report says, as one frozen value the writers render.

The engine computes; writers only format. Every writer (HTML, TSV, JSON, XLSX) takes a
``ReportContent`` so that the outputs can never disagree about a number. Collections are
tuples, already sorted (tier, then genomic order) so that output is deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from oncodrop.domain.classification import Finding, Tier
from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber, Segment
from oncodrop.domain.evidence import EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.domain.genome import Build
from oncodrop.domain.kind import SampleKind
from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.concordance import Concordance
from oncodrop.report.metrics.kataegis import KataegisEvent
from oncodrop.report.metrics.signatures import SignatureReport
from oncodrop.report.tiers import assign_cna_tier, cna_event_matches, evidence_rule, same_site
from oncodrop.report.write.order import TIER_ORDER as _TIER_ORDER
from oncodrop.report.write.spill import SpilledRows
from oncodrop.report.write.tally import FindingTally, TallyRows, is_oncogenic, tally, tally_findings
from oncodrop.sampleconfig import SampleConfig


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """One upstream knowledge source of the bundle (CIViC, ClinVar, COSMIC…)."""

    name: str
    version: str
    date: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """The reference bundle a report was made with; the demo label must reach every reader."""

    name: str
    version: str
    demo: bool
    label: str
    manifest_sha256: str = ""
    sources: tuple[SourceVersion, ...] = ()


@dataclass(frozen=True, slots=True)
class ReadStats:
    """How many records the VCF had and how many the reporter kept."""

    records: int  # biallelic variants read (after splitting multi-allelic records)
    passing: int  # kept after FILTER/depth/VAF filters: the variants in the report
    annotation_source: str  # VEP | snpEff | BCSQ | bcftools-csq
    tumor_column: str | None = None  # the VCF's tumour column name (MAF Tumor_Sample_Barcode)
    normal_column: str | None = None  # the matched normal's column, if the VCF has one

    @property
    def filtered(self) -> int:
        return self.records - self.passing


@dataclass(frozen=True, slots=True)
class CalledSegment:
    """One copy-number segment with the call the thresholds give it (for the genome plot)."""

    segment: Segment
    call: CnaCall


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input named in provenance: its file name (never a full private path) and checksum."""

    role: str  # vcf | cna | config
    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything a somatic report shows. Built once by the engine, rendered by each writer."""

    sample_id: str
    kind: SampleKind
    build: Build
    config: SampleConfig
    bundle: BundleInfo
    read_stats: ReadStats
    findings: tuple[Finding, ...]  # report order (``order.finding_sort_key``); see ``rows``
    tmb: Metric
    msi: Metric
    signatures: SignatureReport
    signature_reference: str  # "COSMIC v3.4 SBS (GRCh38)"
    kataegis: Metric
    kataegis_events: tuple[KataegisEvent, ...]
    cna: tuple[GeneCopyNumber, ...] | None = None  # None: no CNA input
    cna_segments: tuple[CalledSegment, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    versions: tuple[tuple[str, str], ...] = ()  # (software, version), sorted
    reporter: str = "oncodrop-somatic"
    reference: Concordance | None = None  # REF vs bundle genome; None: not measured
    rows: SpilledRows | None = None
    """A streamed report's rows of the long tables (TSV, MAF, all-variants table, calls),
    rendered as each variant was classified. Then ``findings`` holds only every Tier I/II
    finding and the first Tier III/IV ones in report order (``collect.HEAD``: as many as any
    writer shows), and ``tallied`` counts them all. None: ``findings`` is every finding and
    the writers render it."""
    tallied: FindingTally | None = None  # set with ``rows``

    @property
    def finding_count(self) -> int:
        """How many findings the report has (``findings`` may hold only some: ``rows``)."""
        return self.rows.count if self.rows is not None else len(self.findings)

    def finding_tally(self) -> FindingTally:
        """Counts over every finding (made once by a streamed report, else from ``findings``)."""
        return self.tallied if self.tallied is not None else tally_findings(self.findings)

    @property
    def reference_warning(self) -> str | None:
        """The prominent warning when the VCF's REF alleles disagree with the bundle genome."""
        ref = self.reference
        if ref is None or ref.trusted:
            return None
        return (f"{ref.sentence}. MSI, mutational signatures and kataegis contexts are withheld: "
                "they would be read from sequence that is not the VCF's.")

    def tier(self, tier: Tier) -> tuple[Finding, ...]:
        """The findings at ``tier`` in report order (for Tier III/IV of a streamed report, the
        first ``collect.HEAD``: ``tier_counts`` has how many there are)."""
        return tuple(f for f in self.findings if f.tier is tier)

    @property
    def tier_counts(self) -> dict[str, int]:
        if self.tallied is not None:
            return self.tallied.tier_counts
        counts = Counter(f.tier.value for f in self.findings)
        return {t.value: counts.get(t.value, 0) for t in Tier}

    def clinical_findings(self, tier: Tier) -> tuple[str, ...]:
        """Every finding at ``tier`` a clinician must see in the headline, named for people:
        SNVs/indels (``BRAF p.V600E``) in report order, then tiered copy-number calls
        (``ERBB2 amplification``) in genomic order."""
        names = [variant_label(f.variant) for f in self.tier(tier)]
        names += [cna_label(g) for g in self.altered_cna if g.tier is tier]
        return tuple(names)

    @property
    def variant_types(self) -> TallyRows:
        """Reported variants by type (SNV, deletion…), with their tiers."""
        if self.tallied is not None:
            return self.tallied.variant_types
        return tally(self.findings, lambda f: f.variant.variant_class)

    @property
    def consequences(self) -> TallyRows:
        """Reported variants by most severe consequence, with their tiers."""
        if self.tallied is not None:
            return self.tallied.consequences
        return tally(self.findings, lambda f: f.variant.consequence_term)

    @property
    def oncogenic(self) -> tuple[Finding, ...]:
        """Findings classified Oncogenic or Likely oncogenic, in report order."""
        return tuple(self.iter_oncogenic())

    def iter_oncogenic(self) -> Iterator[Finding]:
        """``oncogenic`` one at a time (a streamed report reads them back from disk)."""
        if self.tallied is not None:
            return self.tallied.oncogenic()
        return (f for f in self.findings if is_oncogenic(f))

    @property
    def actionable_cna(self) -> tuple[GeneCopyNumber, ...]:
        return tuple(g for g in self.cna or () if g.evidence)

    @property
    def altered_cna(self) -> tuple[GeneCopyNumber, ...]:
        return tuple(g for g in self.cna or () if g.call is not CnaCall.NEUTRAL)

    @property
    def clinical_cna(self) -> tuple[CnaFinding, ...]:
        """The Tier I then Tier II copy-number calls (genomic order within a tier) as findings
        with their evidence: the calls ``clinical_findings`` names, shown as cards beside the
        variants."""
        site = self.config.sample.tumor_site
        return tuple(cna_finding(g, site) for tier in (Tier.I, Tier.II) for g in self.altered_cna
                     if g.tier is tier)  # fmt: skip

    @property
    def cna_tier_counts(self) -> dict[str, int]:
        """Altered genes' copy-number calls per tier (all zero without CNA input); with
        ``tier_counts`` they make the headline's Tier I/II counts."""
        counts = Counter(g.tier.value for g in self.altered_cna if g.tier is not None)
        return {t.value: counts.get(t.value, 0) for t in Tier}

    @property
    def tmb_class(self) -> str | None:
        """``low`` | ``intermediate`` | ``high`` (from the TMB metric's ``TMB-…`` class)."""
        label = self.tmb.details.get("class") if self.tmb.value is not None else None
        return str(label).removeprefix("TMB-") if label else None

    @property
    def top_signatures(self) -> tuple[str, ...]:
        fit = self.signatures.fit
        return tuple(e.name for e in fit.top(3)) if fit else ()

    @property
    def msi_status(self) -> str | None:
        status = self.msi.details.get("status") if self.msi.details else None
        return str(status) if status else None

    @property
    def msi_evidence(self) -> str:
        """The sentence that decided the MSI call (or why there is none)."""
        evidence = self.msi.details.get("evidence") if self.msi.details else None
        return str(evidence) if evidence else self.msi.note


CNA_CALL_NAMES: dict[CnaCall, str] = {
    CnaCall.AMPLIFICATION: "amplification",
    CnaCall.GAIN: "gain",
    CnaCall.HETDEL: "heterozygous deletion",
    CnaCall.HOMDEL: "homozygous deletion",
}
"""Copy-number calls as the headline names them."""


def cna_label(gene: GeneCopyNumber) -> str:
    """Gene and call for people (``ERBB2 amplification``)."""
    return f"{gene.gene} {CNA_CALL_NAMES.get(gene.call, gene.call.value)}"


@dataclass(frozen=True, slots=True)
class CnaFinding:
    """A tiered gene copy-number call as the Actionable section shows it. ``evidence`` is as
    tiering saw it (``tiers.cna_event_matches``: the item names the event, no gene-level cap),
    so the tier each row earns agrees with ``tier``; ``tier_reason`` is "" when it cannot be
    restated (the call's tier was not made from this evidence)."""

    call: GeneCopyNumber
    tier: Tier
    tier_reason: str
    evidence: tuple[EvidenceMatch, ...]

    @property
    def label(self) -> str:
        return cna_label(self.call)


def cna_finding(gene: GeneCopyNumber, tumor_site: str | None) -> CnaFinding:
    """``gene``'s call with its evidence and the reason its tier was given (restated by
    ``tiers.assign_cna_tier``, which made it)."""
    tier, reason = assign_cna_tier(gene.evidence, tumor_site)
    given = gene.tier or tier
    return CnaFinding(gene, given, reason if given is tier else "", cna_event_matches(gene.evidence))


class HasEvidence(Protocol):
    """A variant finding or a copy-number call: anything whose evidence the report groups."""

    @property
    def evidence(self) -> tuple[EvidenceMatch, ...]: ...


_MATCH_ORDER = {level: rank for rank, level in enumerate(MatchLevel)}


def evidence_rank(match: EvidenceMatch, tumor_site: str | None) -> tuple[int, int, str, int, str]:
    """Most relevant first: the tier the item earns, this tumour site, level, match precision."""
    rule = evidence_rule(match, tumor_site)
    item = match.evidence
    return (
        _TIER_ORDER[rule.tier] if rule else len(_TIER_ORDER),
        0 if same_site(item.primary_site, tumor_site) else 1,
        item.level.upper(),
        _MATCH_ORDER[match.match_level],
        item.evidence_id,
    )


def ranked_evidence(finding: HasEvidence, tumor_site: str | None) -> tuple[EvidenceMatch, ...]:
    return tuple(sorted(finding.evidence, key=lambda m: evidence_rank(m, tumor_site)))


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """Evidence items of one finding observed in one kind of tumour context, most relevant
    first; ``label`` says which context, so melanoma and colorectal items never share a list
    unlabelled."""

    label: str
    matches: tuple[EvidenceMatch, ...]


def evidence_groups(finding: HasEvidence, tumor_site: str | None) -> tuple[EvidenceGroup, ...]:
    """The finding's evidence split by tumour type: items that speak for this sample's tumour
    (its site, or pan-cancer) first, then the other tumour types. Without a tumour site only
    pan-cancer items are "same", and the others are labelled as tumour-type specific rather
    than as "another" type. Empty groups are left out."""
    ranked = ranked_evidence(finding, tumor_site)
    same = tuple(m for m in ranked if same_site(m.evidence.primary_site, tumor_site))
    other = tuple(m for m in ranked if not same_site(m.evidence.primary_site, tumor_site))
    if tumor_site:
        labels = (f"This tumour type ({tumor_site}) or pan-cancer", "Other tumour types")
    else:
        labels = ("Pan-cancer", "Specific tumour types (no tumour site was set for this sample)")
    return tuple(EvidenceGroup(label, group) for label, group in zip(labels, (same, other), strict=True)
                 if group)  # fmt: skip


def earned_tier(match: EvidenceMatch, tumor_site: str | None) -> str:
    """The tier this one item would earn on its own (``I``/``II``), ``""`` when it does not
    count for tiers (level E, not supporting, prognostic without a tiered significance…)."""
    rule = evidence_rule(match, tumor_site)
    return rule.tier.value if rule else ""


def tier_therapies(finding: Finding, tumor_site: str | None) -> tuple[str, ...]:
    """Therapies of the predictive items that earn the finding its tier (sorted, unique)."""
    names = {
        t
        for m in finding.evidence
        if m.evidence.evidence_type is EvidenceType.PREDICTIVE
        and (rule := evidence_rule(m, tumor_site)) is not None
        and rule.tier is finding.tier
        for t in m.evidence.therapies
    }
    return tuple(sorted(names))


def variant_label(variant: Variant) -> str:
    """Gene and protein change for people (``BRAF p.V600E``), else the genomic key."""
    csq = variant.consequence
    if csq and csq.gene:
        change = csq.hgvsp or csq.hgvsc or csq.primary_term
        return f"{csq.gene} {change}"
    return variant.key
