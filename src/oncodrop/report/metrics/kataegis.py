"""Kataegis: runs of closely spaced SNVs (localised hypermutation, often APOBEC-driven).

An event is a maximal run of >= ``min_snvs`` (6) PASS SNVs on one chromosome, sorted by
position, where every inter-mutation distance is <= ``max_distance`` (1000 bp). Unlike
PCGR's ``kataegis_detect`` we never join runs across chromosomes and we do not drop a run at
the very end of the list. Each event reports its share of C>X changes (PCGR's ``weight.C>X``)
and, with a reference FASTA, the share of C>T/C>G at TpCpN (APOBEC's preferred context).
Precondition: at least ``min_snvs`` SNVs (else "not computable").
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.loci import IntArray, Loci
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.signatures import snv_context

MIN_SNVS = 6
MAX_DISTANCE = 1000
APOBEC_CONTEXTS = frozenset(
    {"T[C>T]A", "T[C>T]C", "T[C>T]G", "T[C>T]T", "T[C>G]A", "T[C>G]C", "T[C>G]G", "T[C>G]T"}
)
LIKELY_APOBEC_SHARE = 0.5  # an event with at least this TpCpN C>T/G share is called APOBEC-like


@dataclass(frozen=True, slots=True)
class KataegisEvent:
    """One cluster of SNVs; ``apobec_fraction`` is None without a reference FASTA."""

    chrom: str
    start: int
    end: int
    n_snvs: int
    mean_distance: float
    c_fraction: float  # share of SNVs with a C (pyrimidine-centred) reference
    apobec_fraction: float | None

    @property
    def apobec_like(self) -> bool:
        return self.apobec_fraction is not None and self.apobec_fraction >= LIKELY_APOBEC_SHARE


def find_kataegis(
    variants: Sequence[Variant],
    genome: ReferenceGenome | None = None,
    *,
    min_snvs: int = MIN_SNVS,
    max_distance: int = MAX_DISTANCE,
) -> tuple[KataegisEvent, ...]:
    """All kataegis events, by chromosome (input order of first appearance) then position."""
    snvs = Loci.of(v for v in variants if v.filter_pass and v.variant_class == "SNV")
    return kataegis_events(snvs, genome, min_snvs=min_snvs, max_distance=max_distance)


def kataegis_events(
    snvs: Loci,
    genome: ReferenceGenome | None = None,
    *,
    min_snvs: int = MIN_SNVS,
    max_distance: int = MAX_DISTANCE,
) -> tuple[KataegisEvent, ...]:
    """``find_kataegis`` over the PASS SNVs as loci (in input order)."""
    events: list[KataegisEvent] = []
    for chrom in snvs.contigs():
        indexes, positions = snvs.on_contig(chrom)
        order = np.argsort(positions, kind="stable")  # as list.sort: ties keep input order
        ordered = positions[order]
        cuts = np.flatnonzero(np.diff(ordered) > max_distance) + 1
        bounds = [0, *cuts.tolist(), len(ordered)]
        for start, end in itertools.pairwise(bounds):
            if end - start >= min_snvs:
                events.append(_event(snvs, indexes[order[start:end]], genome))
    return tuple(events)


def _event(snvs: Loci, run: IntArray, genome: ReferenceGenome | None) -> KataegisEvent:
    """The event of the SNVs at indexes ``run`` (position order), read one at a time: a dense
    region of a whole genome can be one run of tens of thousands of SNVs, too many to hold as objects."""
    n = len(run)
    first, last = snvs[int(run[0])], snvs[int(run[-1])]
    c_count = hits = 0
    trinucleotide = genome.trinucleotide if genome is not None else None
    for v in snvs.take(run.tolist()):
        c_count += v.ref.upper() in "CG"
        if trinucleotide is not None:
            tri = trinucleotide(v.chrom, v.pos)
            hits += bool(tri) and snv_context(v.ref.upper(), v.alt.upper(), tri or "") in APOBEC_CONTEXTS
    apobec = hits / n if genome is not None else None
    span = last.pos - first.pos
    return KataegisEvent(first.chrom, first.pos, last.pos, n, span / (n - 1), c_count / n, apobec)


def kataegis_metric(events: Sequence[KataegisEvent], n_snvs: int, min_snvs: int = MIN_SNVS) -> Metric:
    """Number of events; "not computable" when there are fewer SNVs than one event needs."""
    if n_snvs < min_snvs:
        return Metric("kataegis", None, "events", f"not computable: {n_snvs} SNVs, fewer than {min_snvs}")
    details: dict[str, float | int | str | None] = {
        "n_events": len(events),
        "n_apobec_like": sum(e.apobec_like for e in events),
        "n_snvs_in_events": sum(e.n_snvs for e in events),
    }
    return Metric("kataegis", float(len(events)), "events", "", details)
