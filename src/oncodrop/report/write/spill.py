"""The long tables' rows, spilled to disk per tier as variants are classified, read back in
report order.

The tiers TSV, the MAF, the all-variants table of the HTML page and the calls of the
interpretation input list every variant in report order (tier, karyotypic position, allele).
A streamed report renders each finding's rows once, as it is classified, and appends them as
one record to its tier's file in a private folder, keeping per record only its position and MAF
start, and its contig number unless the tier came in report order (5-7 bytes instead of a ~1 KB
``Finding``). ``RowSpill.finish`` sorts
each tier by those keys (ties at one position by the record's ``REF>ALT``, read back) and
hands the writers ``SpilledRows``, which reads the records back tier by tier in that order:
straight through when the file was already in that order (a sorted VCF), else by offsets
found by one scan of the file.
"""

from __future__ import annotations

import itertools
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
_HEADER = struct.Struct("<5I")  # where the allele key and each of the PIECES end, in bytes from the body's start
_BUFFER = 1 << 18  # bytes written at a time (the default 8 kB: ~2x the CPU in system calls; 1 MB: no faster)


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
    (as an offset from the position: 0 or 1 but for long complex alleles); and whether the
    records came in report order so far (``ordered``: then ``finish`` has nothing to sort)."""

    __slots__ = ("allele", "chrom", "contig", "handle", "maf_shift", "ordered", "path", "pos", "runs")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO = path.open("wb", buffering=_BUFFER)
        # contig numbers: while ``ordered``, one (first record, contig number) per contig run
        # (a sorted VCF: ~25 runs, not 2 bytes a record); else one per record
        self.runs: list[tuple[int, int]] = []
        self.chrom: array[int] | None = None
        self.pos = array("I")
        self.maf_shift = array("B")
        self.ordered = True
        self.contig: tuple[int, str, int] | None = None  # the last record's ``genomic_sort_key(chrom, 0)``
        self.allele = ""  # the last record's allele key (its position: ``pos[-1]``)


class RowSpill:
    """Appends findings' rows per tier into ``folder`` (a private work folder), any order."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._contigs: dict[str, int] = {}
        self._keys: list[tuple[int, str, int]] = []  # ``genomic_sort_key(contig, 0)`` by contig number
        self._files: dict[Tier, _TierFile] = {}

    def add(self, tier: Tier, chrom: str, pos: int, allele: str, rows: RowPieces) -> None:
        t = self._files.get(tier)
        if t is None:
            t = self._files[tier] = _TierFile(self._folder / f"tier-{tier.value}.rows")
        tsv, maf, call, table, maf_start = rows
        body = f"{allele}{tsv}{maf}{call}{table}"
        if body.isascii():  # (a constant-time check) one encoding, byte lengths = character counts
            a = len(allele)
            b = a + len(tsv)
            c = b + len(maf)
            d = c + len(call)
            t.handle.write(_HEADER.pack(a, b, c, d, d + len(table)) + body.encode())
        else:
            parts = [text.encode() for text in (allele, tsv, maf, call, table)]
            ends = list(itertools.accumulate(map(len, parts)))
            t.handle.write(_HEADER.pack(*ends) + b"".join(parts))
        contig = self._contigs.get(chrom)
        if contig is None:
            contig = self._contigs[chrom] = len(self._contigs)
            self._keys.append(genomic_sort_key(chrom, 0))
        if t.ordered:  # still in report order? (contig, position, allele key not decreasing)
            if t.contig is not None and t.contig[1] == chrom:
                last = t.pos[-1]
                t.ordered = pos > last or (pos == last and allele >= t.allele)
            else:  # a contig's first record: the contig must sort after the tier's last one
                key = self._keys[contig]
                t.ordered = t.contig is None or key > t.contig
                t.contig = key
                if t.ordered:
                    t.runs.append((len(t.pos), contig))
            t.allele = allele
            if not t.ordered:
                t.chrom, t.runs = _expand(t.runs, len(t.pos)), []
        if t.chrom is not None:
            t.chrom = _append(t.chrom, contig, "I")
        t.pos.append(pos)
        try:
            t.maf_shift.append(maf_start - pos)
        except OverflowError:
            t.maf_shift = _append(t.maf_shift, maf_start - pos, "q")

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
                tiers.append(_SortedTier(t.path, order, offsets, t.chrom, tuple(t.runs), t.pos, t.maf_shift, names))
        return SpilledRows(tuple(tiers))


def _expand(runs: list[tuple[int, int]], n: int) -> array[int]:
    """The contig number of each of the first ``n`` records, from their runs."""
    chrom = array("I" if runs and max(c for _, c in runs) >= 1 << 16 else "H")
    for (start, contig), end in zip(runs, [*(s for s, _ in runs[1:]), n], strict=True):
        chrom.extend(array(chrom.typecode, [contig]) * (end - start))
    return chrom


def _offsets(path: Path, n: int) -> array[int]:
    """Where each of the ``n`` records of ``path`` starts (one pass over the headers)."""
    offsets, at = array("Q"), 0
    with path.open("rb") as handle:
        for _ in range(n):
            offsets.append(at)
            handle.seek(at)
            at += _HEADER.size + _HEADER.unpack(handle.read(_HEADER.size))[-1]
    return offsets


def _report_order(t: _TierFile, rank: npt.NDArray[Any]) -> tuple[npt.NDArray[Any] | None, array[int] | None]:
    """(record indexes in report order, record offsets); (None, None) when the file is in
    report order already. Order: contig rank, position, then ``REF>ALT`` among the records at
    one position (read back from the file: few). A tier whose records came in that order
    (``_TierFile.ordered``: a sorted VCF) is not sorted again, which at a million records would
    hold ~30 MB of sort keys and indexes at once."""
    if t.ordered:
        return None, None
    assert t.chrom is not None  # (kept per record once out of order)
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
    chrom: array[int] | None  # each record's contig number; None: in ``runs`` (file order is report order)
    runs: tuple[tuple[int, int], ...]  # (first record, contig number) of each contig's records
    pos: array[int]
    maf_shift: array[int]
    contigs: tuple[str, ...]  # by contig number

    def __len__(self) -> int:
        return len(self.pos)

    def indexes(self) -> Iterator[int]:
        return iter(range(len(self.pos))) if self.order is None else iter(self.order)

    def located(self) -> Iterator[tuple[str, int]]:
        """(contig, record index) of each record, in report order."""
        contigs = self.contigs
        if self.chrom is None:
            starts = [*(s for s, _ in self.runs[1:]), len(self.pos)]
            for (start, contig), end in zip(self.runs, starts, strict=True):
                name = contigs[contig]
                for i in range(start, end):
                    yield name, i
            return
        chrom = self.chrom
        for i in self.indexes():
            yield contigs[chrom[i]], i


_CHUNK = 1 << 18
"""Bytes read at a time from a tier in report order (records are ~1 kB)."""


def _in_file_order(path: Path, k: int, n: int) -> Iterator[str]:
    """Text ``k`` (1: the first of ``PIECES``) of the first ``n`` records of ``path``, in file
    order: read ``_CHUNK`` at a time and cut there, not two reads per record."""
    size, unpack = _HEADER.size, _HEADER.unpack_from
    with path.open("rb") as handle:
        buffer, at = b"", 0
        for _ in range(n):
            if len(buffer) - at < size:  # the header goes on past the chunk
                buffer, at = buffer[at:] + handle.read(max(_CHUNK, size)), 0
            ends = unpack(buffer, at)
            end = at + size + ends[-1]
            if len(buffer) < end:  # the record goes on past the chunk
                buffer, end = buffer[at:] + handle.read(max(_CHUNK, end - len(buffer))), end - at
                at = 0
            body = at + size
            yield buffer[body + ends[k - 1] : body + ends[k]].decode()
            at = end


def _by_offsets(t: _SortedTier, k: int, n: int) -> Iterator[str]:
    """Text ``k`` of the first ``n`` records of ``t`` in report order, each read at its offset."""
    assert t.offsets is not None
    offsets = t.offsets
    with t.path.open("rb") as handle:
        for _, i in zip(range(n), t.indexes(), strict=False):
            handle.seek(offsets[i])
            ends = _HEADER.unpack(handle.read(_HEADER.size))
            body = handle.read(ends[-1])
            yield body[ends[k - 1] : ends[k]].decode()


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
            n = min(left, len(t))
            yield from (_in_file_order(t.path, k, n) if t.offsets is None else _by_offsets(t, k, n))
            left -= n

    def positions(self) -> Iterator[tuple[str, int]]:
        """(contig, position) of each row, in report order."""
        for t in self.tiers:
            pos = t.pos
            for name, i in t.located():
                yield name, pos[i]

    def maf_positions(self) -> Iterator[tuple[str, int]]:
        """(contig, MAF start) of each row, in report order."""
        for t in self.tiers:
            pos, shift = t.pos, t.maf_shift
            for name, i in t.located():
                yield name, pos[i] + shift[i]
