"""Gene spans for ``genome/{build}/genes.tsv``: from an Ensembl GFF3, or from CIViC.

The GFF3 is the authority when the build downloaded one. Without it (the demo bundle, or a
GRCh37 build that skips the 60 MB GFF3), CIViC's gene-level variants (``Mutation``,
``Amplification``, ``Loss``…) carry real GRCh37 gene-span coordinates for ~200 cancer genes;
the widest such span per gene is used and the manifest records the provenance.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from oncodrop.domain.genome import Build
from oncodrop.errors import BundleError
from oncodrop.refdata.bundle import GeneLocus
from oncodrop.refdata.civic import CivicVariant
from oncodrop.refdata.civic_variants import Unmatchable, parse_variant_name
from oncodrop.refdata.tsv import open_text, write_table

GENE_FEATURES = frozenset({"gene", "ncRNA_gene"})
GENES_COLUMNS = ("symbol", "chrom", "start", "end", "strand", "gene_id")
_GENE_LEVEL = frozenset(
    {"any", "loss_of_function", "amplification", "deletion", "truncating"}
)


def genes_from_gff3(path: Path) -> tuple[GeneLocus, ...]:
    """Gene features of an Ensembl-style GFF3 (``ID=gene:ENSG…;Name=…``), genome order."""
    loci: list[GeneLocus] = []
    with open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != 9:
                raise BundleError(
                    f"{path.name}: line {number} has {len(fields)} fields, GFF3 needs 9; "
                    "is this an Ensembl GFF3 file?"
                )
            if fields[2] not in GENE_FEATURES:
                continue
            attrs = _attributes(fields[8])
            gene_id = attrs.get("gene_id") or attrs.get("ID", "").removeprefix("gene:")
            loci.append(
                GeneLocus(
                    symbol=attrs.get("Name") or gene_id,
                    chrom=fields[0].removeprefix("chr"),
                    start=int(fields[3]),
                    end=int(fields[4]),
                    strand=fields[6],
                    gene_id=gene_id,
                )
            )
    return tuple(loci)


def genes_from_civic(
    variants: Iterable[CivicVariant], build: Build = "grch37"
) -> tuple[GeneLocus, ...]:
    """The widest gene-level CIViC span per gene on ``build``; strand is unknown (``.``)."""
    spans: dict[str, GeneLocus] = {}
    for v in variants:
        if v.build != build or v.chrom is None or v.start is None or v.stop is None:
            continue
        if v.ref or v.alt or not _is_gene_level(v.name):
            continue
        current = spans.get(v.gene)
        width = v.stop - v.start
        if current is None or width > current.end - current.start:
            gene_id = f"entrez:{v.entrez_id}" if v.entrez_id else v.gene
            spans[v.gene] = GeneLocus(v.gene, v.chrom, v.start, v.stop, ".", gene_id)
    return tuple(sorted(spans.values(), key=_genome_order))


def _is_gene_level(name: str) -> bool:
    """Gene-level names (``Mutation``, ``Amplification``, ``Expression``) carry gene spans;
    fusions carry a partner's span and point variants a single position."""
    target = parse_variant_name(name)
    if isinstance(target, Unmatchable):
        return target.code == "expression"
    return (
        target.mutation_class in _GENE_LEVEL
        and target.codon is None
        and target.exon is None
    )


def write_genes(path: Path, loci: Iterable[GeneLocus]) -> int:
    rows = ((g.symbol, g.chrom, g.start, g.end, g.strand, g.gene_id) for g in loci)
    return write_table(path, GENES_COLUMNS, rows)


def _attributes(text: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in text.strip().split(";") if "=" in item)
    return {k: unquote(v) for k, v in pairs}


def _genome_order(locus: GeneLocus) -> tuple[int, str, int]:
    chrom = locus.chrom
    rank = (
        int(chrom) if chrom.isdigit() else {"X": 23, "Y": 24, "MT": 25}.get(chrom, 26)
    )
    return rank, chrom, locus.start
