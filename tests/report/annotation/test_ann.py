"""snpEff ANN on real bcbio/umccrise files: allele, effect order, protein-structure entries."""

from __future__ import annotations

from pathlib import Path

from oncodrop.report.annotation.ann import parse_ann
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

ENSEMBLE = "callers-snpeff/grch38.seqc2-hcc1395-50pc.bcbio-ensemble-somatic.snpeff.vcf.gz"


def test_tp53_r175h_skips_snpeffs_structural_interaction_entries(testdata: Path) -> None:
    variants = {v.key: v for v in read_variants(testdata / ENSEMBLE, SampleConfig()).variants}
    c = variants["17:7675088:C>T"].consequence
    assert c is not None
    assert (c.gene, c.primary_term, c.hgvsp, c.hgvsp_long) == (
        "TP53",
        "missense_variant",
        "p.R175H",
        "p.Arg175His",
    )
    assert c.source == "snpEff" and c.transcript is not None and c.transcript.startswith("ENST")


def test_brca2_stop_gained_with_exon_rank(testdata: Path) -> None:
    variants = {v.key: v for v in read_variants(testdata / ENSEMBLE, SampleConfig()).variants}
    c = variants["13:32339132:G>T"].consequence
    assert c is not None
    assert (c.gene, c.primary_term, c.hgvsp, c.exon, c.exon_count, c.impact) == (
        "BRCA2",
        "stop_gained",
        "p.E1593*",
        11,
        28,
        "HIGH",
    )


def test_duplicate_records_of_the_ensemble_are_read_once(testdata: Path) -> None:
    result = read_variants(testdata / ENSEMBLE, SampleConfig())
    keys = [v.key for v in result.variants]
    assert len(keys) == len(set(keys))
    assert result.counts.duplicates == 7129 - len(keys)


def test_cancer_mode_allele_pairs_are_not_taken_for_the_alt() -> None:
    entries = (
        "T-C|missense_variant|MODERATE|G1|E1|transcript|ENST1|protein_coding|2/5|c.1A>G|p.Met1Val||||",
        "C|synonymous_variant|LOW|G1|E1|transcript|ENST1|protein_coding|2/5|c.3G>C|p.Met1Met||||",
    )
    chosen = parse_ann(entries, alt="C", single_alt=False)
    assert chosen is not None
    assert chosen.consequence.primary_term == "synonymous_variant"
    assert chosen.consequence.hgvsp == "p.M1M"


def test_intron_rank_is_not_an_exon_number(testdata: Path) -> None:
    variants = read_variants(testdata / ENSEMBLE, SampleConfig()).variants
    introns = [
        v.consequence
        for v in variants
        if v.consequence and v.consequence.primary_term == "intron_variant"
    ]
    assert introns and all(c.exon is None for c in introns)


def test_mutect2_chr16_slice_is_annotated_with_wash4p(testdata: Path) -> None:
    result = read_variants(
        testdata / "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.mutect2.snpeff.vcf.gz",
        SampleConfig(allelic_support={"pass_only": False}),
    )
    assert result.annotation == "snpEff"
    first = result.variants[0].consequence
    assert first is not None and (first.gene, first.primary_term) == (
        "WASH4P",
        "downstream_gene_variant",
    )


def test_bcbio_germline_mlh1_i219v_and_support_in_every_caller_layout(testdata: Path) -> None:
    result = read_variants(
        testdata / "germline/grch38.seqc2-hcc1395bl.bcbio-ensemble-germline.snpeff.vcf.gz",
        SampleConfig(),
        mode="normal",
    )
    assert len(result.variants) == 1132 and result.build == "grch38"
    assert all(v.depth is not None and v.vaf is not None for v in result.variants)
    mlh1 = next(v for v in result.variants if v.key == "3:37012077:A>G")
    assert mlh1.consequence is not None
    assert (mlh1.gene, mlh1.consequence.hgvsp, mlh1.genotype) == ("MLH1", "p.I219V", "1/1")
