"""AMP/ASCO/CAP tiers: one known-answer test per rule branch, plus real CIViC evidence."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from oncodrop.domain.classification import Classification, Tier
from oncodrop.domain.copynumber import CnaCall
from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.matching import EvidenceIndex, match_cna, match_evidence
from oncodrop.report.tiers import EVIDENCE_RULES, assign_cna_tier, assign_tier, same_site

sys.path.insert(0, str(Path(__file__).parent))  # the shared real-data readers next to this file
from evidence_realdata import civic_items, vcf_variants


def item(evidence_id: str, gene: str, *, level: str = "A", site: str | None = "Skin",
         **fields: object) -> EvidenceItem:  # fmt: skip
    base = EvidenceItem(
        evidence_id=evidence_id, gene=gene, profile=f"{gene} test", disease="Melanoma",
        primary_site=site, therapies=("Vemurafenib",), evidence_type=EvidenceType.PREDICTIVE,
        direction="Supports", significance="Sensitivity/Response", level=level, rating=5,
        citation="PMID:1",
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


def missense(gene: str, hgvsp: str, codon: int, *, exon: int | None = None,
             population_af: float | None = None) -> Variant:  # fmt: skip
    csq = Consequence(gene=gene, terms=("missense_variant",), impact="MODERATE", hgvsp=hgvsp,
                      protein_position=codon, exon=exon)  # fmt: skip
    return Variant("7", 140453136, "A", "T", consequence=csq, population_af=population_af)


BRAF_V600E = missense("BRAF", "p.V600E", 600, exon=15)


def tier_of(variant: Variant, items: list[EvidenceItem], site: str | None, *,
            gene_role: str | None = None, hotspot: bool = False,
            oncogenic: Classification | None = None) -> tuple[Tier, str]:  # fmt: skip
    """Index ``items``, match ``variant`` and tier it: the whole path the reporter takes."""
    matches = match_evidence(variant, EvidenceIndex.build(items, genome_build="grch37"))
    return assign_tier(matches, variant, site, gene_role=gene_role, hotspot=hotspot,
                       oncogenic=oncogenic)  # fmt: skip


def test_braf_v600e_melanoma_is_tier_1() -> None:
    tier, reason = tier_of(BRAF_V600E, [item("EID1", "BRAF", hgvsp="p.V600E")], "Skin")
    assert tier is Tier.I
    assert "EID1" in reason and "level A" in reason


def test_braf_v600e_in_colon_with_melanoma_evidence_is_tier_2() -> None:
    tier, reason = tier_of(BRAF_V600E, [item("EID1", "BRAF", hgvsp="p.V600E")], "Colon/Rectum")
    assert tier is Tier.II
    assert "another tumour type" in reason


def test_without_a_tumour_site_melanoma_evidence_is_not_called_another_tumour_type() -> None:
    tier, reason = tier_of(BRAF_V600E, [item("EID1", "BRAF", hgvsp="p.V600E")], None)
    assert tier is Tier.II
    assert "another tumour type" not in reason
    assert "no tumour site was set for this sample" in reason and "[Skin]" in reason


def test_level_b_same_site_is_tier_1_and_site_names_compare_case_insensitively() -> None:
    items = [item("EID2", "BRAF", hgvsp="p.V600E", level="B")]
    assert tier_of(BRAF_V600E, items, " skin ")[0] is Tier.I


def test_level_c_same_site_is_tier_2() -> None:
    items = [item("EID3", "BRAF", hgvsp="p.V600E", level="C")]
    assert tier_of(BRAF_V600E, items, "Skin")[0] is Tier.II


def test_level_d_in_another_site_is_tier_2_as_amp_says_not_tier_3_as_pcgr() -> None:
    items = [item("EID4", "BRAF", hgvsp="p.V600E", level="D")]
    tier, reason = tier_of(BRAF_V600E, items, "Colon/Rectum")
    assert tier is Tier.II
    assert "C/D" in reason


def test_level_e_inferential_evidence_does_not_tier() -> None:
    items = [item("EID5", "BRAF", hgvsp="p.V600E", level="E")]
    assert tier_of(BRAF_V600E, items, "Skin")[0] is Tier.III


def test_pan_cancer_strong_evidence_is_tier_1_in_any_site() -> None:
    items = [item("EID6", "BRAF", hgvsp="p.V600E", site="Pan-cancer")]
    assert tier_of(BRAF_V600E, items, "Thyroid")[0] is Tier.I
    assert tier_of(BRAF_V600E, items, None)[0] is Tier.I


def test_without_a_tumour_site_site_specific_strong_evidence_is_only_tier_2() -> None:
    items = [item("EID1", "BRAF", hgvsp="p.V600E")]
    assert tier_of(BRAF_V600E, items, None)[0] is Tier.II


def test_evidence_with_unknown_site_counts_as_another_site() -> None:
    assert not same_site(None, "Skin")
    items = [item("EID7", "BRAF", hgvsp="p.V600E", site=None)]
    assert tier_of(BRAF_V600E, items, "Skin")[0] is Tier.II


def test_resistance_only_level_a_same_site_is_tier_1_like_kras_in_colorectal() -> None:
    kras = missense("KRAS", "p.G12D", 12)
    items = [item("EID8", "KRAS", hgvsp="p.G12D", site="Colon/Rectum", significance="Resistance",
                  therapies=("Cetuximab",))]  # fmt: skip
    tier, reason = tier_of(kras, items, "Colon/Rectum")
    assert tier is Tier.I
    assert "Resistance" in reason


def test_resistance_only_level_c_is_tier_2() -> None:
    items = [item("EID9", "BRAF", hgvsp="p.V600E", level="C", significance="Resistance")]
    assert tier_of(BRAF_V600E, items, "Skin")[0] is Tier.II


def test_does_not_support_evidence_is_ignored() -> None:
    items = [item("EID10", "BRAF", hgvsp="p.V600E", direction="Does Not Support")]
    tier, reason = tier_of(BRAF_V600E, items, "Skin")
    assert tier is Tier.III
    assert "without tiering evidence" in reason


def test_germline_origin_predisposing_and_uncertain_items_do_not_tier() -> None:
    items = [
        item("EID11", "BRAF", hgvsp="p.V600E", variant_origin="Rare Germline"),
        item("EID12", "BRAF", hgvsp="p.V600E", evidence_type=EvidenceType.PREDISPOSING,
             significance="Pathogenic"),
        item("EID13", "BRAF", hgvsp="p.V600E", significance="Uncertain Significance"),
    ]  # fmt: skip
    assert tier_of(BRAF_V600E, items, "Skin")[0] is Tier.III


@pytest.mark.parametrize(
    ("evidence_type", "significance"),
    [(EvidenceType.PROGNOSTIC, "Poor Outcome"), (EvidenceType.DIAGNOSTIC, "Positive")],
)
def test_prognostic_and_diagnostic_level_b_same_site_are_tier_1_per_amp(
    evidence_type: EvidenceType, significance: str
) -> None:
    items = [item("EID14", "BRAF", hgvsp="p.V600E", level="B", evidence_type=evidence_type,
                  significance=significance, therapies=())]  # fmt: skip
    tier, reason = tier_of(BRAF_V600E, items, "Skin")
    assert tier is Tier.I
    assert evidence_type.value in reason


def test_codon_level_match_can_reach_tier_1() -> None:
    g12c = missense("KRAS", "p.G12C", 12)
    items = [item("EID15", "KRAS", codon=12, site="Lung", mutation_class="any")]
    tier, reason = tier_of(g12c, items, "Lung")
    assert tier is Tier.I
    assert "by_codon_principal" in reason


def test_exon_19_deletion_level_a_in_lung_is_tier_1() -> None:
    csq = Consequence(gene="EGFR", terms=("inframe_deletion",), hgvsp="p.E746_A750del",
                      protein_position=746, exon=19)  # fmt: skip
    del19 = Variant("7", 55242464, "AGGAATTAAGAGAAGC", "A", consequence=csq)
    items = [item("EID16", "EGFR", exon=19, mutation_class="inframe_deletion", site="Lung")]
    tier, reason = tier_of(del19, items, "Lung")
    assert tier is Tier.I
    assert "by_exon_mut_principal" in reason


def test_gene_level_loss_of_function_match_is_capped_at_tier_2() -> None:
    csq = Consequence(gene="BRCA1", terms=("stop_gained",), impact="HIGH", hgvsp="p.Q1756*",
                      protein_position=1756)  # fmt: skip
    stop = Variant("17", 41209079, "G", "A", consequence=csq)
    items = [item("EID17", "BRCA1", site="Ovary", mutation_class="loss_of_function",
                  therapies=("Olaparib",))]  # fmt: skip
    tier, reason = tier_of(stop, items, "Ovary")
    assert tier is Tier.II
    assert "gene level" in reason and "by_gene_mut_lof" in reason


def test_best_tier_wins_and_reason_cites_the_decisive_item() -> None:
    items = [
        item("EID20", "BRAF", hgvsp="p.V600E", level="D"),
        item("EID21", "BRAF", hgvsp="p.V600E", level="B"),
        item("EID22", "BRAF", hgvsp="p.V600E", level="A"),
    ]
    tier, reason = tier_of(BRAF_V600E, items, "Skin")
    assert tier is Tier.I
    assert "EID22" in reason and "1 more item(s)" in reason


def test_common_polymorphism_is_tier_4_even_with_evidence() -> None:
    common = missense("BRAF", "p.V600E", 600, population_af=0.01)
    tier, reason = tier_of(common, [item("EID1", "BRAF", hgvsp="p.V600E")], "Skin")
    assert tier is Tier.IV
    assert "0.01 >= 0.01" in reason


def test_population_af_just_below_one_percent_is_not_benign() -> None:
    rare = missense("TP53", "p.R175H", 175, population_af=0.0099)
    assert tier_of(rare, [], "Breast")[0] is Tier.III


def test_synonymous_variant_is_tier_4() -> None:
    csq = Consequence(gene="TP53", terms=("synonymous_variant",), impact="LOW")
    tier, reason = tier_of(Variant("17", 7578406, "C", "T", consequence=csq), [], "Breast")
    assert tier is Tier.IV
    assert "synonymous" in reason


def test_unannotated_non_coding_variant_is_tier_4() -> None:
    assert tier_of(Variant("17", 7578406, "C", "T"), [], "Breast")[0] is Tier.IV


@pytest.mark.parametrize(
    "terms",
    [("missense_variant",), ("splice_acceptor_variant",), ("stop_lost",),
     ("splice_region_variant", "synonymous_variant")],
)  # fmt: skip
def test_protein_altering_or_splice_variant_without_evidence_is_tier_3(
    terms: tuple[str, ...],
) -> None:
    csq = Consequence(gene="TP53", terms=terms)
    variant = Variant("17", 7578406, "C", "T", consequence=csq)
    tier, reason = tier_of(variant, [], "Breast", gene_role="tumour_suppressor", hotspot=True)
    assert tier is Tier.III
    assert "tumour_suppressor" in reason and "hotspot" in reason


def test_oncogenicity_benign_makes_an_unevidenced_missense_tier_4() -> None:
    benign = Classification(label="Likely benign", score=-1)
    tier = tier_of(missense("TTN", "p.A100T", 100), [], "Breast", oncogenic=benign)[0]
    assert tier is Tier.IV


def test_strong_evidence_outranks_a_benign_computational_call() -> None:
    benign = Classification(label="Likely benign", score=-1)
    items = [item("EID1", "BRAF", hgvsp="p.V600E")]
    assert tier_of(BRAF_V600E, items, "Skin", oncogenic=benign)[0] is Tier.I


def test_cna_amplification_level_a_same_site_is_tier_1_without_gene_cap() -> None:
    items = [item("EID30", "ERBB2", mutation_class="amplification", site="Breast",
                  therapies=("Trastuzumab",))]  # fmt: skip
    index = EvidenceIndex.build(items, genome_build="grch38")
    assert assign_cna_tier(match_cna("ERBB2", CnaCall.AMPLIFICATION, index), "Breast")[0] is Tier.I
    assert assign_cna_tier(match_cna("ERBB2", CnaCall.AMPLIFICATION, index), "Lung")[0] is Tier.II
    assert assign_cna_tier((), "Breast")[0] is Tier.III


def test_every_evidence_rule_row_has_a_distinct_branch() -> None:
    branches = {(r.strength, r.site, r.resolution) for r in EVIDENCE_RULES}
    assert len(branches) == len(EVIDENCE_RULES)
    assert {r.tier for r in EVIDENCE_RULES} == {Tier.I, Tier.II}


# --- real data: TCGA calls with CIViC 2021 evidence, disease -> site for the diseases in play --

SITES = {
    "Colorectal Cancer": "Colon/Rectum", "Colorectal Adenocarcinoma": "Colon/Rectum",
    "Breast Cancer": "Breast", "Her2-receptor Positive Breast Cancer": "Breast",
    "Melanoma": "Skin", "Skin Melanoma": "Skin",
}  # fmt: skip


@pytest.fixture(scope="module")
def civic_index(testdata: Path) -> EvidenceIndex:
    items = civic_items(testdata / "civic/legacy-2021/nightly-ClinicalEvidenceSummaries.tsv.gz")
    with_sites = [replace(i, primary_site=SITES.get(i.disease)) for i in items]
    return EvidenceIndex.build(with_sites, genome_build="grch37")


def real_call(testdata: Path, sample: str, key: str) -> Variant:
    calls = vcf_variants(testdata / f"pcgr/v2.3.2/T001-{sample}.grch37.vcf.gz")
    return next(v for v in calls if v.key == key)


def test_tcga_coad_braf_v600e_is_tier_1_in_colorectal_and_tier_2_in_breast(
    testdata: Path, civic_index: EvidenceIndex
) -> None:
    braf = real_call(testdata, "COAD", "7:140453136:A>T")
    matches = match_evidence(braf, civic_index)
    tier, reason = assign_tier(matches, braf, "Colon/Rectum")
    assert tier is Tier.I and "Colorectal Cancer" in reason
    assert assign_tier(matches, braf, "Breast")[0] is Tier.II


def test_tcga_brca_pik3ca_h1047r_is_tier_1_in_breast_by_level_b_prognostic_evidence(
    testdata: Path, civic_index: EvidenceIndex
) -> None:
    pik3ca = real_call(testdata, "BRCA", "3:178952085:A>G")
    tier, reason = assign_tier(match_evidence(pik3ca, civic_index), pik3ca, "Breast")
    assert tier is Tier.I
    assert "EID2097" in reason and "Prognostic" in reason and "Better Outcome" in reason
