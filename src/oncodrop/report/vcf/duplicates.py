"""Which ``CHROM:POS:REF>ALT`` were kept already, without a string per kept variant.

Merged call sets repeat records; the reader keeps the first and counts the others
(``ReadCounts.duplicates``). A set of every kept key cost ~100 bytes a variant (100 MB at a
million). In a sorted VCF (each contig in one block, positions not decreasing) a repeat can
only come at the position being read, so only that position's keys are held, and the kept
loci compactly (``Loci``, ~14 bytes; the concordance check reads them too). On the first
record out of that order every kept key is rebuilt from the loci into a set that then grows
with the file, as before: the answer is the same either way.
"""

from __future__ import annotations

from oncodrop.report.metrics.loci import Loci

Key = str | tuple[str, str]
"""A kept allele's key: ``(REF, ALT)`` within the position being read, ``CHROM:POS:REF>ALT``
once every key is held."""


class KeptKeys:
    """The keys of the alleles kept so far (contig normalised, REF/ALT as written)."""

    __slots__ = ("_all", "_chrom", "_done", "_pos", "_window", "loci")

    def __init__(self) -> None:
        self.loci = Loci()  # every kept allele, in read order
        self._window: set[Key] = set()  # (REF, ALT) at (_chrom, _pos)
        self._chrom: str | None = None
        self._pos = -1
        self._done: set[str] = set()  # contigs whose block has ended
        self._all: set[Key] | None = None  # every key, once the file is out of order

    def new(self, chrom: str, pos: int, ref: str, alt: str) -> Key | None:
        """The allele's key, or None when that allele was kept already (pass the key to
        ``add`` before asking about another allele)."""
        if self._all is None:
            if chrom != self._chrom or pos != self._pos:
                if chrom == self._chrom and pos > self._pos:
                    pass
                elif chrom != self._chrom and chrom not in self._done:
                    if self._chrom is not None:
                        self._done.add(self._chrom)
                else:  # out of order: a repeat may be anywhere behind
                    self._all = {f"{c}:{p}:{r}>{a}" for c, p, r, a in self.loci}
                self._chrom, self._pos = chrom, pos
                self._window.clear()
            if self._all is None:  # the window holds only this position's alleles
                window_key = (ref, alt)
                return None if window_key in self._window else window_key
        key = f"{chrom}:{pos}:{ref}>{alt}"
        return None if key in self._all else key

    def add(self, key: Key, chrom: str, pos: int, ref: str, alt: str) -> None:
        """Remember a kept allele (``key`` from ``new``)."""
        self.loci.add(chrom, pos, ref, alt)
        (self._all if self._all is not None else self._window).add(key)
