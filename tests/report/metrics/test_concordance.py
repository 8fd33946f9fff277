"""REF-vs-bundle-genome concordance: what is checked, and the decision rows of
``CONCORDANCE_RULES`` (concordant, discordant, wrong build, synthetic genome, not checked)."""

from __future__ import annotations

from collections.abc import Callable

from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.concordance import (
    MIN_CHECKED_TO_REJECT,
    measure_concordance,
)
from oncodrop.report.metrics.sequence import ReferenceGenome

SEQ = "ACGTTGCAAC" * 10  # 100 bp of known bases on contig 1
Genome = Callable[[dict[str, str]], ReferenceGenome]


def _snv(pos: int, ref: str) -> Variant:
    return Variant("1", pos, ref, "A" if ref != "A" else "C")


def _right(n: int) -> list[Variant]:
    return [_snv(p, SEQ[p - 1]) for p in range(1, n + 1)]


def _wrong(n: int, start: int = 1) -> list[Variant]:
    swap = {"A": "C", "C": "G", "G": "T", "T": "A"}
    return [_snv(p, swap[SEQ[p - 1]]) for p in range(start, start + n)]


def test_ref_alleles_that_match_the_genome_are_concordant_and_keep_every_metric(make_genome: Genome) -> None:
    genome = make_genome({"1": SEQ})
    deletion = Variant("1", 3, SEQ[2:6], SEQ[2])
    c = measure_concordance([*_right(40), deletion], genome, "grch37")
    assert (c.checked, c.matched, c.unchecked) == (41, 41, 0)
    assert c.status == "concordant" and c.trusted and not c.rejectable


def test_n_bases_absent_contigs_and_positions_past_the_end_are_unchecked_not_wrong(make_genome: Genome) -> None:
    genome = make_genome({"1": SEQ, "2": "N" * 50})
    variants = [*_right(5), Variant("2", 10, "G", "A"), Variant("3", 10, "G", "A"), _snv(200, "A")]
    c = measure_concordance(variants, genome, "grch37")
    assert (c.checked, c.matched, c.unchecked) == (5, 5, 3)
    assert c.status == "concordant"


def test_no_site_on_known_bases_is_not_checked_and_says_so(make_genome: Genome) -> None:
    c = measure_concordance([Variant("2", 10, "G", "A")], make_genome({"2": "N" * 50}), "grch38")
    assert c.discordance is None and c.status == "not_checked" and c.trusted
    assert "not checked against the bundle's GRCh38 genome" in c.sentence
    assert measure_concordance(_right(3), None, "grch37").status == "not_checked"


def test_a_few_percent_of_disagreeing_ref_alleles_withhold_genome_metrics_but_do_not_reject(
    make_genome: Genome,
) -> None:
    genome = make_genome({"1": SEQ})
    c = measure_concordance([*_right(95), *_wrong(5, start=96)], genome, "grch37")  # 5 % > 1 %
    assert (c.checked, c.mismatched) == (100, 5)
    assert c.status == "discordant" and not c.trusted and not c.rejectable
    assert c.sentence.startswith("5 of 100 REF alleles (5.0 %) differ from the bundle's GRCh37 genome")
    assert "(e.g. 1:96 REF T, genome G;" in c.sentence  # names the first disagreeing site
    assert c.withheld_note.startswith("not computable: the VCF's REF alleles disagree")


def test_mostly_disagreeing_ref_alleles_mean_another_build(make_genome: Genome) -> None:
    genome = make_genome({"1": SEQ})
    c = measure_concordance([*_right(10), *_wrong(30, start=11)], genome, "grch37")
    assert c.discordance == 0.75 and c.status == "wrong_build" and c.rejectable


def test_too_few_sites_or_a_synthetic_genome_never_reject(make_genome: Genome) -> None:
    genome = make_genome({"1": SEQ})
    few = measure_concordance(_wrong(MIN_CHECKED_TO_REJECT - 1), genome, "grch37")
    assert few.discordance == 1.0 and few.status == "discordant" and not few.rejectable
    demo = measure_concordance(_wrong(40), genome, "grch37", synthetic=True)
    assert demo.status == "discordant" and not demo.rejectable
    assert "synthetic (demo)" in demo.sentence


def test_large_inputs_are_sampled_evenly_and_say_so(make_genome: Genome) -> None:
    genome = make_genome({"1": SEQ})
    c = measure_concordance(_right(100), genome, "grch37", max_sites=10)
    assert c.checked == 10 and c.sampled and "sites compared" in c.sentence
