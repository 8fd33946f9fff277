"""Genotype QC: zygosity from GT and the flags for depth, quality and allele balance."""

from __future__ import annotations

import pytest

from oncodrop.domain.variant import Variant
from oncodrop.report.germline.qc import genotype_qc, zygosity


@pytest.mark.parametrize(("gt", "expected"), [
    ("0/1", "heterozygous"), ("1|0", "heterozygous"), ("1/2", "heterozygous"), ("1/1", "homozygous"),
    ("1", "hemizygous"), ("./.", "unknown"), ("0/0", "unknown"), (None, "unknown"),
])  # fmt: skip
def test_zygosity_from_the_genotype(gt: str | None, expected: str) -> None:
    assert zygosity(gt) == expected


def qc(gt: str, depth: int | None, vaf: float | None, gq: int | None = 99) -> tuple[str, ...]:
    return genotype_qc(Variant("1", 1, "A", "G", genotype=gt, depth=depth, vaf=vaf, genotype_quality=gq)).flags


def test_balanced_well_covered_calls_pass() -> None:
    assert qc("0/1", 40, 0.48) == () and qc("1/1", 30, 1.0) == ()


def test_low_depth_and_low_genotype_quality_are_flagged() -> None:
    assert qc("0/1", 6, 0.5, gq=12) == ("low_depth", "low_genotype_quality")


def test_heterozygous_call_at_twelve_percent_looks_mosaic_or_chip() -> None:
    assert qc("0/1", 120, 0.12) == ("het_allele_imbalance",)


def test_homozygous_call_at_sixty_percent_is_flagged() -> None:
    assert qc("1/1", 50, 0.6) == ("hom_allele_imbalance",)


def test_missing_genotype_is_flagged_and_missing_numbers_are_not_guessed() -> None:
    assert qc("./.", None, None, gq=None) == ("no_genotype",)
