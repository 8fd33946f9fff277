"""PVS1 by the ClinGen SVI decision tree (Abou Tayoun et al. 2018, Hum Mutat 39:1517).

The tree asks, for a null variant in a gene where loss of function causes disease: is the
premature stop predicted to trigger nonsense-mediated decay (NMD: the stop's first base more
than 50 nt before the last exon–exon junction) -> PVS1; if not, does the lost or altered part
exceed 10 % of the protein -> PVS1_Strong, else PVS1_Moderate. A canonical ±1/2 splice
variant is read as skipping of the exon next to it: in frame -> the 10 % question; out of
frame -> the NMD question. Start loss -> PVS1_Moderate; a whole-transcript deletion -> PVS1.

The answers come from the gene model's transcript (``TranscriptFacts``: exons, CDS span and
length) when the bundle has one for the annotated transcript, otherwise from the
annotation's exon number ("exon 11 of 27"). Branches we cannot decide from the data we carry
take the weaker strength and the criterion's reason says so: "critical region" and
"LoF frequent in the population / exon not in the relevant transcript" (no data), an exon
skip whose new stop would lie in the last two exons (no sequence to find the stop), and
a start loss's alternative start codons (not checked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncodrop.domain.classification import CriterionResult
from oncodrop.domain.variant import Variant
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.germline.acmg import criterion

NMD_DISTANCE_NT = 50  # the stop's first base must lie more than this before the last junction
PROTEIN_FRACTION = 0.10  # "removes > 10 % of the protein" -> Strong, else Moderate
TRUNCATING_TERMS = frozenset({"stop_gained", "frameshift_variant"})
SPLICE_SITE_TERMS = frozenset({"splice_donor_variant", "splice_acceptor_variant"})
_NEW_STOP = re.compile(r"fs\*(\d+)$|fsTer(\d+)$")
_STOP_HERE = re.compile(r"^p\.[A-Z]\d+\*$")  # p.S1982*: the frameshift's first codon is a stop
_ORDER = ("PVS1", "PVS1_Strong", "PVS1_Moderate")  # strongest first


@dataclass(frozen=True, slots=True)
class Geometry:
    """A transcript's exons in transcript order (5' -> 3') and where its CDS lies on them."""

    exons: tuple[tuple[int, int], ...]  # genomic spans, 5' exon first
    strand: str
    cds: tuple[int, int]  # genomic span of the CDS (incl. stop codon)
    cds_start_t: int  # transcript coordinate (1-based) of c.1
    protein_length: int  # residues, stop codon excluded

    @classmethod
    def of(cls, facts: TranscriptFacts | None) -> Geometry | None:
        """None when the transcript has no exons or no CDS in the gene model."""
        if facts is None or not facts.exons or facts.cds is None or facts.cds_length < 6:
            return None
        exons = facts.exons if facts.strand == "+" else tuple(reversed(facts.exons))
        first = facts.cds[0] if facts.strand == "+" else facts.cds[1]
        geo = cls(exons, facts.strand, facts.cds, 0, facts.cds_length // 3 - 1)
        start = geo.transcript_pos(first)
        return None if start is None else cls(exons, facts.strand, facts.cds, start, geo.protein_length)

    def transcript_pos(self, pos: int) -> int | None:
        """1-based position of genomic ``pos`` on the spliced transcript (None: not exonic)."""
        done = 0
        for start, end in self.exons:
            if start <= pos <= end:
                return done + (pos - start + 1 if self.strand == "+" else end - pos + 1)
            done += end - start + 1
        return None

    @property
    def last_junction(self) -> int | None:
        """Transcript coordinate of the penultimate exon's last base (None: one exon)."""
        if len(self.exons) < 2:
            return None
        return sum(end - start + 1 for start, end in self.exons[:-1])

    def stop_t(self, codon: int) -> int:
        """Transcript coordinate of the first base of ``codon`` (1-based codon number)."""
        return self.cds_start_t + (codon - 1) * 3

    def exon_of_t(self, t: int) -> int:
        """0-based transcript-order index of the exon holding transcript coordinate ``t``."""
        done = 0
        for i, (start, end) in enumerate(self.exons):
            done += end - start + 1
            if t <= done:
                return i
        return len(self.exons) - 1

    def nmd(self, codon: int) -> tuple[bool, str]:
        """Is a stop at ``codon`` predicted to trigger NMD, and the sentence saying why."""
        junction = self.last_junction
        t = self.stop_t(codon)
        if junction is None:
            return False, "single-exon transcript: no exon–exon junction, NMD not predicted"
        if t > junction:
            return False, f"stop at codon {codon} lies in the last exon: NMD not predicted"
        distance = junction - t + 1
        if distance <= NMD_DISTANCE_NT:
            return False, (
                f"stop at codon {codon} lies {distance} nt before the last exon–exon junction "
                f"(≤ {NMD_DISTANCE_NT}): NMD not predicted"
            )
        return True, (f"stop at codon {codon} lies {distance} nt before the last exon–exon junction "
                      f"(> {NMD_DISTANCE_NT}): NMD predicted")  # fmt: skip

    def removed_fraction(self, first_codon: int) -> float:
        """Share of the protein from ``first_codon`` to the end (the lost or altered part)."""
        return max(0, self.protein_length - first_codon + 1) / self.protein_length

    def splice_site(self, start: int, end: int) -> tuple[str, int] | None:
        """("donor"|"acceptor", index of the exon a ±1/2 change there would skip) or None."""
        for i in range(len(self.exons) - 1):
            (up_s, up_e), (down_s, down_e) = self.exons[i], self.exons[i + 1]
            if self.strand == "+":
                donor, acceptor = (up_e + 1, up_e + 2), (down_s - 2, down_s - 1)
            else:
                donor, acceptor = (up_s - 2, up_s - 1), (down_e + 1, down_e + 2)
            if start <= donor[1] and end >= donor[0]:
                return "donor", i
            if start <= acceptor[1] and end >= acceptor[0]:
                return "acceptor", i + 1
        return None

    def first_codon_of_exon(self, index: int) -> int:
        """Codon number of the exon's first coding base (the exon must be wholly coding)."""
        start, end = self.exons[index]
        t = self.transcript_pos(start if self.strand == "+" else end)
        assert t is not None
        return (t - self.cds_start_t) // 3 + 1


def _strength(code: str, why: str, gene: str) -> CriterionResult:
    return criterion(code, f"{why} ({gene}, loss-of-function gene; ClinGen SVI PVS1 tree)")


def _by_fraction(geo: Geometry | None, first_codon: int | None, lead: str, gene: str) -> CriterionResult:
    """The tree's "NMD not predicted" leaves: > 10 % of the protein -> Strong, else Moderate."""
    note = "critical-region and population-LoF branches not assessed (no data)"
    if geo is None or first_codon is None:
        return _strength("PVS1_Moderate", f"{lead}; share of the protein lost unknown without the "
                         f"gene model's CDS: conservative PVS1_Moderate; {note}", gene)  # fmt: skip
    fraction = geo.removed_fraction(first_codon)
    code = "PVS1_Strong" if fraction > PROTEIN_FRACTION else "PVS1_Moderate"
    cmp = ">" if fraction > PROTEIN_FRACTION else "≤"
    return _strength(code, f"{lead}; removes {fraction:.1%} of the {geo.protein_length}-aa protein "
                     f"({cmp} {PROTEIN_FRACTION:.0%}); {note}", gene)  # fmt: skip


def new_stop_codon(v: Variant) -> int | None:
    """Codon number of the premature stop: the codon itself for a nonsense change, the
    first changed codon + N − 1 for a frameshift written ``fs*N`` (None: not given)."""
    csq = v.consequence
    if csq is None or csq.protein_position is None:
        return None
    if "frameshift_variant" not in csq.terms:
        return csq.protein_position if "stop_gained" in csq.terms else None
    if _STOP_HERE.search(csq.hgvsp or ""):
        return csq.protein_position
    match = _NEW_STOP.search(csq.hgvsp or "") or _NEW_STOP.search(csq.hgvsp_long or "")
    if match is None:
        return None
    return csq.protein_position + int(match.group(1) or match.group(2)) - 1


def _exon_rank(v: Variant) -> tuple[int, int] | None:
    csq = v.consequence
    if csq is None or csq.exon is None or csq.exon_count is None:
        return None
    return csq.exon, csq.exon_count


def truncating(v: Variant, geo: Geometry | None, gene: str) -> CriterionResult:
    """Nonsense or frameshift: NMD -> PVS1, else the 10 % question."""
    csq = v.consequence
    term = "stop_gained" if csq is not None and "stop_gained" in csq.terms else "frameshift_variant"
    first = csq.protein_position if csq is not None else None
    stop = new_stop_codon(v)
    if geo is not None and first is not None:
        if stop is not None:
            nmd, why = geo.nmd(stop)
        else:  # frameshift whose new stop the annotation does not give
            exon, last = geo.exon_of_t(geo.stop_t(first)), len(geo.exons) - 1
            nmd = exon <= last - 2 and geo.nmd(first)[0]
            why = f"new stop not given; frameshift in exon {exon + 1} of {last + 1}: " + (
                "NMD predicted (two or more exons follow)"
                if nmd
                else "NMD not assumed (the stop may fall in the last 50 nt of the penultimate or in the last exon)"
            )
        if nmd:
            return _strength("PVS1", f"{term}: {why}", gene)
        return _by_fraction(geo, first, f"{term}: {why}", gene)
    rank = _exon_rank(v)
    if rank is None:
        return _by_fraction(None, first, f"{term}: exon position unknown, NMD cannot be predicted", gene)
    exon, count = rank
    if count > 1 and exon <= count - 2:
        return _strength("PVS1", f"{term} in exon {exon} of {count}: NMD predicted (the penultimate "
                         "exon lies between it and the last exon–exon junction; exon lengths not in the "
                         "annotation)", gene)  # fmt: skip
    if exon == count:
        why = "the last exon: NMD not predicted"
    else:  # the penultimate exon: its last 50 nt escape NMD, and exon lengths are not known
        why = "the penultimate exon: NMD not assumed (its last 50 nt escape NMD; exon lengths not in the annotation)"
    return _by_fraction(None, first, f"{term} in exon {exon} of {count}, {why}", gene)


def splice(v: Variant, geo: Geometry | None, gene: str) -> CriterionResult | None:
    """Canonical ±1/2 splice site: the exon next to it is assumed skipped."""
    if geo is None:
        return criterion("PVS1_Moderate", f"canonical splice site in {gene}: exon structure unknown without "
                         "the gene model, so in-frame skipping cannot be excluded: conservative PVS1_Moderate "
                         "(ClinGen SVI PVS1 tree)")  # fmt: skip
    site = geo.splice_site(v.pos, v.pos + max(len(v.ref), 1) - 1)
    if site is None:
        return criterion(
            "PVS1_Moderate",
            f"splice term in {gene} but not at a ±1/2 intron base of the "
            "gene model's transcript: conservative PVS1_Moderate (ClinGen SVI PVS1 tree)",
        )
    kind, index = site
    n = len(geo.exons)
    start, end = geo.exons[index]
    lo, hi = geo.cds
    lead = f"splice {kind} of exon {index + 1} of {n}"
    if end < lo or start > hi:
        return None  # a non-coding exon: skipping it leaves the CDS whole
    if not (lo <= start and end <= hi):
        return _by_fraction(None, None, f"{lead}, which holds the start or stop codon: effect of skipping not "
                            "modelled", gene)  # fmt: skip
    length = end - start + 1
    first = geo.first_codon_of_exon(index)
    if length % 3 == 0:
        fraction = length // 3 / geo.protein_length
        code = "PVS1_Strong" if fraction > PROTEIN_FRACTION else "PVS1_Moderate"
        cmp = ">" if fraction > PROTEIN_FRACTION else "≤"
        return _strength(code, f"{lead}: skipping keeps the frame ({length} nt) and removes "
                         f"{fraction:.1%} of the protein ({cmp} {PROTEIN_FRACTION:.0%}); critical-region "
                         "branch not assessed (no data)", gene)  # fmt: skip
    shifted = f"{lead}: skipping shifts the frame ({length} nt)"
    if index + 1 <= n - 3:
        return _strength("PVS1", f"{shifted}, {n - index - 1} exons follow: NMD predicted (new stop "
                         "assumed before the penultimate exon; no sequence to locate it)", gene)  # fmt: skip
    return _by_fraction(geo, first, f"{shifted} and the new stop would lie in the last two exons: NMD not "
                        "assumed", gene)  # fmt: skip


def pvs1_tree(v: Variant, null: frozenset[str], facts: TranscriptFacts | None, gene: str) -> CriterionResult | None:
    """The strongest PVS1 leaf among the variant's null terms (``null``), or None."""
    geo = Geometry.of(_matching(v, facts))
    met: list[CriterionResult] = []
    if "transcript_ablation" in null:
        met.append(criterion("PVS1", f"transcript_ablation: the whole transcript of {gene} is deleted"))
    if null & TRUNCATING_TERMS:
        met.append(truncating(v, geo, gene))
    if null & SPLICE_SITE_TERMS and (found := splice(v, geo, gene)) is not None:
        met.append(found)
    if "exon_loss_variant" in null:
        met.append(
            criterion(
                "PVS1_Moderate",
                f"exon_loss_variant in {gene}: which exons and whether the frame "
                "is kept are not modelled: conservative PVS1_Moderate (ClinGen SVI PVS1 tree)",
            )
        )
    if "start_lost" in null:
        met.append(
            criterion(
                "PVS1_Moderate",
                f"start_lost in {gene} (loss-of-function gene): PVS1_Moderate; "
                "alternative start codons and pathogenic variants upstream of the next in-frame "
                "Met not checked (ClinGen SVI PVS1 tree)",
            )
        )
    return min(met, key=lambda c: _ORDER.index(c.code)) if met else None


def _matching(v: Variant, facts: TranscriptFacts | None) -> TranscriptFacts | None:
    """The gene model's transcript, unless its exon count contradicts the annotation's."""
    rank = _exon_rank(v)
    if facts is None or (rank is not None and rank[1] != len(facts.exons)):
        return None
    return facts
