"""Clinical evidence (CIViC format) and how precisely it matched a variant."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from oncodrop.domain.genome import Build


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

