"""The long tables' rows, spilled to disk per tier as variants are classified, read back in
report order.

The tiers TSV, the MAF, the all-variants table of the HTML page and the calls of the
interpretation input list every variant in report order (tier, karyotypic position, allele).
A streamed report renders each finding's rows once, as it is classified, appends them as one
record to its tier's file in a private folder and keeps per record only its contig number,
position and file offset (14 bytes instead of a ~1 KB ``Finding``). ``RowSpill.finish`` sorts
each tier by those keys (ties at one position by the record's ``REF>ALT``) and hands the
writers ``SpilledRows``, which reads the records back tier by tier in that order.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import numpy.typing as npt

from oncodrop.domain.classification import Tier
from oncodrop.report.write.order import TIERS, genomic_sort_key

Piece = Literal["tsv", "maf", "call", "table"]
PIECES: tuple[Piece, ...] = ("tsv", "maf", "call", "table")
_HEADER = struct.Struct("<5I")  # byte lengths of the allele key and of the PIECES


@dataclass(frozen=True, slots=True)
class RowPieces:
    """One finding's rows, as each long output writes them (``PIECES``), and its MAF start."""

    tsv: str
    maf: str
    call: str
    table: str
    maf_start: int


class _TierFile:
    """One tier's records: the file, and per record its contig number, position, MAF start
    and offset."""

    __slots__ = ("chrom", "handle", "maf_start", "offsets", "path", "pos")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO = path.open("wb")
        self.chrom = array("I")
        self.pos = array("I")
        self.maf_start = array("I")
        self.offsets = array("Q")


class RowSpill:
    """Appends findings' rows per tier into ``folder`` (a private work folder), any order."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._contigs: dict[str, int] = {}
        self._files: dict[Tier, _TierFile] = {}

    def add(self, tier: Tier, chrom: str, pos: int, allele: str, rows: RowPieces) -> None:
        tier_file = self._files.get(tier)
        if tier_file is None:
            tier_file = self._files[tier] = _TierFile(self._folder / f"tier-{tier.value}.rows")
        parts = [allele.encode(), rows.tsv.encode(), rows.maf.encode(), rows.call.encode(), rows.table.encode()]
        handle = tier_file.handle
        tier_file.offsets.append(handle.tell())
        tier_file.chrom.append(self._contigs.setdefault(chrom, len(self._contigs)))
        tier_file.pos.append(pos)
        tier_file.maf_start.append(rows.maf_start)
        handle.write(_HEADER.pack(*map(len, parts)))
        handle.write(b"".join(parts))

    def close(self) -> None:
        for tier_file in self._files.values():
            tier_file.handle.close()

    def finish(self) -> SpilledRows:
        """Close the files and work out report order; the rows stay in ``folder``."""
        names = tuple(self._contigs)  # by contig number
        rank = np.zeros(max(len(names), 1), dtype=np.uint32)
        for r, name in enumerate(sorted(names, key=lambda c: genomic_sort_key(c, 0))):
            rank[self._contigs[name]] = r
        tiers = []
        for tier in TIERS:
            tier_file = self._files.get(tier)
            if tier_file is None:
                continue
            tier_file.handle.close()
            order = _report_order(tier_file, rank)
            tiers.append(_SortedTier(tier_file.path, tier_file.offsets, order, tier_file.chrom,
                                     tier_file.pos, tier_file.maf_start, names))  # fmt: skip
        return SpilledRows(tuple(tiers))


def _report_order(tier_file: _TierFile, rank: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Record indexes in report order: contig rank, position, then ``REF>ALT`` among records
    at one position (read back from the file: few)."""
    ranks = rank[np.frombuffer(tier_file.chrom, dtype=np.uint32)]
    pos = np.frombuffer(tier_file.pos, dtype=np.uint32)
    order = np.lexsort((pos, ranks)).astype(np.uint32)
    r, p = ranks[order], pos[order]
    ties = np.flatnonzero((r[1:] == r[:-1]) & (p[1:] == p[:-1])).tolist()
    if not ties:
        return order
    with tier_file.path.open("rb") as handle:
        start = 0
        while start < len(ties):
            end = start
            while end + 1 < len(ties) and ties[end + 1] == ties[end] + 1:
                end += 1
            first, last = ties[start], ties[end] + 1  # sorted records first..last share a position
            group = sorted(order[first : last + 1].tolist(), key=lambda i: _allele(handle, tier_file.offsets[i]))
            order[first : last + 1] = group
            start = end + 1
    return order


def _allele(handle: BinaryIO, offset: int) -> str:
    handle.seek(offset)
    length = _HEADER.unpack(handle.read(_HEADER.size))[0]
    return handle.read(length).decode()


@dataclass(frozen=True, slots=True)
class _SortedTier:
    path: Path
    offsets: array[int]
    order: npt.NDArray[Any]  # record indexes in report order
    chrom: array[int]
    pos: array[int]
    maf_start: array[int]
    contigs: tuple[str, ...]  # by contig number


@dataclass(frozen=True, slots=True)
class SpilledRows:
    """Every finding's rows, read back in report order (tier by tier)."""

    tiers: tuple[_SortedTier, ...]

    @property
    def count(self) -> int:
        return sum(len(t.order) for t in self.tiers)

    def texts(self, piece: Piece, limit: int | None = None) -> Iterator[str]:
        """One output's rows (``PIECES``), in report order; the first ``limit`` only if given."""
        k = PIECES.index(piece) + 1
        left = self.count if limit is None else limit
        for t in self.tiers:
            if left <= 0:
                return
            with t.path.open("rb") as handle:
                for i in t.order[:left]:
                    handle.seek(t.offsets[i])
                    lengths = _HEADER.unpack(handle.read(_HEADER.size))
                    body = handle.read(sum(lengths))
                    at = sum(lengths[:k])
                    yield body[at : at + lengths[k]].decode()
            left -= len(t.order)

    def positions(self) -> Iterator[tuple[str, int]]:
        """(contig, position) of each row, in report order."""
        for t in self.tiers:
            for i in t.order:
                yield t.contigs[t.chrom[i]], t.pos[i]

    def maf_positions(self) -> Iterator[tuple[str, int]]:
        """(contig, MAF start) of each row, in report order."""
        for t in self.tiers:
            for i in t.order:
                yield t.contigs[t.chrom[i]], t.maf_start[i]
