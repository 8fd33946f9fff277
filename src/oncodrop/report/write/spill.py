"""The long tables' rows, spilled to disk per tier as variants are classified, read back in
report order.

The tiers TSV, the MAF, the all-variants table of the HTML page and the calls of the
interpretation input list every variant in report order (tier, karyotypic position, allele).
A streamed report renders each finding's rows once, as it is classified, and appends them as
one record to its tier's file in a private folder, keeping per record only its contig number,
position and MAF start (7 bytes instead of a ~1 KB ``Finding``). ``RowSpill.finish`` sorts
each tier by those keys (ties at one position by the record's ``REF>ALT``, read back) and
hands the writers ``SpilledRows``, which reads the records back tier by tier in that order:
straight through when the file was already in that order (a sorted VCF), else by offsets
found by one scan of the file.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from oncodrop.domain.classification import Tier
from oncodrop.report.write.order import TIERS, genomic_sort_key

Piece = Literal["tsv", "maf", "call", "table"]
PIECES: tuple[Piece, ...] = ("tsv", "maf", "call", "table")
_HEADER = struct.Struct("<5I")  # byte lengths of the allele key and of the PIECES


class RowPieces(NamedTuple):
    """One finding's rows, as each long output writes them (``PIECES``), and its MAF start.
    (A named tuple: one is made per finding.)"""

    tsv: str
    maf: str
    call: str
    table: str
    maf_start: int


def _append(values: array[int], value: int, wide: str) -> array[int]:
    """Append, widening the array to typecode ``wide`` when the value does not fit."""
    try:
        values.append(value)
    except OverflowError:
        values = array(wide, values)
        values.append(value)
    return values


class _TierFile:
    """One tier's records: the file, and per record its contig number, position and MAF start
    (as an offset from the position: 0 or 1 but for long complex alleles)."""

    __slots__ = ("chrom", "handle", "maf_shift", "path", "pos")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO = path.open("wb")
        self.chrom = array("H")
        self.pos = array("I")
        self.maf_shift = array("B")


class RowSpill:
    """Appends findings' rows per tier into ``folder`` (a private work folder), any order."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._contigs: dict[str, int] = {}
        self._files: dict[Tier, _TierFile] = {}

    def add(self, tier: Tier, chrom: str, pos: int, allele: str, rows: RowPieces) -> None:
        t = self._files.get(tier)
        if t is None:
            t = self._files[tier] = _TierFile(self._folder / f"tier-{tier.value}.rows")
        texts = (allele, rows.tsv, rows.maf, rows.call, rows.table)
        body = "".join(texts)
        if body.isascii():  # (a constant-time check) one encoding, byte lengths = character counts
            t.handle.write(_HEADER.pack(*map(len, texts)) + body.encode())
        else:
            parts = [text.encode() for text in texts]
            t.handle.write(_HEADER.pack(*map(len, parts)) + b"".join(parts))
        contig = self._contigs.get(chrom)
        if contig is None:
            contig = self._contigs[chrom] = len(self._contigs)
        t.chrom = _append(t.chrom, contig, "I")
        t.pos.append(pos)
        t.maf_shift = _append(t.maf_shift, rows.maf_start - pos, "q")

    def close(self) -> None:
        for t in self._files.values():
            t.handle.close()

    def finish(self) -> SpilledRows:
        """Close the files and work out report order; the rows stay in ``folder``."""
        self.close()
        names = tuple(self._contigs)  # by contig number
        rank = np.zeros(max(len(names), 1), dtype=np.uint32)
        for r, name in enumerate(sorted(names, key=lambda c: genomic_sort_key(c, 0))):
            rank[self._contigs[name]] = r
        tiers = []
        for tier in TIERS:
            t = self._files.get(tier)
            if t is not None:
                order, offsets = _report_order(t, rank)
                tiers.append(_SortedTier(t.path, order, offsets, t.chrom, t.pos, t.maf_shift, names))
        return SpilledRows(tuple(tiers))


def _offsets(path: Path, n: int) -> array[int]:
    """Where each of the ``n`` records of ``path`` starts (one pass over the headers)."""
    offsets, at = array("Q"), 0
    with path.open("rb") as handle:
        for _ in range(n):
            offsets.append(at)
            handle.seek(at)
            at += _HEADER.size + sum(_HEADER.unpack(handle.read(_HEADER.size)))
    return offsets


def _report_order(t: _TierFile, rank: npt.NDArray[Any]) -> tuple[npt.NDArray[Any] | None, array[int] | None]:
    """(record indexes in report order, record offsets); (None, None) when the file is in
    report order already. Order: contig rank, position, then ``REF>ALT`` among the records at
    one position (read back from the file: few)."""
    ranks = rank[np.frombuffer(t.chrom, dtype=np.uint16 if t.chrom.typecode == "H" else np.uint32)]
    pos = np.frombuffer(t.pos, dtype=np.uint32)
    order = np.lexsort((pos, ranks)).astype(np.uint32)
    r, p = ranks[order], pos[order]
    ties = np.flatnonzero((r[1:] == r[:-1]) & (p[1:] == p[:-1])).tolist()
    identity = bool((order == np.arange(len(order), dtype=np.uint32)).all())
    if identity and not ties:
        return None, None
    offsets = _offsets(t.path, len(order))
    with t.path.open("rb") as handle:
        start = 0
        while start < len(ties):
            end = start
            while end + 1 < len(ties) and ties[end + 1] == ties[end] + 1:
                end += 1
            first, last = ties[start], ties[end] + 1  # sorted records first..last share a position
            group = sorted(order[first : last + 1].tolist(), key=lambda i: _allele(handle, offsets[i]))
            order[first : last + 1] = group
            start = end + 1
    if (order == np.arange(len(order), dtype=np.uint32)).all():
        return None, None
    return order, offsets


def _allele(handle: BinaryIO, offset: int) -> str:
    handle.seek(offset)
    length = _HEADER.unpack(handle.read(_HEADER.size))[0]
    return handle.read(length).decode()


@dataclass(frozen=True, slots=True)
class _SortedTier:
    path: Path
    order: npt.NDArray[Any] | None  # record indexes in report order; None: file order is
    offsets: array[int] | None  # with ``order``
    chrom: array[int]
    pos: array[int]
    maf_shift: array[int]
    contigs: tuple[str, ...]  # by contig number

    def __len__(self) -> int:
        return len(self.pos)

    def indexes(self) -> Iterator[int]:
        return iter(range(len(self.pos))) if self.order is None else iter(self.order)


@dataclass(frozen=True, slots=True)
class SpilledRows:
    """Every finding's rows, read back in report order (tier by tier)."""

    tiers: tuple[_SortedTier, ...]

    @property
    def count(self) -> int:
        return sum(len(t) for t in self.tiers)

    def texts(self, piece: Piece, limit: int | None = None) -> Iterator[str]:
        """One output's rows (``PIECES``), in report order; the first ``limit`` only if given."""
        k = PIECES.index(piece) + 1
        left = self.count if limit is None else limit
        for t in self.tiers:
            if left <= 0:
                return
            with t.path.open("rb") as handle:
                for n, i in enumerate(t.indexes()):
                    if n == left:
                        break
                    if t.offsets is not None:
                        handle.seek(t.offsets[i])
                    lengths = _HEADER.unpack(handle.read(_HEADER.size))
                    body = handle.read(sum(lengths))
                    at = sum(lengths[:k])
                    yield body[at : at + lengths[k]].decode()
            left -= len(t)

    def positions(self) -> Iterator[tuple[str, int]]:
        """(contig, position) of each row, in report order."""
        for t in self.tiers:
            for i in t.indexes():
                yield t.contigs[t.chrom[i]], t.pos[i]

    def maf_positions(self) -> Iterator[tuple[str, int]]:
        """(contig, MAF start) of each row, in report order."""
        for t in self.tiers:
            for i in t.indexes():
                yield t.contigs[t.chrom[i]], t.pos[i] + t.maf_shift[i]
