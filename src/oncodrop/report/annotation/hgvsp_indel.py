"""HGVS p. of in-frame deletions and insertions, 3'-shifted on the protein the genome encodes.

bcftools csq's amino-acid field spans only the codons the DNA change touches (``616ST>616T``,
``216L>216EL``): enough to name a substitution, not enough for HGVS's 3' rule when a run of one
residue reaches past those codons, nor for an insertion, whose HGVS name needs the residue
before it (``p.K215_L216insE``) or, when the inserted residues repeat the ones before, is a
``dup`` (``p.E215dup``). Here the transcript's CDS is translated from the genome (standard
code; only for a CDS that starts with a complete codon, as for c.): a deletion moves to the
C-terminal end of its run, an insertion moves C-terminally as far as the protein allows and is
named ``dup`` or ``X_Yins``. Delins and anything that does not agree with csq's residues keep
csq's own name (``annotation.bcsq``).
"""

from __future__ import annotations

from functools import lru_cache

from oncodrop.report.annotation.gene_model import Genome
from oncodrop.report.annotation.hgvsc import coding_reference, reverse_complement
from oncodrop.report.annotation.pick import TranscriptFacts

_BASES = "TCAG"
_CODE = dict(zip((a + b + c for a in _BASES for b in _BASES for c in _BASES),
                 "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", strict=True))  # fmt: skip


@lru_cache(maxsize=64)
def protein(facts: TranscriptFacts, genome: Genome) -> str | None:
    """The transcript's CDS translated from the genome (``X`` for a codon with N), stop
    included; None when the transcript is no c. reference or the genome cannot be read."""
    if not coding_reference(facts) or not facts.seqid or facts.cds is None:
        return None
    lo, hi = facts.cds
    try:
        seq = "".join(genome.bases(facts.seqid, max(s, lo), min(e, hi)) for s, e in facts.exons
                      if s <= hi and e >= lo)  # fmt: skip
    except (KeyError, ValueError, OSError):
        return None
    if facts.strand == "-":
        seq = reverse_complement(seq)
    return "".join(_CODE.get(seq[i : i + 3], "X") for i in range(0, len(seq) - 2, 3))


def _span(residues: str, first: int, last: int) -> str:
    start = f"{residues[first - 1]}{first}"
    return start if first == last else f"{start}_{residues[last - 1]}{last}"


def deletion_hgvsp(residues: str, first: int, last: int) -> tuple[str, int]:
    """``p.S616del`` for residues ``first``..``last`` (1-based) moved to the C-terminal end of
    their run; with the first residue named."""
    while last < len(residues) and residues[last] == residues[first - 1]:
        first, last = first + 1, last + 1
    return f"p.{_span(residues, first, last)}del", first


def insertion_hgvsp(residues: str, after: int, inserted: str) -> tuple[str, int] | None:
    """``p.E215dup`` / ``p.K215_L216insE`` for ``inserted`` after residue ``after``, moved
    C-terminally; None when there is no residue on both sides."""
    while after < len(residues) and residues[after] == inserted[0]:
        inserted, after = inserted[1:] + inserted[0], after + 1
    n = len(inserted)
    if after >= n and residues[after - n : after] == inserted:
        return f"p.{_span(residues, after - n + 1, after)}dup", after - n + 1
    if after < 1 or after >= len(residues):
        return None
    return f"p.{_span(residues, after, after + 1)}ins{inserted}", after


def inframe_hgvsp(residues: str, position: int, ref_aa: str, alt_aa: str) -> tuple[str, int] | None:
    """HGVS p. of csq's in-frame change ``position`` ``ref_aa`` > ``alt_aa`` on the translated
    protein: pure deletions and insertions only; None for anything else or when csq's residues
    are not the protein's."""
    if residues[position - 1 : position - 1 + len(ref_aa)] != ref_aa or "*" in ref_aa + alt_aa:
        return None
    head = 0
    while head < min(len(ref_aa), len(alt_aa)) and ref_aa[head] == alt_aa[head]:
        head += 1
    ref_rest, alt_rest = ref_aa[head:], alt_aa[head:]
    tail = 0
    while tail < min(len(ref_rest), len(alt_rest)) and ref_rest[-1 - tail] == alt_rest[-1 - tail]:
        tail += 1
    ref_core, alt_core = ref_rest[: len(ref_rest) - tail], alt_rest[: len(alt_rest) - tail]
    start = position + head
    if ref_core and not alt_core:
        return deletion_hgvsp(residues, start, start + len(ref_core) - 1)
    if alt_core and not ref_core:
        return insertion_hgvsp(residues, start - 1, alt_core)
    return None
