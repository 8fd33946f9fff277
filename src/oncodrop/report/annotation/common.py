"""What every annotation parser returns, and the small field parsers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncodrop.domain.variant import Consequence

_INT = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Annotation:
    """The chosen consequence of one ALT allele plus the record-level facts the source carried."""

    consequence: Consequence
    population_af: float | None = None
    population_checked: bool = False
    predictions: tuple[tuple[str, str], ...] = ()
    dbsnp: str | None = None
    cosmic: str | None = None


def first_int(value: str | None) -> int | None:
    """First integer in a field such as ``612/749``, ``29-30`` or ``?-30``; None if absent."""
    if not value:
        return None
    match = _INT.search(value)
    return int(match.group(0)) if match else None


def rank_of(value: str | None) -> tuple[int | None, int | None]:
    """``3/11`` (exon or intron rank / total) -> (3, 11); ``3-4/11`` -> (3, 11)."""
    if not value or "/" not in value:
        return first_int(value), None
    number, total = value.split("/", 1)
    return first_int(number), first_int(total)


def vep_allele(ref: str, alts: tuple[str, ...], index: int) -> str:
    """The allele string VEP writes in CSQ ``Allele`` for ``alts[index]``.

    VEP drops the first base when REF and every ALT share it (indels), writing ``-`` for an
    empty allele: ``A>AG`` is annotated as ``G``, ``AG>A`` as ``-``.
    """
    alleles = (ref, *alts)
    first = ref[:1]
    if all(len(a) > 0 and a[0] == first for a in alleles) and any(len(a) != len(ref) for a in alts):
        trimmed = alts[index][1:]
        return trimmed or "-"
    return alts[index]


def to_float(value: str | None) -> float | None:
    """Parse a numeric annotation field; ``&``-joined lists give their first number."""
    if not value:
        return None
    for part in value.split("&"):
        try:
            return float(part)
        except ValueError:
            continue
    return None
