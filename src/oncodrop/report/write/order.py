"""Report order: tier first (I before IV), then karyotypic position, then allele.

Every output that lists variants lists them in this order; the streamed reporter reproduces
it from compact keys (``spill``), so the rule lives here once.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from oncodrop.domain.classification import Finding, Tier

CHROM_ORDER = {str(i): i for i in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25}
TIER_ORDER = {Tier.I: 0, Tier.II: 1, Tier.III: 2, Tier.IV: 3}
TIERS = tuple(TIER_ORDER)  # I, II, III, IV


def genomic_sort_key(chrom: str, pos: int) -> tuple[int, str, int]:
    """Karyotypic order: 1..22, X, Y, MT, then any other contig alphabetically."""
    return (CHROM_ORDER.get(chrom, 100), chrom, pos)


def allele_key(ref: str, alt: str) -> str:
    """The last key of report order: ``REF>ALT``."""
    return f"{ref}>{alt}"


def finding_sort_key(finding: Finding) -> tuple[int, tuple[int, str, int], str]:
    """Tier first (I before IV), then genomic position, then allele: a total order."""
    v = finding.variant
    return sort_key(finding.tier, v.chrom, v.pos, allele_key(v.ref, v.alt))


def sort_key(tier: Tier, chrom: str, pos: int, allele: str) -> tuple[int, tuple[int, str, int], str]:
    """``finding_sort_key`` from its parts (``allele``: ``allele_key``), for a caller that has them."""
    return (TIER_ORDER[tier], genomic_sort_key(chrom, pos), allele)


SortKey = tuple[int, tuple[int, str, int], str]


class FirstInOrder:
    """The ``limit`` first findings in report order, from findings added in any order."""

    __slots__ = ("_heap", "_limit")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._heap: list[tuple[_Descending, Finding]] = []  # a max-heap: the last kept on top

    def add(self, key: SortKey, finding: Finding) -> None:
        """Offer ``finding`` (``key``: its ``finding_sort_key``)."""
        if len(self._heap) < self._limit:
            heapq.heappush(self._heap, (_Descending(key), finding))
        elif key < self._heap[0][0].key:
            heapq.heapreplace(self._heap, (_Descending(key), finding))

    def findings(self) -> list[Finding]:
        """The findings kept, in no particular order."""
        return [f for _, f in self._heap]


@dataclass(frozen=True, slots=True)
class _Descending:
    key: SortKey

    def __lt__(self, other: _Descending) -> bool:
        return self.key > other.key
