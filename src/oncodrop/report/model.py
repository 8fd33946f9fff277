"""Domain types of the reporter: what a variant, an annotation, a piece of evidence and a
finding are. Frozen, typed, no I/O. Every reporter module speaks these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

Build = Literal["grch37", "grch38"]
SampleKind = Literal["somatic", "normal"]


@dataclass(frozen=True, slots=True)
class Consequence:
    """The consequence of one variant on its chosen (picked/MANE/canonical/most severe) transcript.

    ``terms`` are Sequence Ontology terms (``missense_variant``…), most severe first.
    ``hgvsp`` is the one-letter short form without transcript (``p.V600E``); ``hgvsp_long``
    keeps the three-letter form when the source had it (``p.Val600Glu``).
    """

    gene: str | None
    terms: tuple[str, ...]
    impact: str = "MODIFIER"  # HIGH | MODERATE | LOW | MODIFIER
    transcript: str | None = None
    biotype: str | None = None
    hgvsc: str | None = None
    hgvsp: str | None = None
    hgvsp_long: str | None = None
    protein_position: int | None = None  # first affected amino-acid position (codon number)
    exon: int | None = None
    exon_count: int | None = None
    canonical: bool = False
    source: str = "unknown"  # VEP | snpEff | BCSQ | bcftools-csq

    @property
    def primary_term(self) -> str:
        return self.terms[0] if self.terms else "intergenic_variant"


@dataclass(frozen=True, slots=True)
class Variant:
    """One biallelic variant as read from the VCF (multi-allelic records are already split).

    ``chrom`` is normalised: no ``chr`` prefix, ``MT`` for the mitochondrion. ``pos`` is the
    1-based VCF position. Depth/VAF fields are for the tumour (somatic) or the only sample
    (germline); ``normal_*`` for the matched normal when the VCF has one.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    line: int = 0  # line number in the source VCF, for messages
    filter_pass: bool = True
    filters: tuple[str, ...] = ()
    depth: int | None = None
    alt_depth: int | None = None
    vaf: float | None = None
    normal_depth: int | None = None
    normal_vaf: float | None = None
    genotype: str | None = None  # e.g. "0/1", "1|1" (germline mode)
    genotype_quality: int | None = None
    consequence: Consequence | None = None
    population_af: float | None = None  # gnomAD / 1000G AF when the annotation carries it
    dbsnp: str | None = None
    cosmic: str | None = None

    @property
    def variant_class(self) -> str:
        """SNV, MNV, insertion, deletion or indel (delins)."""
        r, a = len(self.ref), len(self.alt)
        if r == 1 and a == 1:
            return "SNV"
        if r == a:
            return "MNV"
        if r < a and self.alt.startswith(self.ref):
            return "insertion"
        if r > a and self.ref.startswith(self.alt):
            return "deletion"
        return "indel"

    @property
    def key(self) -> str:
        """Stable genomic identifier, ``7:140453136:A>T``."""
        return f"{self.chrom}:{self.pos}:{self.ref}>{self.alt}"

    @property
    def gene(self) -> str | None:
        return self.consequence.gene if self.consequence else None


class EvidenceType(str, Enum):
    PREDICTIVE = "Predictive"
    PROGNOSTIC = "Prognostic"
    DIAGNOSTIC = "Diagnostic"
    PREDISPOSING = "Predisposing"
    ONCOGENIC = "Oncogenic"
    FUNCTIONAL = "Functional"


class MatchLevel(str, Enum):
    """How precisely an evidence item matched a variant, most precise first (PCGR 2.x)."""

    GENOMIC = "by_genomic_coord"
    HGVSP = "by_hgvsp_principal"
    CODON = "by_codon_principal"
    EXON = "by_exon_mut_principal"
    GENE = "by_gene_mut_lof"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One clinical evidence statement (CIViC format), normalised.

    Match targets: genomic (``chrom``/``start``/``ref``/``alt`` on ``build``), protein
    (``hgvsp`` one-letter short form), ``codon`` (amino-acid position), ``exon``, or the whole
    gene for a class of mutations (``mutation_class``: ``any``, ``loss_of_function``,
    ``missense``, ``truncating``, ``amplification``, ``deletion``…).
    """

    evidence_id: str  # "EID1409"
    gene: str
    profile: str  # molecular profile / variant name as the source says it ("BRAF V600E")
    disease: str
    primary_site: str | None  # mapped tumour site ("Skin"), None when unknown, "Pan-cancer"
    therapies: tuple[str, ...]
    evidence_type: EvidenceType
    direction: str  # "Supports" | "Does Not Support"
    significance: str  # "Sensitivity/Response", "Resistance", "Poor Outcome", "Pathogenic"…
    level: str  # A (validated) B (clinical) C (case study) D (preclinical) E (inferential)
    rating: int | None
    citation: str  # "PMID:12345" or other source id
    source: str = "CIViC"
    build: Build | None = None
    chrom: str | None = None
    start: int | None = None
    end: int | None = None
    ref: str | None = None
    alt: str | None = None
    hgvsp: str | None = None
    codon: int | None = None
    exon: int | None = None
    mutation_class: str | None = None
    variant_origin: str = "Somatic"


@dataclass(frozen=True, slots=True)
class EvidenceMatch:
    evidence: EvidenceItem
    match_level: MatchLevel


class Tier(str, Enum):
    """AMP/ASCO/CAP 2017 somatic variant tiers."""

    I = "I"
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def label(self) -> str:
        return {
            "I": "Tier I: strong clinical significance",
            "II": "Tier II: potential clinical significance",
            "III": "Tier III: unknown clinical significance",
            "IV": "Tier IV: benign or likely benign",
        }[self.value]


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One scored criterion (oncogenicity SOP or ACMG), e.g. ``OS3`` +4."""

    code: str
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class Classification:
    """A points-based classification with the criteria that produced it."""

    label: str  # "Oncogenic", "Likely oncogenic", "VUS", …; or ACMG "Pathogenic"…
    score: float
    criteria: tuple[CriterionResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A variant with everything the reporter concluded about it (somatic mode)."""

    variant: Variant
    tier: Tier
    tier_reason: str
    evidence: tuple[EvidenceMatch, ...] = ()
    oncogenicity: Classification | None = None
    gene_role: str | None = None  # oncogene | tumour_suppressor | both | None
    hotspot: bool = False


class CnaCall(str, Enum):
    AMPLIFICATION = "amplification"
    GAIN = "gain"
    NEUTRAL = "neutral"
    HETDEL = "hetdel"
    HOMDEL = "homdel"


@dataclass(frozen=True, slots=True)
class Segment:
    chrom: str
    start: int
    end: int
    total_cn: float | None = None  # absolute copy number (PCGR 2.x nMajor+nMinor)
    minor_cn: int | None = None
    log2_ratio: float | None = None  # PCGR 0.x Segment_Mean


@dataclass(frozen=True, slots=True)
class GeneCopyNumber:
    gene: str
    chrom: str
    start: int
    end: int
    call: CnaCall
    total_cn: float | None
    loh: bool
    log2_ratio: float | None = None
    evidence: tuple[EvidenceMatch, ...] = ()
    tier: Tier | None = None


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric that may be not computable; then ``value`` is None and ``note`` says why."""

    name: str
    value: float | None
    unit: str = ""
    note: str = ""
    details: dict[str, float | int | str | None] = field(default_factory=dict)

    @property
    def computable(self) -> bool:
        return self.value is not None
