"""The last-resort annotation: which bundle gene a variant falls in, nothing more.

Used when the VCF carries no CSQ/ANN/BCSQ and the bundle has gene spans but no transcript
model (GFF3 + FASTA) for ``bcftools csq``. The variant gets the SO term ``gene_variant``
(SO:0001564) and impact MODIFIER: the gene is known, the effect on the protein is not. Genomic
evidence still matches by coordinate; protein-level matching and TMB's coding filters cannot,
and the report says so.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Iterator, Sequence

from oncodrop.domain.consequences import impact
from oncodrop.domain.genome import GeneSpan, normalise_chrom
from oncodrop.domain.variant import Consequence, Variant

GENE_SPAN_TERM = "gene_variant"
SOURCE = "gene-span"


def annotate_by_gene_span(
    variants: Iterable[Variant], genes: Sequence[GeneSpan]
) -> tuple[Variant, ...]:
    """Each variant with a ``gene_variant`` consequence for the first gene span it overlaps."""
    return tuple(iter_annotated_by_gene_span(variants, genes))


def iter_annotated_by_gene_span(variants: Iterable[Variant], genes: Sequence[GeneSpan]) -> Iterator[Variant]:
    """``annotate_by_gene_span`` one variant at a time (the reporter streams its variants)."""
    by_chrom: dict[str, list[tuple[int, int, str]]] = {}
    for g in genes:
        by_chrom.setdefault(normalise_chrom(g.chrom), []).append((g.start, g.end, g.symbol))
    starts: dict[str, list[int]] = {}
    for chrom, spans in by_chrom.items():
        spans.sort()
        starts[chrom] = [s for s, _, _ in spans]
    for v in variants:
        symbol = _gene_at(
            by_chrom.get(v.chrom, []), starts.get(v.chrom, []), v.pos, v.pos + len(v.ref) - 1
        )
        if symbol is not None and v.consequence is None:
            csq = Consequence(
                gene=symbol, terms=(GENE_SPAN_TERM,), impact=impact(GENE_SPAN_TERM), source=SOURCE
            )
            v = dataclasses.replace(v, consequence=csq)
        yield v


def _gene_at(
    spans: list[tuple[int, int, str]], starts: list[int], first: int, last: int
) -> str | None:
    i = bisect.bisect_right(starts, last)
    # spans are few per chromosome (a cancer-gene list); look back over the ones that start before
    for start, end, symbol in reversed(spans[:i]):
        if end >= first and start <= last:
            return symbol
    return None
