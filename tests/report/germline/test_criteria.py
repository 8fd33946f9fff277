"""Known answers for each computed ACMG criterion (pure: variant + context -> criteria)."""

from __future__ import annotations

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.germline.clinvar import PathogenicResidue
from oncodrop.report.germline.criteria import EvidenceContext, evaluate


def variant(ref: str, alt: str, gene: str, *terms: str, hgvsp: str | None = None,
            codon: int | None = None, exon: int | None = None, exon_count: int | None = None,
            af: float | None = None, pos: int = 1000) -> Variant:
    csq = Consequence(gene=gene, terms=terms, hgvsp=hgvsp, protein_position=codon, exon=exon,
                      exon_count=exon_count)
    return Variant("17", pos, ref, alt, genotype="0/1", consequence=csq, population_af=af)


def codes(v: Variant, **ctx: object) -> dict[str, float]:
    context = EvidenceContext(gene=v.gene or "", mechanism=str(ctx.pop("mechanism", "LoF")), **ctx)  # type: ignore[arg-type]
    return {c.code: c.points for c in evaluate(v, context)}


TP53_R175H = PathogenicResidue("TP53", 175, "p.R175H", "17:7675088:C>T", "Pathogenic")


def test_frameshift_in_a_loss_of_function_gene_is_pvs1_very_strong() -> None:
    v = variant("AT", "A", "BRCA2", "frameshift_variant", exon=11, exon_count=27)
    assert codes(v) == {"PVS1": 8}


def test_frameshift_in_a_gain_of_function_gene_is_not_pvs1() -> None:
    v = variant("AT", "A", "KRAS", "frameshift_variant")
    assert codes(v, mechanism="GoF") == {}


def test_stop_gained_in_the_last_exon_escapes_nmd_and_without_the_protein_length_is_moderate() -> None:
    # the tree's leaves with a gene model are in test_pvs1.py; exon numbers alone cannot say
    # whether > 10 % of the protein is lost, so the weaker strength is taken
    v = variant("C", "T", "BRCA2", "stop_gained", exon=27, exon_count=27)
    assert codes(v) == {"PVS1_Moderate": 2}


def test_start_loss_is_pvs1_moderate() -> None:
    assert codes(variant("A", "G", "MLH1", "start_lost")) == {"PVS1_Moderate": 2}


def test_canonical_splice_donor_without_the_exon_structure_is_pvs1_moderate() -> None:
    assert codes(variant("G", "A", "MLH1", "splice_donor_variant", "intron_variant")) == {"PVS1_Moderate": 2}


def test_same_amino_acid_change_as_clinvar_pathogenic_by_another_nucleotide_is_ps1() -> None:
    v = variant("G", "A", "TP53", "missense_variant", hgvsp="p.R175H", codon=175, pos=7675089)
    assert codes(v, clinvar_residues=(TP53_R175H,)) == {"PS1": 4}


def test_the_clinvar_allele_itself_is_not_ps1_of_itself() -> None:
    v = variant("C", "T", "TP53", "missense_variant", hgvsp="p.R175H", codon=175, pos=7675088)
    assert "PS1" not in codes(v, clinvar_residues=(TP53_R175H,))


def test_other_missense_at_a_clinvar_pathogenic_codon_is_pm5() -> None:
    v = variant("C", "G", "TP53", "missense_variant", hgvsp="p.R175G", codon=175)
    assert codes(v, clinvar_residues=(TP53_R175H,)) == {"PM5": 2}


def test_missense_at_a_hotspot_codon_is_pm1() -> None:
    v = variant("C", "A", "KRAS", "missense_variant", hgvsp="p.G12V", codon=12)
    assert codes(v, mechanism="GoF", hotspot=True) == {"PM1": 2}


def test_population_frequency_above_five_percent_is_ba1() -> None:
    v = variant("C", "T", "BRCA1", "missense_variant", af=0.12)
    assert codes(v, population_data=True) == {"BA1": -8}


def test_population_frequency_above_half_a_percent_is_bs1() -> None:
    v = variant("C", "T", "MLH1", "missense_variant", af=0.01)
    assert codes(v, population_data=True) == {"BS1": -4}


def test_absent_from_the_population_database_is_pm2_supporting() -> None:
    v = variant("C", "T", "MLH1", "missense_variant", af=None)
    assert codes(v, population_data=True) == {"PM2_Supporting": 1}


def test_no_population_data_in_the_annotation_gives_no_frequency_criterion() -> None:
    v = variant("C", "T", "MLH1", "missense_variant", af=None)
    assert codes(v, population_data=False) == {}


def test_inframe_deletion_of_several_residues_is_pm4_and_of_one_is_pm4_supporting() -> None:
    assert codes(variant("CAAGAAGAA", "C", "MLH1", "inframe_deletion")) == {"PM4": 2}
    assert codes(variant("CAAG", "C", "MLH1", "inframe_deletion")) == {"PM4_Supporting": 1}


def test_stop_loss_is_pm4() -> None:
    assert codes(variant("T", "C", "MLH1", "stop_lost")) == {"PM4": 2}


def test_synonymous_and_deep_intronic_changes_are_bp7_but_not_near_a_splice_site() -> None:
    assert codes(variant("C", "T", "MLH1", "synonymous_variant")) == {"BP7": -1}
    assert codes(variant("C", "T", "MLH1", "intron_variant")) == {"BP7": -1}
    assert codes(variant("C", "T", "MLH1", "splice_region_variant", "synonymous_variant")) == {}


def test_missense_in_a_truncation_driven_gene_is_bp1() -> None:
    v = variant("C", "T", "APC", "missense_variant", hgvsp="p.E1317Q", codon=1317)
    assert codes(v, truncation_driven=True) == {"BP1": -1}


def test_brca1_missense_in_ring_coiled_coil_or_brct_is_not_bp1_per_enigma() -> None:
    for codon in (1, 61, 101, 1391, 1424, 1650, 1804, 1857):
        v = variant("A", "T", "BRCA1", "missense_variant", hgvsp=f"p.X{codon}D", codon=codon)
        assert codes(v, truncation_driven=True) == {}, codon


def test_brca1_missense_outside_its_key_domains_keeps_bp1() -> None:
    for codon in (102, 1390, 1425, 1649, 1858):
        v = variant("A", "T", "BRCA1", "missense_variant", hgvsp=f"p.X{codon}D", codon=codon)
        assert codes(v, truncation_driven=True) == {"BP1": -1}, codon


def test_brca2_missense_in_the_dna_binding_or_palb2_binding_domain_is_not_bp1() -> None:
    for codon, bp1 in ((2479, False), (3192, False), (25, False), (2478, True), (3193, True), (1000, True)):
        v = variant("C", "T", "BRCA2", "missense_variant", hgvsp=f"p.X{codon}D", codon=codon)
        assert ("BP1" in codes(v, truncation_driven=True)) is bp1, codon


def test_brca_missense_at_an_unknown_codon_gets_no_bp1_it_cannot_be_placed_outside_the_domains() -> None:
    v = variant("C", "T", "BRCA2", "missense_variant")
    assert codes(v, truncation_driven=True) == {}


def test_criteria_add_up_for_a_rare_frameshift() -> None:
    v = variant("AT", "A", "BRCA2", "frameshift_variant", af=0.00001, exon=11, exon_count=27)
    assert codes(v, population_data=True) == {"PVS1": 8, "PM2_Supporting": 1}
