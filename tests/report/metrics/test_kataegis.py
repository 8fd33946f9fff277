from __future__ import annotations

from collections.abc import Callable

import pytest

from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.kataegis import find_kataegis, kataegis_metric
from oncodrop.report.metrics.sequence import ReferenceGenome


def _cluster(chrom: str, start: int, n: int, gap: int, ref: str = "C", alt: str = "T") -> list[Variant]:
    return [Variant(chrom, start + i * gap, ref, alt) for i in range(n)]


def test_six_snvs_within_1kb_make_one_event() -> None:
    events = find_kataegis(_cluster("3", 10_000, 6, 200))
    assert len(events) == 1
    event = events[0]
    assert (event.chrom, event.start, event.end, event.n_snvs) == ("3", 10_000, 11_000, 6)
    assert event.mean_distance == 200.0
    assert event.c_fraction == 1.0
    assert event.apobec_fraction is None


def test_five_snvs_are_not_an_event() -> None:
    assert find_kataegis(_cluster("3", 10_000, 5, 200)) == ()


@pytest.mark.parametrize(("gap", "expected"), [(1000, 1), (1001, 0)])
def test_distance_of_exactly_1000_counts_but_1001_breaks_the_run(gap: int, expected: int) -> None:
    assert len(find_kataegis(_cluster("1", 5_000, 6, gap))) == expected


def test_a_wide_gap_splits_two_clusters_and_unsorted_input_is_sorted() -> None:
    variants = _cluster("2", 1_000, 6, 100) + _cluster("2", 50_000, 7, 50)
    events = find_kataegis(list(reversed(variants)))
    assert [(e.start, e.n_snvs) for e in events] == [(1_000, 6), (50_000, 7)]


def test_clusters_never_join_across_chromosomes_and_the_last_run_is_kept() -> None:
    variants = _cluster("1", 248_000_000, 3, 10) + _cluster("2", 1, 3, 10) + _cluster("X", 100, 6, 10)
    events = find_kataegis(variants)
    assert [(e.chrom, e.n_snvs) for e in events] == [("X", 6)]


def test_indels_and_filtered_snvs_are_ignored() -> None:
    variants = _cluster("4", 100, 5, 10) + [
        Variant("4", 160, "CA", "C"),
        Variant("4", 170, "C", "T", filter_pass=False),
    ]
    assert find_kataegis(variants) == ()


def test_minimum_and_distance_are_configurable() -> None:
    assert len(find_kataegis(_cluster("5", 100, 4, 1500), min_snvs=4, max_distance=2000)) == 1


def test_apobec_share_is_measured_at_tpcpn(make_genome: Callable[[dict[str, str]], ReferenceGenome]) -> None:
    # positions 2,12,22,... hold TCA (APOBEC); positions 7,17,... hold ACA (not APOBEC)
    genome = make_genome({"1": "TTCAGAACAG" * 10})
    apobec = [Variant("1", 3 + 10 * i, "C", "T") for i in range(5)]
    other = [Variant("1", 8 + 10 * i, "C", "G") for i in range(3)]
    events = find_kataegis(apobec + other, genome)
    assert len(events) == 1
    assert events[0].n_snvs == 8
    assert events[0].apobec_fraction == pytest.approx(5 / 8)
    assert events[0].apobec_like


def test_metric_counts_events_or_says_why_not() -> None:
    events = find_kataegis(_cluster("1", 100, 6, 10))
    metric = kataegis_metric(events, n_snvs=6)
    assert metric.value == 1.0
    assert metric.details["n_snvs_in_events"] == 6
    assert kataegis_metric((), n_snvs=3).note == "not computable: 3 SNVs, fewer than 6"


def test_real_brca_exome_calls_have_no_kataegis(brca_variants: list[Variant]) -> None:
    # 196 exome SNVs of TCGA-A2-A04W: far apart, so no cluster of six within 1 kb
    assert find_kataegis(brca_variants) == ()
