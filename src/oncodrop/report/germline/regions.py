"""Where the panel genes are: read only those regions of a (possibly whole-genome) normal VCF.

Gene spans come from the bundle's gene model (``genes.tsv``), padded so that splice sites and
variants at the gene edges are kept. ``read_variants`` uses the VCF's tabix/CSI index for these
regions and streams the file when there is none; both give the same variants. ``subset_vcf``
copies only the panel records into a small VCF, so that bcftools csq annotates thousands of
records instead of millions when the upload carries no consequence annotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from oncodrop.domain.genome import normalise_chrom
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.refdata.bundle import GeneLocus
from oncodrop.report.vcf.regions import Region, RegionSet

GENE_PADDING = 50  # bases added to both ends of a gene span (splice sites, edge indels)


@dataclass(frozen=True, slots=True)
class PanelRegions:
    """The padded spans of the genes to report, and the genes the gene model lacks."""

    loci: tuple[GeneLocus, ...]  # sorted by start; chromosome names without "chr"
    missing: tuple[str, ...]  # requested symbols with no span in the gene model
    padding: int = GENE_PADDING

    @property
    def regions(self) -> tuple[Region, ...]:
        return tuple(
            (g.chrom, max(1, g.start - self.padding), g.end + self.padding) for g in self.loci
        )

    @property
    def total_bases(self) -> int:
        spans = RegionSet.of(self.regions).intervals.values()
        return sum(end - start + 1 for chrom in spans for start, end in chrom)

    def genes_at(self, chrom: str, pos: int) -> tuple[str, ...]:
        """Symbols whose padded span contains ``chrom:pos`` (normalised chromosome)."""
        pad = self.padding
        return tuple(g.symbol for g in self.loci if g.chrom == chrom and g.start - pad <= pos <= g.end + pad)


def panel_regions(
    loci: Iterable[GeneLocus], symbols: Iterable[str], padding: int = GENE_PADDING
) -> PanelRegions:
    """Spans of ``symbols`` in the gene model (every span of a symbol listed on two contigs)."""
    wanted = set(symbols)
    found = [
        GeneLocus(g.symbol, normalise_chrom(g.chrom), g.start, g.end, g.strand, g.gene_id)
        for g in loci
        if g.symbol in wanted
    ]
    found.sort(key=lambda g: (g.start, g.chrom, g.symbol))
    missing = tuple(sorted(wanted - {g.symbol for g in found}))
    return PanelRegions(loci=tuple(found), missing=missing, padding=padding)


def subset_vcf(vcf: Path, regions: Sequence[Region], out: Path) -> Path:
    """Write the records of ``vcf`` that overlap ``regions`` to ``out`` (bgzipped, indexed).

    Through the index when there is one, by streaming otherwise; each record once.
    """
    wanted = RegionSet.of(regions)
    try:
        with pysam.VariantFile(str(vcf)) as source, pysam.VariantFile(
            str(out), "wz", header=source.header
        ) as sink:
            for rec in _overlapping(source, wanted):
                sink.write(rec)
    except (OSError, ValueError):
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{vcf.name}: cannot read the records of the panel genes; check that the file is "
            "a complete bgzipped or plain VCF",
            file=vcf.name,
        ) from None
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


def _overlapping(source: pysam.VariantFile, wanted: RegionSet) -> Iterable[pysam.VariantRecord]:
    if source.index is not None:
        names = {normalise_chrom(str(c)): str(c) for c in source.index}
        seen: set[tuple[str, int, str, tuple[str, ...] | None]] = set()
        for chrom, spans in sorted(wanted.intervals.items()):
            name = names.get(chrom)
            if name is None:
                continue
            for start, end in spans:
                for rec in source.fetch(name, start - 1, end):
                    key = (name, rec.pos, rec.ref or "", rec.alts)
                    if key not in seen:
                        seen.add(key)
                        yield rec
        return
    for rec in source:
        end = rec.pos + len(rec.ref or "N") - 1
        if wanted.overlaps(normalise_chrom(rec.chrom), rec.pos, end):
            yield rec
