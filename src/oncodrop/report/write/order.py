"""Report order: tier first (I before IV), then karyotypic position, then allele.

Every output that lists variants lists them in this order; the streamed reporter reproduces
it from compact keys (``spill``), so the rule lives here once.
"""

from __future__ import annotations

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
    """The ``limit`` first findings in report order, from findings added in any order.

    Candidates are appended to a list, cut back to the first ``limit`` by one sort whenever
    they exceed it by a quarter; after a cut only keys before the last one kept can still
    be among the first. (A heap of the ``limit`` first compared its keys in Python at every
    push: ~1.5x the CPU for the 10,000 findings a report keeps of 100,000.)"""

    __slots__ = ("_bound", "_kept", "_limit")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._kept: list[tuple[SortKey, Finding]] = []
        self._bound: SortKey | None = None  # the last key kept at the last cut

    def add(self, key: SortKey, finding: Finding) -> None:
        """Offer ``finding`` (``key``: its ``finding_sort_key``)."""
        bound = self._bound
        if bound is None or key < bound:
            kept = self._kept
            kept.append((key, finding))
            if len(kept) > self._limit + self._limit // 4:
                self._cut()

    def _cut(self) -> None:
        kept = self._kept
        kept.sort(key=_key)  # by key alone: findings do not compare
        del kept[self._limit :]
        self._bound = kept[-1][0] if kept and len(kept) == self._limit else None

    def findings(self) -> list[Finding]:
        """The findings kept, in report order."""
        self._cut()
        return [f for _, f in self._kept]


def _key(item: tuple[SortKey, Finding]) -> SortKey:
    return item[0]
