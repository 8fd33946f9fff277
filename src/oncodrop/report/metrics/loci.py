"""Variant loci held compactly: what the genome metrics need of a million variants, not the variants.

Concordance samples every n-th REF allele (n known only once all are read), MSI looks at the
coding indels, kataegis and the SBS96 catalogue at the PASS SNVs. Held as ``Variant`` objects
these cost ~1 KB a variant; here a locus is a contig number, a position and its allele bytes
(~16 bytes for an SNV), so the reporter can stream its variants and still compute every
metric at the end, exactly as from the variants themselves.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol, overload

import numpy as np
import numpy.typing as npt

from oncodrop.domain.variant import Variant

IntArray = npt.NDArray[Any]
_SNV = 3  # bytes of an SNV's alleles, "C T"


class Site(Protocol):
    """A variant or a ``Locus``: what a metric reads of either."""

    @property
    def chrom(self) -> str: ...
    @property
    def pos(self) -> int: ...
    @property
    def ref(self) -> str: ...
    @property
    def alt(self) -> str: ...


class Locus(NamedTuple):
    """What the genome metrics read of a variant."""

    chrom: str
    pos: int
    ref: str
    alt: str


class Loci(Sequence[Locus]):
    """An append-only sequence of loci in arrays: contig numbers, positions, and the alleles as
    ``REF ALT`` bytes (VCF alleles never hold a space)."""

    __slots__ = ("_alleles", "_chrom", "_contigs", "_ends", "_names", "_pos", "_snv_text")

    def __init__(self, loci: Iterable[Locus] = ()) -> None:
        self._contigs: dict[str, int] = {}
        self._names: list[str] = []
        self._chrom = array("H")  # widened to "I" past 65,535 contigs
        self._pos = array("I")
        # where each locus's alleles end; None while every one is an SNV's 3 bytes ("C T"), so
        # PASS SNVs cost 9 bytes; widened to "Q" past 4 GB of alleles
        self._ends: array[int] | None = None
        self._alleles = bytearray()
        self._snv_text: str | None = None  # ``take``'s decoded alleles, while all are SNVs'
        for locus in loci:
            self.add(*locus)

    @classmethod
    def of(cls, variants: Iterable[Variant]) -> Loci:
        return cls(Locus(v.chrom, v.pos, v.ref, v.alt) for v in variants)

    def add(self, chrom: str, pos: int, ref: str, alt: str) -> None:
        number = self._contigs.get(chrom)
        if number is None:
            number = self._contigs[chrom] = len(self._names)
            self._names.append(chrom)
            if number == 1 << 16:
                self._chrom = array("I", self._chrom)
        self._chrom.append(number)
        self._pos.append(pos)
        self._snv_text = None
        alleles = f"{ref} {alt}".encode()
        self._alleles += alleles
        if self._ends is None:
            if len(alleles) == _SNV:
                return
            self._ends = array("I", range(_SNV, _SNV * (len(self._pos) - 1) + 1, _SNV))  # the SNVs so far
        end = len(self._alleles)
        if end >= 1 << 32 and self._ends.typecode == "I":
            self._ends = array("Q", self._ends)
        self._ends.append(end)

    def __len__(self) -> int:
        return len(self._pos)

    def _locus(self, i: int) -> Locus:
        if self._ends is None:
            start, end = _SNV * i, _SNV * (i + 1)
        else:
            start, end = self._ends[i - 1] if i else 0, self._ends[i]
        ref, alt = self._alleles[start:end].decode().split(" ")
        return Locus(self._names[self._chrom[i]], self._pos[i], ref, alt)

    @overload
    def __getitem__(self, index: int) -> Locus: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Locus]: ...
    def __getitem__(self, index: int | slice) -> Locus | Sequence[Locus]:
        if isinstance(index, slice):
            return [self._locus(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._locus(index)

    def __iter__(self) -> Iterator[Locus]:
        return self.take(range(len(self)))

    def take(self, indexes: Iterable[int]) -> Iterator[Locus]:
        """The loci at ``indexes`` (each in range), in that order: what ``self[i]`` gives for
        each, without its checks; while every locus is an ASCII SNV, straight from one text."""
        text = self._snv_text
        if text is None:
            alleles = self._alleles
            snvs = self._ends is None and alleles.isascii() and not alleles[1::_SNV].strip(b" ")
            text = self._snv_text = alleles.decode("ascii") if snvs else ""
        if not text:
            return (self._locus(i) for i in indexes)
        names, chrom, pos = self._names, self._chrom, self._pos
        return (Locus(names[chrom[i]], pos[i], text[_SNV * i], text[_SNV * i + 2]) for i in indexes)

    def contigs(self) -> tuple[str, ...]:
        """Contig names in order of first appearance."""
        return tuple(self._names)

    def on_contig(self, chrom: str) -> tuple[IntArray, IntArray]:
        """(indexes, positions) of the loci on ``chrom``, in the order they were added."""
        number = self._contigs.get(chrom, -1)
        chroms = np.frombuffer(self._chrom, dtype=np.uint16 if self._chrom.typecode == "H" else np.uint32)
        indexes = np.flatnonzero(chroms == number)
        return indexes, np.frombuffer(self._pos, dtype=np.uint32)[indexes].astype(np.int64)
