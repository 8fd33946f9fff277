"""bcftools csq ``INFO/BCSQ``: ``consequence|gene|transcript|biotype|strand|aa_change|dna_change``.

A leading ``*`` marks a consequence downstream of a stop (kept, ranked as usual); an entry
``@POS`` points at the record holding a compound (haplotype) consequence and is skipped.
bcftools writes one entry per (transcript, consequence) and may give a transcript several
(``splice_region`` and ``frameshift`` of one insertion): the terms of all entries of a
transcript are merged, as VEP reports them in one ``Consequence``. One transcript is then
chosen by the shared pick order (``annotation.pick``: MANE/canonical from the gene model's
tags, biotype, severity), never simply the most severe. Terms are bcftools' short names,
mapped to SO by ``BCSQ_TERMS``. Protein changes become short HGVS (``p.V1804D``,
``p.A509del``, ``p.L216Ffs*2``) from csq's amino-acid field; ``HGVSc`` comes from the gene
model when the transcript's facts are given: substitutions from its exons and CDS
(``annotation.hgvsc``), indels 3'-shifted against the genome csq ran with, when the caller
gave it (``annotation.gene_model.GeneModel``, ``annotation.hgvs_indel``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from oncodrop.domain.consequences import impact, rank, sort_terms
from oncodrop.domain.variant import Consequence
from oncodrop.report.annotation.common import Annotation
from oncodrop.report.annotation.gene_model import genome_of
from oncodrop.report.annotation.hgvs_indel import record_hgvsc
from oncodrop.report.annotation.hgvsc import substitution_hgvsc
from oncodrop.report.annotation.hgvsp_indel import inframe_hgvsp, protein
from oncodrop.report.annotation.pick import (
    Candidate,
    TranscriptFacts,
    effect_summary,
    pick,
    transcripts_of_gene,
)

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
    """csq's amino-acid change as short HGVS and the first affected position.

    ``600V>600E`` -> ``p.V600E``; ``141T`` (synonymous) -> ``p.T141=``; ``430YKE>430*`` ->
    ``p.Y430*``; ``508VA>508V`` -> ``p.A509del``; ``216L>216EL`` -> ``p.L216delinsEL``
    (csq does not give the residue before an insertion); frameshift ``216LLR…*>216F*`` ->
    ``p.L216Ffs*2`` (VEP's form: first changed residue, new residue, stop counted from it).
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
    if primary == "stop_gained" and alt_aa.endswith("*"):
        start = position + _common_prefix(ref_aa, alt_aa[:-1])
        return f"p.{ref_aa[start - position]}{start}*", start
    if primary == "frameshift_variant":
        return _frameshift(ref_aa, alt_aa, position)
    return _inframe(ref_aa, alt_aa, position)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _frameshift(ref_aa: str, alt_aa: str, position: int) -> tuple[str | None, int | None]:
    skip = _common_prefix(ref_aa, alt_aa)
    if skip >= len(ref_aa) or skip >= len(alt_aa) or "*" not in alt_aa:
        return None, position
    first, new = ref_aa[skip], alt_aa[skip]
    stop = alt_aa.index("*", skip) - skip + 1
    return f"p.{first}{position + skip}{new}fs*{stop}", position + skip


def _inframe(ref_aa: str, alt_aa: str, position: int) -> tuple[str | None, int | None]:
    """Deletions, insertions and delins after trimming the shared residues (HGVS ranges)."""
    skip = _common_prefix(ref_aa, alt_aa)
    ref_rest, alt_rest = ref_aa[skip:], alt_aa[skip:]
    tail = _common_prefix(ref_rest[::-1], alt_rest[::-1])
    ref_core = ref_rest[: len(ref_rest) - tail]
    alt_core = alt_rest[: len(alt_rest) - tail]
    start = position + skip
    if not ref_core:  # pure insertion: csq does not give the flanking residue before it
        if not ref_rest:
            return None, start
        return f"p.{ref_rest[0]}{start}delins{alt_rest[: len(alt_core) + 1]}", start
    span = f"{ref_core[0]}{start}" + (
        f"_{ref_core[-1]}{start + len(ref_core) - 1}" if len(ref_core) > 1 else ""
    )
    return f"p.{span}{'del' if not alt_core else 'delins' + alt_core}", start


def _matches_alt(block: Sequence[str], alt: str) -> bool:
    return len(block) > 6 and block[6].endswith(">" + alt)


def _merged(blocks: list[list[str]]) -> list[tuple[tuple[str, ...], list[str]]]:
    """Per transcript (in first-seen order): the merged SO terms and the entry that carries the
    protein change (the most severe entry with an amino-acid field, else the most severe)."""
    by_transcript: dict[str, list[list[str]]] = {}
    for block in blocks:
        key = block[2] if len(block) > 2 and block[2] else f"<no transcript {len(by_transcript)}>"
        by_transcript.setdefault(key, []).append(block)
    merged = []
    for group in by_transcript.values():
        terms = sort_terms(t for b in group if b[0] for t in so_terms(b[0]))
        ordered = sorted(group, key=lambda b: rank(so_terms(b[0])[0]) if b[0] else 10**6)
        carrier = next((b for b in ordered if len(b) > 5 and b[5]), ordered[0])
        merged.append((terms, carrier))
    return merged


_INFRAME = frozenset({"inframe_deletion", "inframe_insertion"})


def _protein_change(block: Sequence[str], primary: str, fact: TranscriptFacts | None,
                    transcripts: Mapping[str, TranscriptFacts] | None) -> tuple[str | None, int | None]:  # fmt: skip
    """csq's amino-acid change as short HGVS; an in-frame deletion or insertion is named on the
    protein the genome encodes when the caller gave the genome (``annotation.hgvsp_indel``: 3' rule,
    ``dup``, the residue before an insertion)."""
    if len(block) <= 5:
        return None, None
    named = short_hgvsp(block[5], primary)
    match = _AA_CHANGE.match(block[5]) if primary in _INFRAME and fact is not None else None
    genome = genome_of(transcripts) if match else None
    residues = protein(fact, genome) if match and fact is not None and genome is not None else None
    if match and residues and match.group(4) is not None:
        better = inframe_hgvsp(residues, int(match.group(1)), match.group(2), match.group(4))
        if better is not None:
            return better
    return named


_CHANGE = re.compile(r"^(\d+)([ACGTN]+)>([ACGTN]+)$")


def _hgvsc(fact: TranscriptFacts | None, block: Sequence[str], pos: int | None, ref: str | None,
           alt: str, transcripts: Mapping[str, TranscriptFacts] | None) -> str | None:  # fmt: skip
    """HGVS c. of the record's change on the transcript; for a haplotype-aware entry (csq's
    ``53592GC>G+53595A>T``) the changes in cis, as HGVS writes an allele: ``c.[646T>A;648del]``,
    so the name matches the joint protein change written beside it."""
    if fact is None:
        return None
    dna = block[6] if len(block) > 6 else ""
    indel = "+" in dna or (ref is not None and len(ref) != len(alt))
    genome = genome_of(transcripts) if indel else None  # substitutions need no genome
    if "+" in dna:
        parts = [_CHANGE.match(change) for change in dna.split("+")]
        if not all(parts):
            return None
        ordered = sorted((int(m.group(1)), m.group(2), m.group(3)) for m in parts if m)
        if fact.strand == "-":
            ordered.reverse()
        names = [record_hgvsc(fact, p, r, a, genome) for p, r, a in ordered]
        if not all(names):
            return None
        return "c.[" + ";".join(n.removeprefix("c.") for n in names if n) + "]"
    if pos and ref:
        return record_hgvsc(fact, pos, ref, alt, genome)
    return substitution_hgvsc(fact, _dna_change(block, pos, ref, alt))


def _dna_change(block: Sequence[str], pos: int | None, ref: str | None, alt: str) -> str:
    """csq's DNA change (``41199716A>T``), or the record's own when csq writes none (splice
    donor/acceptor and intron entries carry no DNA change)."""
    if len(block) > 6 and block[6]:
        return block[6]
    return f"{pos}{ref.upper()}>{alt.upper()}" if pos and ref else ""


_DNA_POS = re.compile(r"^(\d+)")


def _silent_introns(
    merged: list[tuple[tuple[str, ...], list[str]]], transcripts: Mapping[str, TranscriptFacts],
    pos: int | None = None,
) -> list[tuple[tuple[str, ...], list[str]]]:
    """``intron_variant`` rows for the transcripts of the named genes that span the variant
    but got no entry: bcftools csq writes nothing for introns, so without these a minor
    transcript's splice or exon hit would be picked over the canonical transcript's intron
    (VEP's ``--pick`` sees the intron)."""
    seen = {block[2] for _, block in merged if len(block) > 2}
    position = pos or next((int(m.group(1)) for _, b in merged if len(b) > 6 and (m := _DNA_POS.match(b[6]))),
                           None)  # fmt: skip
    if position is None:
        return []
    genes = {block[1] for _, block in merged if len(block) > 1 and block[1]}
    extra: list[tuple[tuple[str, ...], list[str]]] = []
    for gene in sorted(genes):
        for fact in transcripts_of_gene(transcripts, gene):
            if fact.transcript not in seen and fact.covers(position):
                extra.append((("intron_variant",), ["intron", gene, fact.transcript, fact.biotype]))
    return extra


def parse_bcsq(
    entries: Sequence[str],
    *,
    alt: str,
    single_alt: bool = True,
    transcripts: Mapping[str, TranscriptFacts] | None = None,
    pos: int | None = None,
    ref: str | None = None,
) -> Annotation | None:
    """The picked transcript's consequence for ``alt`` (``annotation.pick`` order, with the
    gene model's ``transcripts`` facts when given); None when only pointers (``@POS``) remain.
    Every transcript's merged effect is kept in ``Consequence.all_effects``; with ``transcripts``
    and the record's ``pos``, transcripts of the named genes spanning it without an entry count
    as ``intron_variant`` (csq writes no intron entries)."""
    blocks = [e.split("|") for e in entries if e and not e.startswith("@")]
    if not single_alt:
        own = [b for b in blocks if _matches_alt(b, alt)]
        blocks = own or [b for b in blocks if len(b) <= 6]
    if not blocks:
        return None
    merged = _merged(blocks)
    if transcripts:
        merged += _silent_introns(merged, transcripts, pos)

    def candidate(item: tuple[tuple[str, ...], list[str]]) -> Candidate:
        terms, block = item
        return Candidate(
            transcript=block[2] if len(block) > 2 else "",
            terms=terms,
            biotype=block[3] if len(block) > 3 else "",
            is_transcript=len(block) > 2 and bool(block[2]),
        )

    terms, best = pick(merged, candidate, transcripts)
    primary = terms[0] if terms else "sequence_variant"
    hgvsp, position = _protein_change(best, primary, (transcripts or {}).get(best[2]) if len(best) > 2 else None,
                                      transcripts)  # fmt: skip
    effects = []
    for item_terms, block in merged:
        item_primary = item_terms[0] if item_terms else "sequence_variant"
        item_fact = (transcripts or {}).get(block[2]) if len(block) > 2 else None
        item_hgvsp = _protein_change(block, item_primary, item_fact, transcripts)[0]
        effects.append(effect_summary(block[1] if len(block) > 1 else None,
                                      block[2] if len(block) > 2 else None, item_terms, item_hgvsp))
    fact = (transcripts or {}).get(best[2]) if len(best) > 2 else None
    consequence = Consequence(
        gene=(best[1] or None) if len(best) > 1 and primary != "intergenic_variant" else None,
        terms=terms,
        impact=impact(primary),
        transcript=(best[2] or None) if len(best) > 2 else None,
        biotype=(best[3] or None) if len(best) > 3 else None,
        hgvsc=_hgvsc(fact, best, pos, ref, alt, transcripts),
        hgvsp=hgvsp,
        protein_position=position,
        canonical=bool(fact and fact.canonical_rank <= 1),
        source="BCSQ",
        all_effects=tuple(effects),
    )
    return Annotation(consequence=consequence)
