from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oncodrop.errors import BundleError
from oncodrop.report.metrics.sequence import (
    ReferenceGenome,
    RepeatContext,
    reverse_complement,
)

#                 1234567890123456789012345
SEQ = "GTCAGCACACACATTTTTTGCAGT"


@pytest.fixture
def genome(make_genome: Callable[[dict[str, str]], ReferenceGenome]) -> ReferenceGenome:
    return make_genome({"chr7": SEQ, "chrM": "ACGT"})


def test_reverse_complement() -> None:
    assert reverse_complement("TGCAN") == "NTGCA"


def test_chr_prefixed_fasta_answers_bare_chromosome_names(genome: ReferenceGenome) -> None:
    assert genome.trinucleotide("7", 3) == "TCA"
    assert genome.has("MT")
    assert genome.trinucleotide("7", 1) is None  # no left flank
    assert genome.trinucleotide("8", 3) is None


def test_dinucleotide_repeat_deletion(genome: ReferenceGenome) -> None:
    # 5 G | 6-13 CACACACA: deleting one CA unit
    ctx = genome.repeat_context("7", 5, "GCA", "G")
    assert ctx == RepeatContext("CA", 4)
    assert ctx.is_microsatellite


def test_homopolymer_insertion_counts_the_inserted_base(genome: ReferenceGenome) -> None:
    # 13 A | 14-19 TTTTTT: inserting a T makes a run of 7
    assert genome.repeat_context("7", 13, "A", "AT") == RepeatContext("T", 7)


def test_snvs_and_non_repeats_are_not_microsatellites(genome: ReferenceGenome) -> None:
    assert genome.repeat_context("7", 3, "C", "T") is None
    ctx = genome.repeat_context("7", 1, "GT", "G")
    assert ctx is not None and not ctx.is_microsatellite


def test_missing_fasta_is_a_bundle_error(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="cannot be opened"):
        ReferenceGenome.open(tmp_path / "absent.fa")


def test_bases_are_one_based_inclusive_cut_at_the_contig_ends(
    make_genome: Callable[[dict[str, str]], ReferenceGenome],
) -> None:
    """What indel HGVS reads (``annotation.gene_model.Genome``): the contig as the gene model
    names it first, then as ``has`` matches names; ``KeyError`` for a contig the FASTA lacks."""
    genome = make_genome({"chr7": SEQ, "7": "acgtacgt"})
    assert genome.bases("7", 1, 4) == "ACGT"  # the exact name, not chr7
    assert genome.bases("chr7", 1, 4) == "GTCA"
    assert genome.bases("7", -5, 2) == "AC" and genome.bases("7", 7, 50) == "GT"
    assert genome.bases("7", 20, 30) == ""
    single = make_genome({"chrX": "ACGTTT"})
    assert single.bases("X", 5, 6) == "TT"
    with pytest.raises(KeyError):
        single.bases("Y", 1, 2)
