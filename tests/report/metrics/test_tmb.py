from __future__ import annotations

import pytest

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.metrics.tmb import (
    TmbSettings,
    count_tmb_variants,
    tmb_class,
    tumor_mutational_burden,
)
from oncodrop.sampleconfig import SampleConfig


def _variant(*terms: str, depth: int | None = 50, vaf: float | None = 0.3, passing: bool = True) -> Variant:
    return Variant(
        "1", 1000, "A", "T", filter_pass=passing, depth=depth, vaf=vaf, consequence=Consequence("G", terms)
    )


MIXED = [
    _variant("missense_variant"),
    _variant("missense_variant", "splice_region_variant"),
    _variant("synonymous_variant"),
    _variant("splice_region_variant", "synonymous_variant"),
    _variant("stop_gained"),
    _variant("frameshift_variant"),
    _variant("splice_donor_5th_base_variant"),
    _variant("intron_variant"),
    _variant("3_prime_UTR_variant"),
    _variant("stop_gained", "missense_variant"),
]


def test_three_pcgr_definitions_count_different_consequence_sets() -> None:
    counts = count_tmb_variants(MIXED, TmbSettings(target_size_mb=1.0)).counts
    # missense_only looks at the most severe term only (PCGR's ^missense_variant)
    assert counts["missense_only"] == 2
    # non-silent: missense x2, stop_gained x2, frameshift, splice_donor_5th_base (PCGR splice_donor prefix)
    assert counts["coding_non_silent"] == 6
    # plus the two synonymous ones
    assert counts["coding_and_silent"] == 8


def test_tmb_divides_by_the_configured_target_size() -> None:
    small = tumor_mutational_burden(MIXED, TmbSettings(target_size_mb=2.0, display="coding_non_silent"))
    large = tumor_mutational_burden(MIXED, TmbSettings(target_size_mb=40.0, display="coding_non_silent"))
    assert small.value == 3.0
    assert large.value == 0.15
    assert small.unit == "mutations/Mb"
    assert small.details["tmb_missense_only"] == 1.0


def test_depth_and_vaf_filters_keep_values_at_the_threshold() -> None:
    variants = [
        _variant("missense_variant", depth=20, vaf=0.05),
        _variant("missense_variant", depth=19, vaf=0.5),
        _variant("missense_variant", depth=100, vaf=0.049),
        _variant("missense_variant", depth=None, vaf=0.5),
        _variant("missense_variant", passing=False),
    ]
    settings = TmbSettings(target_size_mb=1.0, display="missense_only", tumor_dp_min=20, tumor_af_min=0.05)
    metric = tumor_mutational_burden(variants, settings)
    assert metric.value == 2.0  # the one at the thresholds and the one without depth
    assert metric.details["n_pass"] == 4
    assert metric.details["n_filtered_out"] == 2
    assert metric.details["n_unfilterable"] == 1
    assert "lacked depth/VAF" in metric.note


def test_zero_target_size_is_not_computable() -> None:
    metric = tumor_mutational_burden(MIXED, TmbSettings(target_size_mb=0.0))
    assert metric.value is None
    assert metric.note.startswith("not computable: coding target size")


def test_everything_filtered_out_is_not_computable() -> None:
    metric = tumor_mutational_burden(MIXED, TmbSettings(target_size_mb=34.0, tumor_dp_min=1000))
    assert not metric.computable
    assert "after depth/VAF filters" in metric.note
    assert "no PASS variants" in tumor_mutational_burden([], TmbSettings(34.0)).note


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0.0, "TMB-low"),
        (5.0, "TMB-low"),
        (5.01, "TMB-intermediate"),
        (20.0, "TMB-intermediate"),
        (20.5, "TMB-high"),
    ],
)
def test_tmb_class_uses_pcgr_tertile_limits(value: float, label: str) -> None:
    assert tmb_class(value, 5.0, 20.0) == label


def test_settings_come_from_the_sample_config() -> None:
    config = SampleConfig.model_validate(
        {
            "assay": {"target_size_mb": 1.2},
            "tmb": {"display": "missense_only", "tumor_dp_min": 30, "low_limit": 10},
        }
    )
    settings = TmbSettings.from_config(config)
    assert settings == TmbSettings(1.2, "missense_only", 30, 0.0, 10.0, 20.0)


def test_brca_vep_call_set_has_117_missense_of_186_coding(brca_vep_variants: list[Variant]) -> None:
    metric = tumor_mutational_burden(brca_vep_variants, TmbSettings(target_size_mb=34.0))
    assert metric.details["n_pass"] == 199
    assert metric.details["n_variants"] == 186  # 117 missense + 22 other non-silent + 47 synonymous
    assert metric.value == round(186 / 34, 4)
    assert metric.details["tmb_missense_only"] == round(117 / 34, 4)
    assert metric.details["tmb_coding_non_silent"] == round(139 / 34, 4)
    assert metric.details["class"] == "TMB-intermediate"


def test_depth_filter_on_real_pcgr_tags_removes_shallow_calls(brca_variants: list[Variant]) -> None:
    consequence = Consequence("G", ("missense_variant",))
    annotated = [
        Variant(v.chrom, v.pos, v.ref, v.alt, depth=v.depth, vaf=v.vaf, consequence=consequence)
        for v in brca_variants
    ]
    settings = TmbSettings(target_size_mb=34.0, display="missense_only", tumor_dp_min=30, tumor_af_min=0.1)
    metric = tumor_mutational_burden(annotated, settings)
    assert metric.details["n_pass"] == 196
    assert metric.details["n_variants"] == 133  # TDP >= 30 and TVAF >= 0.1 in T001-BRCA
