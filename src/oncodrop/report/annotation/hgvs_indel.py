"""HGVS c. of deletions, duplications, insertions and delins, 3'-shifted against the genome.

bcftools csq names an indel by its VCF position only (``41245699TAGA>T``); HGVS names it on
the transcript after the 3' rule: a deletion or insertion in a repeat is moved as far towards
the transcript's 3' end as the genome sequence allows (rightwards on the plus strand,
leftwards on the minus strand), and an insertion that repeats the bases just before it is a
``dup``. The shift never crosses an exon–intron border: a change is not moved out of the exon
or intron it lies in, and an indel that straddles a border is named where it is (our choice,
after the exception HGVS's 3' rule makes at exon/exon junctions of c. references; not checked
against VEP's ``--shift_hgvs`` on such cases). Positions use the same numbering as substitutions
(``annotation.hgvsc``: ``c.N``, ``c.-N``, ``c.*N``, ``c.N+d``/``c.N-d``); deleted bases are
not repeated after ``del``/``dup`` (current HGVS, as VEP writes it). None whenever the answer
is not certain: no CDS, an incomplete 5' CDS, a REF that disagrees with the genome, a repeat
longer than the window read, an end outside the transcript.

The genome is the FASTA bcftools csq ran with, given by the caller that ran it
(``annotation.gene_model.GeneModel``; read through ``report.metrics.sequence.ReferenceGenome``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from oncodrop.report.annotation.gene_model import Genome
from oncodrop.report.annotation.hgvsc import (
    c_position,
    coding_reference,
    reverse_complement,
    substitution_hgvsc,
)
from oncodrop.report.annotation.pick import TranscriptFacts

FIRST_READ = 64  # bases read on each side first; most repeats end well inside
WINDOW = 2000  # then this many: a repeat longer than this gets no HGVSc


def trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The change without the bases REF and ALT share (suffix first, then prefix, as VCF
    normalisation does): ``(first changed position, deleted, inserted)``; an insertion goes
    before the returned position."""
    ref, alt = ref.upper(), alt.upper()
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _segment(facts: TranscriptFacts, pos: int) -> tuple[int, int] | None:
    """The exon or intron of the transcript holding ``pos`` (genomic span)."""
    for start, end in facts.exons:
        if start <= pos <= end:
            return start, end
    for (_, left_end), (right_start, _) in pairwise(facts.exons):
        if left_end < pos < right_start:
            return left_end + 1, right_start - 1
    return None


@dataclass(frozen=True, slots=True)
class _Window:
    """Genome bases ``first``..``first + len(seq) - 1``; '' outside."""

    seq: str
    first: int

    def at(self, pos: int) -> str:
        i = pos - self.first
        return self.seq[i] if 0 <= i < len(self.seq) else ""

    def span(self, start: int, end: int) -> str:
        return self.seq[max(start - self.first, 0) : max(end - self.first + 1, 0)]


def _shift(facts: TranscriptFacts, win: _Window, start: int, deleted: str, inserted: str,
           bounds: tuple[int, int]) -> tuple[int, str] | None:  # fmt: skip
    """3'-most (transcript strand) start of a pure deletion (``deleted`` from ``start``) or
    insertion (``inserted`` before ``start``) inside ``bounds``, with the rotated inserted
    bases; None when the shift runs off the window before the bounds."""
    lo, hi = bounds
    if deleted:
        end = start + len(deleted) - 1
        if facts.strand == "+":
            while end + 1 <= hi and win.at(end + 1) == win.at(start):
                start, end = start + 1, end + 1
            return None if end + 1 <= hi and not win.at(end + 1) else (start, inserted)
        while start - 1 >= lo and win.at(start - 1) == win.at(end):
            start, end = start - 1, end - 1
        return None if start - 1 >= lo and not win.at(start - 1) else (start, inserted)
    if facts.strand == "+":
        while start <= hi and win.at(start) == inserted[0]:
            inserted, start = inserted[1:] + inserted[0], start + 1
        return None if start <= hi and not win.at(start) else (start, inserted)
    while start - 1 >= lo and win.at(start - 1) == inserted[-1]:
        inserted, start = inserted[-1] + inserted[:-1], start - 1
    return None if start - 1 >= lo and not win.at(start - 1) else (start, inserted)


def _span(facts: TranscriptFacts, first: int, last: int) -> str | None:
    """``c.A_B`` (or ``c.A``) for genomic ``first``..``last``, 5'->3' on the transcript."""
    if facts.strand == "-":
        first, last = last, first
    a, b = c_position(facts, first), c_position(facts, last)
    if not a or not b:
        return None
    return a if first == last else f"{a}_{b}"


def record_hgvsc(facts: TranscriptFacts, pos: int, ref: str, alt: str, genome: Genome | None) -> str | None:
    """HGVS c. of one VCF change (``pos``, ``ref``, ``alt``) on this transcript: substitutions
    by ``annotation.hgvsc``, indels 3'-shifted against ``genome`` (none without it); None when
    not certain (module docstring)."""
    if not coding_reference(facts):
        return None
    start, deleted, inserted = trim(pos, ref, alt)
    if not deleted and not inserted:
        return None
    if len(deleted) == len(inserted):
        return substitution_hgvsc(facts, f"{start}{deleted}>{inserted}")
    if genome is None or not facts.seqid:
        return None
    for flank in (FIRST_READ, WINDOW):
        named = _indel(facts, genome, start, deleted, inserted, flank + len(deleted) + len(inserted))
        if named is not _RAN_OFF:
            return named
    return None


_RAN_OFF = "ran off the window"


def _indel(facts: TranscriptFacts, genome: Genome, start: int, deleted: str, inserted: str,
           flank: int) -> str | None:  # fmt: skip
    """``record_hgvsc`` of a trimmed indel with ``flank`` genome bases read on each side;
    ``_RAN_OFF`` when the 3' shift reaches the end of what was read."""
    end = start + len(deleted) - 1  # == start - 1 for an insertion
    try:
        seq = genome.bases(facts.seqid, start - flank, end + flank)
    except (KeyError, ValueError, OSError):
        return None
    win = _Window(seq, max(start - flank, 1))
    if deleted and win.span(start, end) != deleted:
        return None  # the VCF's REF is not the genome's: nothing to shift against
    if deleted and inserted:
        where = _span(facts, start, end)
        rc = reverse_complement(inserted) if facts.strand == "-" else inserted
        return f"c.{where}delins{rc}" if where else None
    left, right = (start, end) if deleted else (start - 1, start)
    segment = _segment(facts, left)
    if segment is not None and segment == _segment(facts, right):
        shifted = _shift(facts, win, start, deleted, inserted, segment)
        if shifted is None:
            return _RAN_OFF
        start, inserted = shifted
        end = start + len(deleted) - 1
    if deleted:
        where = _span(facts, start, end)
        return f"c.{where}del" if where else None
    n = len(inserted)
    copy = (start - n, start - 1) if facts.strand == "+" else (start, start + n - 1)
    if win.span(*copy) == inserted and len(win.span(*copy)) == n:
        where = _span(facts, *copy)
        return f"c.{where}dup" if where else None
    where = _span(facts, start - 1, start)
    rc = reverse_complement(inserted) if facts.strand == "-" else inserted
    return f"c.{where}ins{rc}" if where else None
