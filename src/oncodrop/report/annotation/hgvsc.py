"""HGVS c. notation of a substitution on a transcript, from the gene model's exons and CDS.

bcftools csq gives the protein change but only a genomic DNA change (``41199716A>T``); VEP
and snpEff give ``HGVSc`` themselves. For csq records the coding-DNA position is computed
here (HGVS numbering): ``c.N`` in the CDS, ``c.-N`` upstream of the start codon, ``c.*N``
past the stop codon, ``c.N+d``/``c.N-d`` in an intron (the nearer exon; the middle base goes
to the preceding one), bases complemented on the minus strand. Substitutions (and
same-length multi-base changes, as ``delins``) are written here; indels need the genome for
HGVS's 3' rule (``annotation.hgvs_indel``). A wrong HGVSc is worse than none: a transcript
whose CDS starts mid-codon (GFF3 phase != 0 on its 5'-most CDS row, GENCODE ``cds_start_NF``)
gets none, because HGVS c. numbering needs c.1 to be the A of the ATG (HGVS "Numbering":
coding DNA reference sequences start at the translation initiation codon), which such a
model does not have: csq numbers its codons from the first complete one, Ensembl/VEP pads
the missing bases with N, and the two disagree.
"""

from __future__ import annotations

import re
from itertools import pairwise

from oncodrop.report.annotation.pick import TranscriptFacts

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
_DNA_CHANGE = re.compile(r"^(\d+)([ACGTN]+)>([ACGTN]+)$")


def reverse_complement(bases: str) -> str:
    return bases.translate(_COMPLEMENT)[::-1]


def coding_reference(facts: TranscriptFacts) -> bool:
    """The transcript can be a c. reference: it has exons and a CDS that starts with a
    complete codon (phase 0 at its 5' end)."""
    return facts.cds is not None and bool(facts.exons) and facts.cds_phase == 0


def _transcript_position(facts: TranscriptFacts, pos: int) -> int | None:
    """1-based position of genomic ``pos`` on the spliced transcript; None if not exonic."""
    ordered = facts.exons if facts.strand == "+" else tuple(reversed(facts.exons))
    offset = 0
    for start, end in ordered:
        if start <= pos <= end:
            inside = pos - start if facts.strand == "+" else end - pos
            return offset + inside + 1
        offset += end - start + 1
    return None


def _c_number(facts: TranscriptFacts, t_pos: int) -> str:
    """``N``, ``-N`` or ``*N`` for a transcript position (the CDS must be known)."""
    assert facts.cds is not None
    first = facts.cds[0] if facts.strand == "+" else facts.cds[1]
    last = facts.cds[1] if facts.strand == "+" else facts.cds[0]
    cds_start, cds_end = _transcript_position(facts, first), _transcript_position(facts, last)
    if cds_start is None or cds_end is None:
        return ""
    if t_pos < cds_start:
        return f"-{cds_start - t_pos}"
    if t_pos > cds_end:
        return f"*{t_pos - cds_end}"
    return str(t_pos - cds_start + 1)


def _intronic(facts: TranscriptFacts, pos: int) -> str | None:
    """``N+d`` / ``N-d`` for a position between two exons of the transcript."""
    exons = facts.exons
    for (_, left_end), (right_start, _) in pairwise(exons):
        if left_end < pos < right_start:
            up, down = pos - left_end, right_start - pos  # distances in genomic orientation
            if facts.strand == "+":
                before, after = left_end, right_start  # preceding / following exon edge
                d_before, d_after = up, down
            else:
                before, after = right_start, left_end
                d_before, d_after = down, up
            if d_before <= d_after:
                t_pos = _transcript_position(facts, before)
                return None if t_pos is None else f"{_c_number(facts, t_pos)}+{d_before}"
            t_pos = _transcript_position(facts, after)
            return None if t_pos is None else f"{_c_number(facts, t_pos)}-{d_after}"
    return None


def c_position(facts: TranscriptFacts, pos: int) -> str | None:
    """``5411``, ``-12``, ``*30``, ``4357+1`` for genomic ``pos``; None outside the transcript."""
    t_pos = _transcript_position(facts, pos)
    number = _c_number(facts, t_pos) if t_pos is not None else _intronic(facts, pos)
    return number or None


def substitution_hgvsc(facts: TranscriptFacts, dna_change: str) -> str | None:
    """``c.5411T>A`` for csq's ``41199716A>T`` on this transcript; None when not computable."""
    match = _DNA_CHANGE.match(dna_change)
    if not coding_reference(facts) or not match:
        return None
    pos, ref, alt = int(match.group(1)), match.group(2), match.group(3)
    if len(ref) != len(alt):
        return None
    if facts.strand == "-":
        ref, alt = ref.translate(_COMPLEMENT)[::-1], alt.translate(_COMPLEMENT)[::-1]
        pos = pos + len(ref) - 1  # HGVS numbers from the transcript's 5' end
    t_pos = _transcript_position(facts, pos)
    number = _c_number(facts, t_pos) if t_pos is not None else _intronic(facts, pos)
    if not number:
        return None
    if len(ref) == 1:
        return f"c.{number}{ref}>{alt}"
    if facts.strand == "-":
        end_pos = pos - len(ref) + 1
    else:
        end_pos = pos + len(ref) - 1
    t_end = _transcript_position(facts, end_pos)
    end = _c_number(facts, t_end) if t_end is not None else _intronic(facts, end_pos)
    return f"c.{number}_{end}delins{alt}" if end else None
