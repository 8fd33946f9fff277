from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from oncodrop.errors import BundleError
from oncodrop.refdata.civic import read_variants
from oncodrop.refdata.genes import genes_from_civic, genes_from_gff3, write_genes
from oncodrop.refdata.tsv import read_rows


def test_gff3_gene_features_become_loci(testdata: Path) -> None:
    gff = testdata / "bcftools-csq/XPC_ENST00000285021/ENST00000285021.gff"
    (locus,) = genes_from_gff3(gff)
    assert locus.symbol == "XPC"
    assert locus.strand == "-"
    assert locus.gene_id.startswith("ENSG")
    assert locus.start < locus.end


def test_gzipped_gff3_reads_the_same(testdata: Path, tmp_path: Path) -> None:
    gff = testdata / "bcftools-csq/SAMD11_ENST00000341065/ENST00000341065.gff"
    packed = tmp_path / "genes.gff3.gz"
    packed.write_bytes(gzip.compress(gff.read_bytes()))
    assert genes_from_gff3(packed) == genes_from_gff3(gff)


def test_malformed_gff3_line_is_reported_with_its_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gff3"
    bad.write_text("##gff-version 3\n7\tensembl\tgene\t1\t100\n")
    with pytest.raises(BundleError, match="bad.gff3: line 2 has 5 fields"):
        genes_from_gff3(bad)


def test_civic_gene_level_coordinates_give_real_grch37_spans(
    testdata: Path, tmp_path: Path
) -> None:
    variants = read_variants(
        testdata / "civic/01-Aug-2024-VariantSummaries.tsv.gz"
    ).values()
    loci = {g.symbol: g for g in genes_from_civic(variants)}
    assert len(loci) > 150
    braf, tp53 = loci["BRAF"], loci["TP53"]
    assert (
        braf.chrom == "7" and braf.start <= 140453136 <= braf.end
    )  # V600E inside BRAF
    assert tp53.chrom == "17" and tp53.start <= 7578406 <= tp53.end  # R175H inside TP53
    assert (
        "ABL1" not in loci or loci["ABL1"].chrom == "9"
    )  # fusion spans (BCR on 22) are not used
    written = tmp_path / "genes.tsv"
    assert write_genes(written, loci.values()) == len(loci)
    assert {r.get("symbol") for r in read_rows(written)} == set(loci)
