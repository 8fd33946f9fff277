"""snpEff ``INFO/ANN``: the first effect listed for an ALT allele is its most severe one.

ANN has 16 fixed fields (the snpEff/ANN specification): ``Allele | Annotation |
Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType |
Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length |
Distance | ERRORS / WARNINGS / INFO``. snpEff sorts effects by its own severity, so the first
transcript-level block for the allele is taken, as PCGR and bcbio do.
"""

from __future__ import annotations

from collections.abc import Sequence

from oncodrop.domain.consequences import impact, sort_terms
from oncodrop.domain.variant import Consequence
from oncodrop.report.annotation import hgvs
from oncodrop.report.annotation.common import Annotation, first_int, rank_of

ALLELE, EFFECT, IMPACT, GENE, GENE_ID, FEATURE_TYPE, FEATURE, BIOTYPE, RANK = range(9)
HGVS_C, HGVS_P, CDNA, CDS, AA = range(9, 14)
N_FIELDS = 16

# Effects that name a region between genes rather than a gene.
_INTERGENIC = frozenset({"intergenic_variant"})
# Feature types describing a transcript or the space between genes; snpEff also lists
# protein-structure features (``interaction``, ``beta_strand``…) first because it rates
# ``structural_interaction_variant`` HIGH, but those are not a variant's consequence.
TRANSCRIPT_FEATURES = frozenset({"transcript", "intergenic_region"})


def parse_ann(entries: Sequence[str], *, alt: str, single_alt: bool = True) -> Annotation | None:
    """The first (most severe) snpEff effect for ``alt``; None when no block belongs to it."""
    own: list[list[str]] = []
    other: list[list[str]] = []
    for entry in entries:
        block = entry.split("|")
        if len(block) < HGVS_P + 1:
            continue
        if block[ALLELE] == alt:
            own.append(block)
        elif single_alt and "-" not in block[ALLELE]:
            other.append(block)  # allele spelt differently; with one ALT it is still ours
    candidates = own or other
    if not candidates:
        return None
    chosen = next((b for b in candidates if b[FEATURE_TYPE] in TRANSCRIPT_FEATURES), candidates[0])
    terms = sort_terms(chosen[EFFECT].split("&"))
    primary = terms[0] if terms else "sequence_variant"
    raw_hgvsp = chosen[HGVS_P]
    hgvsp = hgvs.to_short(raw_hgvsp)
    number, total = rank_of(chosen[RANK])
    in_exon = primary != "intron_variant"
    aa_position = first_int(chosen[AA]) if len(chosen) > AA else None
    consequence = Consequence(
        gene=None if primary in _INTERGENIC else (chosen[GENE] or None),
        terms=terms,
        impact=chosen[IMPACT] or impact(primary),
        transcript=chosen[FEATURE] or None,
        biotype=chosen[BIOTYPE] or None,
        hgvsc=chosen[HGVS_C] or None,
        hgvsp=hgvsp,
        hgvsp_long=hgvs.long_form(raw_hgvsp),
        protein_position=aa_position or hgvs.protein_position(hgvsp),
        exon=number if in_exon else None,
        exon_count=total if in_exon else None,
        source="snpEff",
    )
    return Annotation(consequence=consequence)
