"""Contig spelling, build evidence and region overlap: the small pure helpers of reading."""

from __future__ import annotations

from oncodrop.domain.genome import CHROMOSOME_LENGTHS, build_from_lengths, build_from_text, normalise_chrom
from oncodrop.report.vcf.regions import RegionSet


def test_contig_spellings_normalise_to_ensembl_names() -> None:
    assert [normalise_chrom(c) for c in ("chr7", "7", "chrX", "chrM", "M", "MT", "GL000220.1")] == [
        "7", "7", "X", "MT", "MT", "MT", "GL000220.1"]  # fmt: skip


def test_build_from_contig_lengths_ignores_mt_which_is_the_same_in_both() -> None:
    assert build_from_lengths({"chr1": 248956422}) == "grch38"
    assert build_from_lengths({"1": 249250621}) == "grch37"
    assert build_from_lengths({"MT": 16569}) is None
    assert CHROMOSOME_LENGTHS["grch37"]["MT"] == CHROMOSOME_LENGTHS["grch38"]["MT"]


def test_build_from_header_text() -> None:
    assert build_from_text(["file:///refs/human_g1k_v37_decoy.fasta"]) == "grch37"
    assert build_from_text(['"GRCh38.p13"']) == "grch38"
    assert build_from_text(["file:///refs/hg38.fa"]) == "grch38"
    assert build_from_text(["HG19"]) == "grch37"
    assert build_from_text(["my_reference.fa"]) is None


def test_regions_merge_and_answer_overlaps() -> None:
    regions = RegionSet.of([("chr17", 100, 200), ("17", 150, 300), ("17", 500, 600), ("13", 10, 5)])
    assert regions.intervals["17"] == ((100, 300), (500, 600))
    assert regions.intervals["13"] == ((5, 10),)  # reversed bounds are tolerated
    assert regions.overlaps("17", 300, 300)
    assert regions.overlaps("17", 450, 510)  # a deletion reaching into the second region
    assert not regions.overlaps("17", 301, 499)
    assert not regions.overlaps("1", 100, 200)
