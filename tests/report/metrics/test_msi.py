from __future__ import annotations

from collections.abc import Callable

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.metrics.msi import MSI_RULES, classify_msi, msi_features, msi_status
from oncodrop.report.metrics.sequence import ReferenceGenome

CODING = Consequence("G", ("missense_variant",))
FRAMESHIFT = Consequence("G", ("frameshift_variant",))
INTRON = Consequence("G", ("intron_variant",))


def _set(n_snvs: int, n_indels: int, chrom: str = "1") -> list[Variant]:
    snvs = [Variant(chrom, 1000 + i, "C", "T", consequence=CODING) for i in range(n_snvs)]
    indels = [Variant(chrom, 5000 + 10 * i, "CA", "C", consequence=FRAMESHIFT) for i in range(n_indels)]
    return snvs + indels


HOMOPOLYMER_SEQ = "CGTACGTACG" + "AAAAAAA" + "CGTACGTACGTA" + "GCATGCTTGACGTACGT"
"""1-based: 10 = G anchor, 11-17 = AAAAAAA homopolymer; 30 = G anchor before GCATGC."""


def test_indel_rich_set_without_repeat_context_is_not_computable_never_mss() -> None:
    metric = msi_status(_set(600, 150), target_size_mb=34.0)
    assert metric.value is None and metric.details["status"] is None
    assert metric.note.startswith("not computable: coding indel fraction 0.20 (150/750) >= 0.10")
    assert "no reference FASTA: microsatellite indels cannot be counted" in metric.note


def test_indel_rich_set_in_microsatellites_is_msi_high(
    make_genome: Callable[[dict[str, str]], ReferenceGenome],
) -> None:
    genome = make_genome({"1": HOMOPOLYMER_SEQ})
    indels = [Variant("1", 10, "GA", "G", consequence=FRAMESHIFT)] * 150
    snvs = [Variant("1", 3, "T", "C", consequence=CODING)] * 600
    metric = msi_status(snvs + indels, 34.0, genome)
    assert metric.details["status"] == "MSI-H" and metric.value == 0.2
    assert metric.details["evidence"] == (
        "coding indel fraction 0.20 (150/750) >= 0.10 and 4.41 microsatellite indels/Mb (150) >= 1"
    )
    assert "not a validated MSI test" in metric.note


def test_snv_dominated_set_is_stable_from_the_fraction_alone() -> None:
    metric = msi_status(_set(300, 6), target_size_mb=34.0)
    assert metric.details["status"] == "MSS"
    assert metric.value == round(6 / 306, 4)
    assert metric.details["evidence"] == "coding indel fraction 0.02 (6/306) < 0.10"


def test_high_indel_share_with_few_indels_is_stable_and_says_why() -> None:
    # 30 % indels but only 6 indels over 34 Mb (0.18/Mb): a quiet tumour, not MSI-H
    metric = msi_status(_set(14, 6), target_size_mb=34.0)
    assert metric.details["status"] == "MSS"
    assert metric.details["evidence"] == (
        "coding indel fraction 0.30 (6/20) >= 0.10 but only 0.18 coding indels/Mb < 1"
    )


def test_evidence_shown_always_agrees_with_the_call(
    make_genome: Callable[[dict[str, str]], ReferenceGenome],
) -> None:
    """MSS is never shown beside a fraction at or above the cut-off without the reason."""
    genome = make_genome({"1": HOMOPOLYMER_SEQ})
    outside = [Variant("1", 30, "GC", "G", consequence=FRAMESHIFT)] * 80
    snvs = [Variant("1", 3, "T", "C", consequence=CODING)] * 300
    metric = msi_status(snvs + outside, 34.0, genome)
    assert metric.details["status"] == "MSS"
    assert metric.details["evidence"] == (
        "coding indel fraction 0.21 (80/380) >= 0.10 but 0.00 microsatellite indels/Mb (0) < 1"
    )


def test_genome_that_does_not_match_the_vcf_is_not_computable(
    make_genome: Callable[[dict[str, str]], ReferenceGenome],
) -> None:
    """A bundle genome of another assembly (or the demo's synthetic one) finds no repeat at
    the indels: that is no evidence of stability."""
    genome = make_genome({"1": "N" * 20 + "T" * 40})
    indels = [Variant("1", 30, "GA", "G", consequence=FRAMESHIFT)] * 150  # REF G, genome says T
    snvs = [Variant("1", 3, "T", "C", consequence=CODING)] * 600
    metric = msi_status(snvs + indels, 34.0, genome)
    assert metric.details["status"] is None and metric.value is None
    assert "the reference FASTA does not match the VCF (0 of 150 indel REF alleles found)" in metric.note


def test_only_coding_variants_count_when_annotated() -> None:
    variants = _set(100, 30) + [Variant("1", 9000 + i, "C", "T", consequence=INTRON) for i in range(500)]
    features = msi_features(variants, 34.0)
    assert (features.n_snvs, features.n_indels, features.coding_only) == (100, 30, True)


def test_too_few_variants_or_no_target_is_not_computable() -> None:
    assert msi_status(_set(5, 2), 34.0).note == "not computable: 7 coding SNVs/indels, fewer than 10"
    assert msi_status(_set(100, 30), 0.0).note.startswith("not computable: coding target size")


def test_with_fasta_only_microsatellite_indels_count_towards_the_burden(
    make_genome: Callable[[dict[str, str]], ReferenceGenome],
) -> None:
    genome = make_genome({"1": HOMOPOLYMER_SEQ})
    in_homopolymer = [Variant("1", 10, "GA", "G", consequence=FRAMESHIFT)] * 40
    outside = [Variant("1", 30, "GC", "G", consequence=FRAMESHIFT)] * 40
    snvs = [Variant("1", 3, "T", "C", consequence=CODING)] * 300
    features = msi_features(snvs + in_homopolymer + outside, 20.0, genome)  # smallest exome-like target
    assert features.n_indels == 80
    assert features.n_microsatellite_indels == 40
    assert features.ms_indel_burden == 2.0
    assert classify_msi(features).status == "MSI-H"


def test_hypermutated_tcga_colon_call_set_needs_repeat_context(coad_variants: list[Variant]) -> None:
    # TCGA-A6-2686: 2670 SNVs and 644 insertions/deletions (3 delins excluded) among 3317 PASS
    # calls: an MSI-range indel share, but without a FASTA the repeats cannot be checked
    metric = msi_status(coad_variants, target_size_mb=34.0)
    assert metric.details["n_snvs"] == 2670
    assert metric.details["n_indels"] == 644
    assert metric.details["indel_fraction"] == round(644 / 3314, 4)
    assert metric.details["status"] is None
    assert metric.note.startswith("not computable: coding indel fraction 0.19 (644/3314) >= 0.10")


def test_snv_only_tcga_breast_call_set_is_not_computable(brca_variants: list[Variant]) -> None:
    """TCGA-A2-A04W (PCGR's T001-BRCA): an SNV-only call set, so an indel share of 0 says nothing
    about MMR: not computable, never MSS."""
    assert not any(v.variant_class in {"insertion", "deletion", "indel"} for v in brca_variants)
    metric = msi_status(brca_variants, target_size_mb=34.0)
    assert metric.value is None and metric.details["status"] is None
    assert metric.details["indel_records"] == 0
    assert metric.note == (
        "not computable: the VCF holds no insertion/deletion record at all (SNV-only caller?): "
        "an indel share of 0 is no evidence of stability"
    )


def test_one_indel_record_even_filtered_or_non_coding_lets_the_fraction_decide() -> None:
    """The caller reports indels, it just found none that count: MSS from the fraction."""
    filtered = Variant("1", 9000, "CA", "C", filter_pass=False, filters=("LowQual",), consequence=FRAMESHIFT)
    metric = msi_status(_set(300, 0) + [filtered], target_size_mb=34.0)
    assert metric.details["status"] == "MSS" and metric.details["indel_records"] == 1
    assert metric.details["evidence"] == "coding indel fraction 0.00 (0/300) < 0.10"


def test_a_targeted_panel_is_not_computable_whatever_its_indels() -> None:
    """The cut-offs come from TCGA exomes: a panel's coding indel share is not evidence either way."""
    panel = msi_status(_set(600, 150), target_size_mb=34.0, assay="TARGETED")
    assert panel.value is None and panel.details["status"] is None
    assert panel.note == (
        "not computable: a targeted panel of 34 Mb: the cut-offs are calibrated on exomes (coding target >= 20 Mb)"
    )
    small = msi_status(_set(300, 6), target_size_mb=1.9)  # e.g. TSO500's size, assay type not given
    assert small.details["status"] is None
    assert small.note.startswith("not computable: a coding target of 1.9 Mb: the cut-offs are calibrated on exomes")
    assert msi_status(_set(300, 6), target_size_mb=20.0, assay="WES").details["status"] == "MSS"


def test_rule_table_lists_every_not_computable_reason_first() -> None:
    assert [status for status, _ in MSI_RULES[:3]] == ["not computable"] * 3
    assert "TARGETED" in MSI_RULES[0][1] and "no insertion/deletion record" in MSI_RULES[1][1]
