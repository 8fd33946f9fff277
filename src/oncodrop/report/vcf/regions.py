"""Genomic regions to restrict reading to: merged per chromosome, with a fast overlap test."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from oncodrop.domain.genome import normalise_chrom

Region = tuple[str, int, int]  # (chrom, start, end), 1-based, inclusive


@dataclass(frozen=True, slots=True)
class RegionSet:
    """Non-overlapping, sorted intervals per normalised chromosome."""

    intervals: dict[str, tuple[tuple[int, int], ...]]

    @classmethod
    def of(cls, regions: Sequence[Region]) -> RegionSet:
        by_chrom: dict[str, list[tuple[int, int]]] = {}
        for chrom, start, end in regions:
            if end < start:
                start, end = end, start
            by_chrom.setdefault(normalise_chrom(str(chrom)), []).append((int(start), int(end)))
        merged: dict[str, tuple[tuple[int, int], ...]] = {}
        for chrom, spans in by_chrom.items():
            spans.sort()
            out: list[tuple[int, int]] = []
            for start, end in spans:
                if out and start <= out[-1][1] + 1:
                    out[-1] = (out[-1][0], max(out[-1][1], end))
                else:
                    out.append((start, end))
            merged[chrom] = tuple(out)
        return cls(merged)

    def overlaps(self, chrom: str, start: int, end: int) -> bool:
        """Does [start, end] (normalised chrom, 1-based) touch any interval?"""
        spans = self.intervals.get(chrom)
        if not spans:
            return False
        i = bisect_right(spans, (end, float("inf"))) - 1
        return i >= 0 and spans[i][1] >= start
