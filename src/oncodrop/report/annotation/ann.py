"""snpEff ``INFO/ANN``: the first effect listed for an ALT allele is its most severe one.

ANN has 16 fixed fields (the snpEff/ANN specification): ``Allele | Annotation |
Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType |
Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length |
Distance | ERRORS / WARNINGS / INFO``. snpEff marks no canonical transcript: the shared pick
order (``annotation.pick``) chooses among the transcript-level blocks of the allele, with the
gene model's MANE/canonical tags when the bundle has them, then biotype, then severity (snpEff
lists the most severe first, so without a gene model this is snpEff's first protein-coding
block). Every transcript block's effect is kept in ``Consequence.all_effects``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from oncodrop.domain.consequences import impact, sort_terms
from oncodrop.domain.variant import Consequence
from oncodrop.report.annotation import hgvs
from oncodrop.report.annotation.common import Annotation, first_int, rank_of
from oncodrop.report.annotation.pick import Candidate, TranscriptFacts, effect_summary, pick

ALLELE, EFFECT, IMPACT, GENE, GENE_ID, FEATURE_TYPE, FEATURE, BIOTYPE, RANK = range(9)
HGVS_C, HGVS_P, CDNA, CDS, AA = range(9, 14)
N_FIELDS = 16

# Effects that name a region between genes rather than a gene.
_INTERGENIC = frozenset({"intergenic_variant"})
# Feature types describing a transcript or the space between genes; snpEff also lists
# protein-structure features (``interaction``, ``beta_strand``…) first because it rates
# ``structural_interaction_variant`` HIGH, but those are not a variant's consequence.
TRANSCRIPT_FEATURES = frozenset({"transcript", "intergenic_region"})


def _candidate(block: list[str]) -> Candidate:
    return Candidate(
        transcript=block[FEATURE],
        terms=tuple(t for t in block[EFFECT].split("&") if t),
        biotype=block[BIOTYPE],
        is_transcript=block[FEATURE_TYPE] == "transcript",
    )


def parse_ann(
    entries: Sequence[str],
    *,
    alt: str,
    single_alt: bool = True,
    transcripts: Mapping[str, TranscriptFacts] | None = None,
) -> Annotation | None:
    """The picked snpEff effect for ``alt``; None when no block belongs to it."""
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
    described = [b for b in candidates if b[FEATURE_TYPE] in TRANSCRIPT_FEATURES] or candidates[:1]
    chosen = pick(described, _candidate, transcripts)
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
        all_effects=tuple(
            effect_summary(b[GENE], b[FEATURE], sort_terms(b[EFFECT].split("&")), hgvs.to_short(b[HGVS_P]))
            for b in described
        ),
    )
    return Annotation(consequence=consequence)
