"""Synthetic passenger indels with a known microsatellite answer, on the bundle's genome.

Without a single insertion/deletion record the MSI estimate is rightly "not computable", so the
demo tumours carry a few indels, as an MSS tumour does: an ``IndelPlan`` states how many are
coding (in-frame, so they count towards TMB and the MSI indel share) and how many of each kind
sit in microsatellites, and ``draw_indels`` places exactly that many. Microsatellite is the MSI
estimate's definition (docs/methods.md, "MSI"): the changed bases belong to a homopolymer of
>= 5 or a 2-6 bp unit repeated >= 3 times in the reference, counted rightwards from the
left-aligned anchor. Every indel is left-aligned and its REF read from the bundle FASTA.

Coding indels are in-frame, never frameshifts: the demo genes are cancer genes with gene-level
"Mutation"/"Loss-of-function" evidence (BRCA1/2, TP53, ATM) that a frameshift would match,
turning a passenger into a Tier I finding and changing the demo's headline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pysam

from oncodrop.demo.passengers import passenger
from oncodrop.domain.variant import Variant
from oncodrop.refdata.bundle import GeneLocus

FLANK = 30
"""Bases right of the anchor that the MSI estimate reads for repeat context (its default)."""
MAX_TRIES = 5000
"""Rejected draws allowed per indel before the genome is declared unsuitable."""
_HOMOPOLYMER = re.compile(r"A{6,}|C{6,}|G{6,}|T{6,}")
_TRIPLET_REPEAT = re.compile(r"(?=(([ACGT]{3})\2\2))")

Region = Literal["coding", "intron"]


@dataclass(frozen=True, slots=True)
class IndelPlan:
    """How many passenger indels a demo tumour gets and how many of them are microsatellite ones.

    Coding indels are 3 bp in-frame deletions/insertions (microsatellite ones: one unit of a
    3 bp repeat of >= 3 copies); intronic ones are 1-4 bp (microsatellite ones: one base of a
    homopolymer of >= 6). The MSI estimate counts the coding ones only, so its known answer is
    ``coding`` indels of which ``coding_microsatellite`` in microsatellites.
    """

    coding: int
    coding_microsatellite: int
    intronic: int
    intronic_microsatellite: int

    def __post_init__(self) -> None:
        if not (0 <= self.coding_microsatellite <= self.coding and 0 <= self.intronic_microsatellite <= self.intronic):
            raise ValueError(f"{self}: more microsatellite indels than indels")

    def draws(self) -> list[tuple[Region, bool]]:
        """(region, in a microsatellite) for each indel, in drawing order."""
        counts: tuple[tuple[Region, bool, int], ...] = (
            ("coding", True, self.coding_microsatellite),
            ("coding", False, self.coding - self.coding_microsatellite),
            ("intron", True, self.intronic_microsatellite),
            ("intron", False, self.intronic - self.intronic_microsatellite),
        )
        return [(region, microsatellite) for region, microsatellite, n in counts for _ in range(n)]


@dataclass(frozen=True, slots=True)
class _Indel:
    """A left-aligned indel in gene coordinates: ``anchor`` indexes ``seq``, ``changed`` the
    deleted or inserted bases after it."""

    anchor: int
    changed: str
    insertion: bool


def is_microsatellite(right: str, changed: str, insertion: bool) -> bool:
    """The MSI estimate's rule for an indel whose changed bases are ``changed`` and whose
    reference continues with ``right`` after the anchor: the longest run (in bases) of a 1-6 bp
    unit that ``changed`` is made of, counting inserted copies; >= 5 copies for a homopolymer,
    >= 3 for longer units."""
    best_unit, best_copies = changed[:1], 0
    for size in range(1, min(6, len(changed)) + 1):
        unit = changed[:size]
        whole = len(changed) // size
        if unit * whole != changed[: size * whole]:
            continue
        copies = 0
        while right[copies * size : (copies + 1) * size] == unit:
            copies += 1
        copies += whole if insertion else 0
        if copies * size > best_copies * len(best_unit):
            best_unit, best_copies = unit, copies
    return best_copies >= (5 if len(best_unit) == 1 else 3)


def left_align(seq: str, indel: _Indel) -> _Indel:
    """Shift ``indel`` left while the base before it equals the last changed base (the VCF
    normal form that bcftools norm and the MSI estimate's rightward look-up expect)."""
    anchor, changed = indel.anchor, indel.changed
    if indel.insertion:
        while anchor > 0 and seq[anchor] == changed[-1]:
            changed, anchor = changed[-1] + changed[:-1], anchor - 1
    else:
        while anchor > 0 and seq[anchor] == changed[-1]:
            anchor -= 1
            changed = seq[anchor + 1 : anchor + 1 + len(changed)]
    return _Indel(anchor, changed, indel.insertion)


def draw_indels(
    plan: IndelPlan,
    fasta: pysam.FastaFile,
    genes: Sequence[GeneLocus],
    rng: np.random.Generator,
    *,
    existing: Iterable[Variant] = (),
) -> list[Variant]:
    """The indels of ``plan`` inside ``genes`` (picked by length, like the passenger SNVs), none
    overlapping ``existing`` variants or each other, each checked to be left-aligned and to be
    a microsatellite indel exactly when the plan says so."""
    seqs = {g.symbol: fasta.fetch(g.chrom, g.start - 1, g.end + FLANK).upper() for g in genes}
    lengths = np.array([g.end - g.start + 1 for g in genes], dtype=float)
    used = {(v.chrom, p) for v in existing for p in range(v.pos - 1, v.pos + len(v.ref) + 1)}
    out: list[Variant] = []
    for region, microsatellite in plan.draws():
        for _ in range(MAX_TRIES):
            gene = genes[int(rng.choice(len(genes), p=lengths / lengths.sum()))]
            seq = seqs[gene.symbol]
            indel = _propose(seq, gene.end - gene.start + 1, region, microsatellite, rng)
            if indel is None:
                continue
            indel = left_align(seq, indel)
            pos = gene.start + indel.anchor
            span = range(pos - 1, pos + (0 if indel.insertion else len(indel.changed)) + 2)
            window = seq[indel.anchor : indel.anchor + 1 + len(indel.changed) + FLANK]
            if (indel.anchor < 1 or indel.anchor >= gene.end - gene.start or "N" in window
                    or any((gene.chrom, p) in used for p in span)
                    or is_microsatellite(seq[indel.anchor + 1 : indel.anchor + 1 + FLANK], indel.changed,
                                         indel.insertion) != microsatellite):  # fmt: skip
                continue
            used.update((gene.chrom, p) for p in span)
            out.append(_variant(gene, pos, seq, indel, region, rng))
            break
        else:
            raise RuntimeError(f"no {region} indel ({'in' if microsatellite else 'outside'} a microsatellite) "
                               f"found in {MAX_TRIES} draws: is the demo genome sequenced around its genes?")  # fmt: skip
    return out


def _propose(seq: str, length: int, region: Region, microsatellite: bool, rng: np.random.Generator) -> _Indel | None:
    """An indel near a random offset of the gene: at the next repeat when ``microsatellite``."""
    start = int(rng.integers(1, length))
    insertion = bool(rng.random() < 0.3)  # deletions outnumber insertions in tumour exomes
    if microsatellite:
        pattern = _TRIPLET_REPEAT if region == "coding" else _HOMOPOLYMER
        match = pattern.search(seq, start, min(length, start + 5000))
        if match is None:
            return None
        if region == "coding":
            unit = match.group(2)
            if len(set(unit)) == 1:
                return None  # a homopolymer, not a 3 bp unit
            return _Indel(match.start() - 1, unit, insertion)
        return _Indel(match.start() - 1, match.group()[0], insertion)
    size = 3 if region == "coding" else int(rng.integers(1, 5))
    if insertion:
        return _Indel(start, "".join("ACGT"[i] for i in rng.integers(0, 4, size=size)), True)
    return _Indel(start, seq[start + 1 : start + 1 + size], False)


def _variant(gene: GeneLocus, pos: int, seq: str, indel: _Indel, region: Region, rng: np.random.Generator) -> Variant:
    anchor = seq[indel.anchor]
    if indel.insertion:
        ref, alt, term = anchor, anchor + indel.changed, "inframe_insertion"
    else:
        ref, alt, term = anchor + indel.changed, anchor, "inframe_deletion"
    return passenger(gene, pos, ref, alt, rng, terms=(term,) if region == "coding" else ("intron_variant",))
