"""bcftools csq ``INFO/BCSQ``: ``consequence|gene|transcript|biotype|strand|aa_change|dna_change``.

A leading ``*`` marks a consequence downstream of a stop (kept, ranked as usual); an entry
``@POS`` points at the record holding a compound (haplotype) consequence and is skipped. The
most severe entry is chosen. Terms are bcftools' short names, mapped to SO by ``BCSQ_TERMS``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from oncodrop.domain.consequences import impact, rank, sort_terms
from oncodrop.domain.variant import Consequence
from oncodrop.report.annotation.common import Annotation

# bcftools csq term -> Sequence Ontology term.
BCSQ_TERMS: dict[str, str] = {
    "intergenic": "intergenic_variant",
    "intron": "intron_variant",
    "synonymous": "synonymous_variant",
    "splice_acceptor": "splice_acceptor_variant",
    "splice_donor": "splice_donor_variant",
    "splice_region": "splice_region_variant",
    "missense": "missense_variant",
    "stop_lost": "stop_lost",
    "stop_gained": "stop_gained",
    "start_lost": "start_lost",
    "start_retained": "start_retained_variant",
    "stop_retained": "stop_retained_variant",
    "frameshift": "frameshift_variant",
    "inframe_insertion": "inframe_insertion",
    "inframe_deletion": "inframe_deletion",
    "inframe_altering": "protein_altering_variant",
    "coding_sequence": "coding_sequence_variant",
    "feature_elongation": "feature_elongation",
    "non_coding": "non_coding_transcript_variant",
    "5_prime_utr": "5_prime_UTR_variant",
    "3_prime_utr": "3_prime_UTR_variant",
    "NMD_transcript": "NMD_transcript_variant",
    "sequence_variant": "sequence_variant",
}

_AA_CHANGE = re.compile(r"^(\d+)([A-Z*]+)(?:>(\d+)([A-Z*]+))?$")


def so_terms(bcsq_consequence: str) -> tuple[str, ...]:
    """``missense&splice_region`` -> SO terms, most severe first."""
    names = bcsq_consequence.lstrip("*").split("&")
    return sort_terms(BCSQ_TERMS.get(name, name) for name in names)


def short_hgvsp(aa_change: str, primary: str) -> tuple[str | None, int | None]:
    """``600V>600E`` -> (``p.V600E``, 600); ``141T`` (synonymous) -> (``p.T141=``, 141).

    Only single-residue changes get a ``p.`` string; longer changes keep just the position.
    """
    match = _AA_CHANGE.match(aa_change)
    if not match:
        return None, None
    position = int(match.group(1))
    ref_aa, alt_aa = match.group(2), match.group(4)
    if alt_aa is None or (ref_aa == alt_aa and primary == "synonymous_variant"):
        return (f"p.{ref_aa}{position}=" if len(ref_aa) == 1 else None), position
    if len(ref_aa) == 1 and len(alt_aa) == 1:
        return f"p.{ref_aa}{position}{alt_aa}", position
    if primary == "stop_gained" and alt_aa.endswith("*") and len(alt_aa) == 1:
        return f"p.{ref_aa[0]}{position}*", position
    return None, position


def _matches_alt(block: Sequence[str], alt: str) -> bool:
    return len(block) > 6 and block[6].endswith(">" + alt)


def parse_bcsq(entries: Sequence[str], *, alt: str, single_alt: bool = True) -> Annotation | None:
    """The most severe BCSQ entry for ``alt``; None when only pointers (``@POS``) are present."""
    blocks = [e.split("|") for e in entries if e and not e.startswith("@")]
    if not single_alt:
        own = [b for b in blocks if _matches_alt(b, alt)]
        blocks = own or [b for b in blocks if len(b) <= 6]
    if not blocks:
        return None
    best = min(blocks, key=lambda b: rank(so_terms(b[0])[0]) if b[0] else 10**6)
    terms = so_terms(best[0])
    primary = terms[0] if terms else "sequence_variant"
    hgvsp, position = short_hgvsp(best[5], primary) if len(best) > 5 else (None, None)
    consequence = Consequence(
        gene=(best[1] or None) if len(best) > 1 and primary != "intergenic_variant" else None,
        terms=terms,
        impact=impact(primary),
        transcript=(best[2] or None) if len(best) > 2 else None,
        biotype=(best[3] or None) if len(best) > 3 else None,
        hgvsc=None,
        hgvsp=hgvsp,
        protein_position=position,
        source="BCSQ",
    )
    return Annotation(consequence=consequence)
