"""Reference-sequence access for the metrics: trinucleotide contexts and repeat context.

The only module of ``report.metrics`` that touches pysam; pysam/OS errors become
``BundleError`` here. Chromosome names are matched with or without the ``chr`` prefix so a
UCSC-style FASTA works with our normalised variant chromosomes (``7``, ``X``, ``MT``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import pysam

from oncodrop.errors import BundleError

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_ALIASES = {"MT": ("MT", "chrM", "M", "chrMT"), "M": ("M", "MT", "chrM", "chrMT")}


def reverse_complement(seq: str) -> str:
    """Reverse complement of an upper- or lower-case DNA string."""
    return seq.translate(_COMPLEMENT)[::-1]


@dataclass(frozen=True, slots=True)
class RepeatContext:
    """The longest run of a repeat unit (1-6 bp) that an indel's changed bases belong to."""

    unit: str
    copies: int  # copies of ``unit`` in the reference, counting the changed bases' unit too

    @property
    def is_microsatellite(self) -> bool:
        """Homopolymer of >= 5, or a 2-6 bp unit repeated >= 3 times (MSI-prone loci)."""
        if len(self.unit) == 1:
            return self.copies >= 5
        return self.copies >= 3


class ReferenceGenome:
    """A faidx-indexed (optionally bgzipped) FASTA, opened once and used for many look-ups."""

    def __init__(self, fasta: pysam.FastaFile, path: Path) -> None:
        self._fasta = fasta
        self.path = path
        self._names: dict[str, str] = {}
        self._lengths = dict(zip(fasta.references, fasta.lengths, strict=True))  # one pysam call each
        refs = set(fasta.references)
        for name in refs:
            bare = name.removeprefix("chr")
            self._names.setdefault(bare, name)
            self._names.setdefault(name, name)
        for alias, candidates in _ALIASES.items():
            for cand in candidates:
                if cand in refs:
                    self._names.setdefault(alias, cand)
                    break

    @classmethod
    def open(cls, path: Path) -> ReferenceGenome:
        """Open ``path`` (needs ``.fai``; bgzipped also ``.gzi``); ``BundleError`` if unusable."""
        try:
            fasta = pysam.FastaFile(str(path))
        except (OSError, ValueError) as exc:
            raise BundleError(
                f"reference FASTA {path} cannot be opened ({exc}); rebuild the bundle's genome "
                "folder (it needs a .fai index, and a .gzi index when bgzipped)"
            ) from exc
        return cls(fasta, path)

    def close(self) -> None:
        self._fasta.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def has(self, chrom: str) -> bool:
        return chrom in self._names

    def fetch(self, chrom: str, start0: int, end0: int) -> str | None:
        """Upper-case sequence of ``[start0, end0)`` (0-based), or None when out of range."""
        name = self._names.get(chrom)
        if name is None or start0 < 0:
            return None
        if end0 > self._lengths[name]:
            return None
        return self._read(name, start0, end0)

    def bases(self, seqid: str, start: int, end: int) -> str:
        """Upper-case bases ``start``..``end`` (1-based, inclusive), cut at the contig ends;
        ``KeyError`` for a contig the FASTA lacks. ``seqid`` is matched as written first (the
        gene model's contig, as bcftools csq read it from this FASTA), then as ``has`` does.
        The genome HGVS of indels reads (``annotation.gene_model.Genome``)."""
        name = seqid if seqid in self._lengths else self._names.get(seqid)
        if name is None:
            raise KeyError(seqid)
        start0, end0 = max(start, 1) - 1, min(end, self._lengths[name])
        return self._read(name, start0, end0) if start0 < end0 else ""

    def _read(self, name: str, start0: int, end0: int) -> str:
        """Upper-case ``[start0, end0)`` of FASTA contig ``name``, within its bounds."""
        try:
            return self._fasta.fetch(name, start0, end0).upper()
        except (OSError, ValueError) as exc:
            raise BundleError(f"reference FASTA {self.path} cannot be read ({exc})") from exc

    def trinucleotide(self, chrom: str, pos: int) -> str | None:
        """The 3-mer centred on 1-based ``pos``, or None off the contig ends / unknown contig."""
        return self.fetch(chrom, pos - 2, pos + 1)

    def repeat_context(
        self, chrom: str, pos: int, ref: str, alt: str, flank: int = 30
    ) -> RepeatContext | None:
        """Repeat context of a VCF-style indel (shared first base); None for non-indels."""
        if len(ref) == len(alt) or ref[:1] != alt[:1]:
            return None
        changed = alt[1:] if len(alt) > len(ref) else ref[1:]
        name = self._names.get(chrom)
        if name is None:
            return None
        end = min(pos + flank, self._lengths[name])
        right = self.fetch(chrom, pos, end)  # bases after the anchor base (0-based pos)
        if right is None or not changed:
            return None
        best = RepeatContext(unit=changed[:1], copies=0)
        for size in range(1, min(6, len(changed)) + 1):
            unit = changed[:size]
            if unit * (len(changed) // size) != changed[: size * (len(changed) // size)]:
                continue
            copies = _count_units(right, unit)
            if len(alt) > len(ref):
                copies += len(changed) // size  # the inserted copies are not in the reference
            if copies * size > best.copies * len(best.unit):
                best = RepeatContext(unit=unit, copies=copies)
        return best


def _count_units(seq: str, unit: str) -> int:
    """How many times ``unit`` repeats at the start of ``seq``."""
    n, size = 0, len(unit)
    while seq[n * size : (n + 1) * size] == unit:
        n += 1
    return n
