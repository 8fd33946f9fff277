"""Oncogenicity SOP: one test per computed criterion, per class boundary, and real VEP calls."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from oncodrop.demo import drivers as d
from oncodrop.domain.classification import Classification
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.matching import EvidenceIndex, match_evidence
from oncodrop.report.oncogenic_lookups import HotspotIndex, HotspotSupport, InSilicoVotes, OncogenicResidues
from oncodrop.report.oncogenicity import (
    CRITERIA,
    WAITING_FOR_DATA,
    classify_oncogenicity,
    describe,
    oncogenicity_label,
)
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

sys.path.insert(0, str(Path(__file__).parent))  # the shared real-data readers next to this file
from evidence_realdata import vep_picked_variants


@dataclass(frozen=True)
class Spot:
    """A hotspot row shaped like the bundle's ``Hotspot``."""

    gene: str
    codon: int
    hgvsp: str | None
    count: int


def var(gene: str, *terms: str, hgvsp: str | None = None, codon: int | None = None,
        af: float | None = None) -> Variant:  # fmt: skip
    csq = Consequence(gene=gene, terms=terms, hgvsp=hgvsp, protein_position=codon)
    return Variant("1", 1000, "C", "T", consequence=csq, population_af=af)


def codes(variant: Variant, **kwargs: object) -> set[str]:
    kwargs.setdefault("gene_role", None)
    result = classify_oncogenicity(variant, **kwargs)  # type: ignore[arg-type]
    return {c.code for c in result.criteria}


@pytest.mark.parametrize(
    "term", ["stop_gained", "frameshift_variant", "splice_donor_variant", "start_lost"]
)
def test_ovs1_null_variant_in_tumour_suppressor(term: str) -> None:
    assert codes(var("TP53", term), gene_role="tumour_suppressor") == {"OVS1"}
    assert codes(var("TP53", term), gene_role="both") == {"OVS1"}


def test_ovs1_not_for_oncogene_or_missense() -> None:
    assert codes(var("KRAS", "stop_gained"), gene_role="oncogene") == set()
    assert codes(var("TP53", "missense_variant"), gene_role="tumour_suppressor") == set()


def test_os3_hotspot_with_many_residue_samples_and_ten_with_the_change() -> None:
    assert codes(var("BRAF", "missense_variant"), hotspot=HotspotSupport(50, 10)) == {"OS3"}


def test_om4_hotspot_with_fewer_than_fifty_residue_samples() -> None:
    assert codes(var("BRAF", "missense_variant"), hotspot=HotspotSupport(49, 10)) == {"OM4"}


def test_op3_hotspot_with_fewer_than_ten_samples_with_the_change() -> None:
    assert codes(var("BRAF", "missense_variant"), hotspot=HotspotSupport(900, 9)) == {"OP3"}


def test_hotspot_index_counts_the_exact_change_and_the_residue() -> None:
    index = HotspotIndex.build([
        Spot("BRAF", 600, "p.V600E", 897), Spot("BRAF", 600, "p.V600K", 62),
        Spot("BRAF", 600, None, 1012), Spot("KRAS", 12, "p.G12D", 8),
    ])  # fmt: skip
    v600e = var("BRAF", "missense_variant", hgvsp="p.Val600Glu", codon=600)
    v600r = var("BRAF", "missense_variant", hgvsp="p.V600R", codon=600)
    v600_stop = var("BRAF", "stop_gained", hgvsp="p.V600*", codon=600)
    g12d = var("KRAS", "missense_variant", hgvsp="p.G12D", codon=12)
    assert index.lookup(v600e) == HotspotSupport(residue_samples=1012, allele_samples=897)
    assert index.lookup(v600r) == HotspotSupport(residue_samples=1012, allele_samples=0)
    assert index.lookup(v600_stop) is None
    assert index.lookup(g12d) == HotspotSupport(residue_samples=8, allele_samples=8)
    assert index.lookup(var("BRAF", "missense_variant", hgvsp="p.A601T", codon=601)) is None
    assert codes(v600r, hotspot=index.lookup(v600r)) == {"OP3"}


def test_om2_inframe_indel_in_cancer_gene_and_stop_loss_in_tumour_suppressor() -> None:
    assert codes(var("EGFR", "inframe_deletion"), gene_role="oncogene") == {"OM2"}
    assert codes(var("TP53", "inframe_insertion"), gene_role="tumour_suppressor") == {"OM2"}
    assert codes(var("TP53", "stop_lost"), gene_role="tumour_suppressor") == {"OM2"}
    assert codes(var("KRAS", "stop_lost"), gene_role="oncogene") == set()
    assert codes(var("TTN", "inframe_deletion"), gene_role=None) == set()


def test_op4_absent_or_ultra_rare_in_population_databases() -> None:
    assert codes(var("TP53", "missense_variant", af=0.00009)) == {"OP4"}
    assert codes(var("TP53", "missense_variant", af=0.0001)) == set()
    assert codes(var("TP53", "missense_variant"), population_checked=True) == {"OP4"}
    assert codes(var("TP53", "missense_variant")) == set()  # no database queried: unknown


def test_explicit_population_af_overrides_the_variant_field() -> None:
    assert codes(var("TP53", "missense_variant", af=0.2), population_af=0.00001) == {"OP4"}


def test_sbvs1_above_five_percent_replaces_sbs1() -> None:
    assert codes(var("SPATA31A1", "missense_variant", af=0.0501)) == {"SBVS1"}
    assert codes(var("SPATA31A1", "missense_variant", af=0.05)) == {"SBS1"}


def test_sbs1_above_one_percent_only() -> None:
    assert codes(var("TTN", "missense_variant", af=0.0101)) == {"SBS1"}
    assert codes(var("TTN", "missense_variant", af=0.01)) == set()


@pytest.mark.parametrize(
    "terms", [("synonymous_variant",), ("intron_variant",),
              ("intron_variant", "non_coding_transcript_variant")],
)  # fmt: skip
def test_sbp2_silent_change_outside_the_splice_site(terms: tuple[str, ...]) -> None:
    assert codes(var("TP53", *terms)) == {"SBP2"}


def test_sbp2_not_when_the_change_touches_splicing() -> None:
    assert codes(var("TP53", "splice_region_variant", "synonymous_variant")) == set()


def test_op1_and_sbp1_need_two_predictors_and_eighty_percent_agreement() -> None:
    missense = var("TP53", "missense_variant")
    assert codes(missense, in_silico=InSilicoVotes(damaging=4, tolerated=1)) == {"OP1"}
    assert codes(missense, in_silico=InSilicoVotes(damaging=2, tolerated=0)) == {"OP1"}
    assert codes(missense, in_silico=InSilicoVotes(damaging=1, tolerated=0)) == set()
    assert codes(missense, in_silico=InSilicoVotes(damaging=3, tolerated=2)) == set()
    assert codes(missense, in_silico=InSilicoVotes(damaging=0, tolerated=5)) == {"SBP1"}


def test_op1_reads_vep_and_dbnsfp_calls_carried_in_the_vcf() -> None:
    calls = (("SIFT", "deleterious(0)"), ("PolyPhen", "probably_damaging(0.972)"),
             ("MetaRNN_pred", "D&D&."), ("AlphaMissense_pred", "P"))  # fmt: skip
    v = replace(var("BRAF", "missense_variant"), predictions=calls)
    result = classify_oncogenicity(v, gene_role=None)
    assert [(c.code, c.points) for c in result.criteria] == [("OP1", 1)]
    assert "4 of 4 predictors damaging: SIFT=deleterious, PolyPhen=probably_damaging" in result.criteria[0].reason
    benign = replace(v, predictions=(("SIFT", "tolerated(0.4)"), ("PolyPhen", "benign(0.01)")))
    assert codes(benign) == {"SBP1"}
    assert InSilicoVotes.from_calls((("PolyPhen", "unknown(0)"), ("SIFT", "."))) is None


def test_op4_from_a_gnomad_column_the_variant_was_annotated_with() -> None:
    checked = replace(var("TP53", "missense_variant"), population_checked=True)
    assert codes(checked) == {"OP4"}
    assert codes(checked, population_checked=False) == set()


def _civic(eid: str, hgvsp: str | None, etype: EvidenceType = EvidenceType.PREDICTIVE, level: str = "A",
           direction: str = "Supports", significance: str = "Sensitivity/Response", codon: int | None = None,
           gene: str = "BRAF") -> EvidenceItem:  # fmt: skip
    return EvidenceItem(eid, gene, f"{gene} {hgvsp}", "Melanoma", "Skin", (), etype, direction,
                        significance, level, 4, "PMID:1", hgvsp=hgvsp, codon=codon)  # fmt: skip


def test_os1_same_change_established_by_civic_level_a_or_b_somatic_evidence() -> None:
    v600e = var("BRAF", "missense_variant", hgvsp="p.V600E", codon=600)
    strong = EvidenceMatch(_civic("EID1", "p.V600E"), MatchLevel.HGVSP)
    result = classify_oncogenicity(v600e, gene_role="oncogene", evidence=[strong])
    assert [(c.code, c.points) for c in result.criteria] == [("OS1", 4)]
    assert "EID1 (level A Predictive, by_hgvsp_principal)" in result.criteria[0].reason
    assert result.criteria[0].reason.endswith("[CIViC]")
    weak = EvidenceMatch(_civic("EID2", "p.V600E", level="C"), MatchLevel.HGVSP)
    refuting = EvidenceMatch(_civic("EID3", "p.V600E", direction="Does Not Support"), MatchLevel.HGVSP)
    exon = EvidenceMatch(_civic("EID4", None), MatchLevel.EXON)
    assert codes(v600e, evidence=[weak, refuting, exon]) == set()
    residue = EvidenceMatch(_civic("EID5", None, codon=600), MatchLevel.CODON)  # "BRAF V600": any change
    assert codes(v600e, evidence=[residue]) == {"OM3"}  # the residue, not the same change
    onc = EvidenceMatch(_civic("EID6", "p.V600E", EvidenceType.ONCOGENIC, "C", significance="Oncogenicity"),
                        MatchLevel.HGVSP)  # fmt: skip
    assert codes(v600e, evidence=[onc]) == {"OS1"}


def test_os1_is_the_same_amino_acid_change_from_the_allele_or_the_protein_change() -> None:
    v600e = var("BRAF", "missense_variant", hgvsp="p.V600E", codon=600)
    for level in (MatchLevel.GENOMIC, MatchLevel.HGVSP):
        assert codes(v600e, evidence=[EvidenceMatch(_civic("EID1", "p.V600E"), level)]) == {"OS1"}


def test_a_codon_level_item_gives_another_change_at_the_residue_om3_not_os1() -> None:
    """SOP: OS1 is the same amino-acid change; a different missense at the residue is OM3."""
    v600k = var("BRAF", "missense_variant", hgvsp="p.V600K", codon=600)
    codon_item = EvidenceMatch(_civic("EID5", None, codon=600), MatchLevel.CODON)  # "BRAF V600"
    result = classify_oncogenicity(v600k, gene_role="oncogene", evidence=[codon_item])
    assert [(c.code, c.points) for c in result.criteria] == [("OM3", 2)]
    assert "EID5 (level A Predictive, by_codon_principal)" in result.criteria[0].reason
    weak = EvidenceMatch(_civic("EID6", None, level="C", codon=600), MatchLevel.CODON)
    assert codes(v600k, evidence=[weak]) == set()  # not established: nothing at the residue
    stop = var("BRAF", "stop_gained", hgvsp="p.V600*", codon=600)
    assert codes(stop, evidence=[codon_item]) == set()  # OM3 is for missense changes


def test_os2_functional_studies_of_an_oncogenic_effect() -> None:
    r175h = var("TP53", "missense_variant", hgvsp="p.R175H", codon=175)
    dn = _civic("EID10527", "p.R175H", EvidenceType.FUNCTIONAL, "D", significance="Dominant Negative", gene="TP53")
    assert codes(r175h, evidence=[EvidenceMatch(dn, MatchLevel.HGVSP)]) == {"OS2"}
    against = replace(dn, direction="Does Not Support")
    assert codes(r175h, evidence=[EvidenceMatch(against, MatchLevel.HGVSP)]) == set()


def test_om3_another_missense_at_the_residue_is_established_oncogenic() -> None:
    residues = OncogenicResidues.build([_civic("EID1", "p.V600E"), _civic("EID9", "p.V600K", level="C")])
    v600k = var("BRAF", "missense_variant", hgvsp="p.V600K", codon=600)
    result = classify_oncogenicity(v600k, gene_role="oncogene", residues=residues)
    assert [(c.code, c.points) for c in result.criteria] == [("OM3", 2)]
    assert "V600E (EID1)" in result.criteria[0].reason
    v600e = var("BRAF", "missense_variant", hgvsp="p.V600E", codon=600)
    assert codes(v600e, residues=residues) == set()  # its own change is OS1's business
    assert codes(v600k, residues=residues, hotspot=HotspotSupport(900, 40)) == {"OS3"}  # one residue code


def test_residue_level_codes_count_once_and_ovs1_excludes_om2() -> None:
    assert codes(var("TP53", "stop_lost", "frameshift_variant"), gene_role="tumour_suppressor") == {"OVS1"}


def test_describe_names_the_label_never_a_bare_class_word() -> None:
    result = classify_oncogenicity(var("TTN", "missense_variant"), gene_role=None)
    assert describe(result) == "oncogenicity: VUS (0 points)"
    scored = classify_oncogenicity(var("BRAF", "missense_variant"), gene_role=None,
                                   hotspot=HotspotSupport(900, 800), population_checked=True)  # fmt: skip
    assert describe(scored) == "oncogenicity: VUS (5 points: OS3 +4, OP4 +1)"


def test_points_match_pcgr_reference_table() -> None:
    """Our points are the SOP's; PCGR 2.x's oncogenicity.tsv agrees for every code both use."""
    table = Path(__file__).parents[2].parent / "shared/reference/pcgr/oncogenicity.tsv"
    if not table.is_file():
        pytest.skip("PCGR reference table not present")
    pcgr = {}
    for line in table.read_text().splitlines()[1:]:
        code, score = line.split("\t")[:2]
        pcgr.setdefault(code.removeprefix("ONCG_").split("_")[0], int(score))  # OS2_A/SBS2_A: full points
    for code, (points, _) in CRITERIA.items():
        assert pcgr[code] == points, code


@pytest.mark.parametrize(
    ("score", "label"),
    [(10, "Oncogenic"), (9, "Likely oncogenic"), (6, "Likely oncogenic"), (5, "VUS"),
     (0, "VUS"), (-1, "Likely benign"), (-6, "Likely benign"), (-7, "Benign"), (-12, "Benign")],
)  # fmt: skip
def test_class_boundaries_follow_the_sop(score: int, label: str) -> None:
    assert oncogenicity_label(score) == label


def test_points_add_up_to_the_class() -> None:
    stop = var("TP53", "stop_gained", hgvsp="p.R213*", codon=213)
    result = classify_oncogenicity(
        stop, gene_role="tumour_suppressor", hotspot=HotspotSupport(40, 12), population_checked=True
    )
    assert [(c.code, c.points) for c in result.criteria] == [("OVS1", 8), ("OM4", 2), ("OP4", 1)]
    assert (result.score, result.label) == (11, "Oncogenic")


def test_criteria_table_and_waiting_list_do_not_overlap() -> None:
    assert not set(CRITERIA) & set(WAITING_FOR_DATA)
    assert set(WAITING_FOR_DATA) == {"OM1", "OP2", "SBS2"}
    sop = {"OVS1", "OS1", "OS2", "OS3", "OM1", "OM2", "OM3", "OM4", "OP1", "OP2", "OP3", "OP4",
           "SBVS1", "SBS1", "SBS2", "SBP1", "SBP2"}  # fmt: skip
    assert set(CRITERIA) | set(WAITING_FOR_DATA) == sop
    assert CRITERIA["OVS1"][0] == 8 and CRITERIA["SBVS1"][0] == -8


# --- real data: HCC1395 somatic calls with VEP 105 (PICK consequence, gnomAD AF) --------------


@pytest.fixture(scope="module")
def hcc1395(testdata: Path) -> dict[str, Variant]:
    path = testdata / "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz"
    return {v.key: v for v in vep_picked_variants(path)}


def test_hcc1395_brca2_nonsense_absent_from_gnomad_is_likely_oncogenic(
    hcc1395: dict[str, Variant],
) -> None:
    brca2 = hcc1395["13:32339132:G>T"]
    assert brca2.consequence is not None and brca2.consequence.hgvsp == "p.E1593*"
    result = classify_oncogenicity(brca2, gene_role="tumour_suppressor", population_checked=True)
    assert {c.code for c in result.criteria} == {"OVS1", "OP4"}
    assert (result.score, result.label) == (9, "Likely oncogenic")


def test_hcc1395_common_polymorphisms_are_benign(hcc1395: dict[str, Variant]) -> None:
    common = {k: v for k, v in hcc1395.items() if (v.population_af or 0) > 0.05}
    assert set(common) == {"9:39359765:C>T", "X:153183202:C>T"}  # SPATA31A1, MAGEA1
    labels = {classify_oncogenicity(v, gene_role=None).label for v in common.values()}
    assert labels == {"Benign"}
    magea1 = classify_oncogenicity(common["X:153183202:C>T"], gene_role=None)
    assert {c.code for c in magea1.criteria} == {"SBVS1", "SBP2"} and magea1.score == -9


# --- known answers: the demo bundle's real CIViC/hotspot rows, PCGR's VEP-annotated TCGA breast --


@pytest.fixture(scope="module")
def demo_classify(demo_bundle: Path) -> Callable[[Variant], Classification]:
    bundle = Bundle.open(demo_bundle)
    index = EvidenceIndex.build(bundle.evidence(), "grch37")
    hotspots = HotspotIndex.build(bundle.hotspots())
    residues = OncogenicResidues.build(bundle.evidence())
    roles = bundle.gene_roles()

    def classify(v: Variant) -> Classification:
        return classify_oncogenicity(
            v, gene_role=roles.get(v.gene or ""), hotspot=hotspots.lookup(v),
            evidence=match_evidence(v, index), residues=residues,
        )  # fmt: skip

    return classify


KRAS_G12D = d.Driver("12", 25398284, "C", "T", "KRAS", "ENST00000256078", d.MISSENSE, "MODERATE",
                     "c.35G>A", "p.G12D", 12, 2, 6)  # fmt: skip
PIK3CA_H1047R = d.Driver("3", 178952085, "A", "G", "PIK3CA", "ENST00000263967", d.MISSENSE, "MODERATE",
                         "c.3140A>G", "p.H1047R", 1047, 21, 21)  # fmt: skip
IDH1_R132H = d.Driver("2", 209113112, "C", "T", "IDH1", "ENST00000345146", d.MISSENSE, "MODERATE",
                      "c.395G>A", "p.R132H", 132, 4, 10)  # fmt: skip


@pytest.mark.parametrize(
    "driver",
    [d.BRAF_V600E, KRAS_G12D, d.PIK3CA_E542K, PIK3CA_H1047R, d.TP53_R175H, IDH1_R132H],
    ids=lambda x: f"{x.gene}_{x.hgvsp}",
)
def test_demo_drivers_are_oncogenic_or_likely_oncogenic(
    demo_classify: Callable[[Variant], Classification], driver: d.Driver
) -> None:
    # the demo VCFs carry a gnomADe_AF CSQ column, empty for these somatic drivers
    v = replace(driver.variant(depth=200, vaf=0.3), population_checked=True)
    result = demo_classify(v)
    assert result.label in {"Oncogenic", "Likely oncogenic"}, describe(result)
    assert {"OS1", "OS3", "OP4"} <= {c.code for c in result.criteria}
    assert all(c.reason.endswith("]") for c in result.criteria)  # every code names its source


def test_demo_idh1_r132h_is_established_by_residue_level_items_as_a_recurrent_change(
    demo_classify: Callable[[Variant], Classification],
) -> None:
    """CIViC (the demo's rows and the 01-Aug-2024 release alike) establishes IDH1 R132 only as a
    residue (``IDH1 R132``: EID10886 level A, EID2020 level B); R132H itself has a level D item
    and a refuting level C one. R132H is the residue's most recurrent change in the hotspot data,
    one of the changes those studies enrolled, so the residue-level items give it OS1."""
    result = demo_classify(replace(IDH1_R132H.variant(depth=200, vaf=0.3), population_checked=True))
    assert describe(result) == "oncogenicity: Likely oncogenic (9 points: OS1 +4, OS3 +4, OP4 +1)"
    assert "residue-level CIViC items" in result.criteria[0].reason


def test_a_residue_level_item_gives_os1_only_to_a_recurrent_change_at_the_residue() -> None:
    codon_item = EvidenceMatch(_civic("EID5", None, codon=600), MatchLevel.CODON)  # "BRAF V600"
    v600k = var("BRAF", "missense_variant", hgvsp="p.V600K", codon=600)
    assert codes(v600k, evidence=[codon_item], hotspot=HotspotSupport(900, 40)) == {"OS1", "OS3"}
    assert codes(v600k, evidence=[codon_item], hotspot=HotspotSupport(900, 9)) == {"OM3"}  # rare change: OM3
    assert codes(v600k, evidence=[codon_item]) == {"OM3"}  # no hotspot data: not known to be recurrent


def test_demo_braf_v600e_known_answer(demo_classify: Callable[[Variant], Classification]) -> None:
    result = demo_classify(replace(d.BRAF_V600E.variant(depth=200, vaf=0.3), population_checked=True))
    assert describe(result) == "oncogenicity: Likely oncogenic (9 points: OS1 +4, OS3 +4, OP4 +1)"
    assert "900 tumours with a change at the residue, 830 with V600E" in result.criteria[1].reason


def test_pcgr_tcga_breast_pik3ca_h1047r_is_likely_oncogenic(
    demo_classify: Callable[[Variant], Classification], testdata: Path
) -> None:
    """TCGA-A2-A04W after VEP 85 (PCGR's example): no gnomAD or predictor columns, so OS1 and
    OS3 decide."""
    vcf = testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"
    found = [v for v in read_variants(vcf, SampleConfig(), mode="somatic").variants
             if v.consequence is not None and v.consequence.hgvsp == "p.H1047R"]  # fmt: skip
    assert [(v.chrom, v.pos, v.gene) for v in found] == [("3", 178952085, "PIK3CA")]
    assert not found[0].population_checked and not found[0].predictions
    result = demo_classify(found[0])
    assert [(c.code, c.points) for c in result.criteria] == [("OS1", 4), ("OS3", 4)]
    assert (result.score, result.label) == (8, "Likely oncogenic")


def test_vep_csq_carries_predictor_calls_and_whether_gnomad_was_asked() -> None:
    from oncodrop.report.annotation.csq import CsqLayout, parse_csq

    layout = CsqLayout.from_description("Format: Allele|Consequence|SYMBOL|SIFT|PolyPhen|gnomADe_AF")
    found = parse_csq(["T|missense_variant|BRAF|deleterious(0)|probably_damaging(0.97)|"], layout, alleles=["T"])
    assert found is not None and found.population_checked and found.population_af is None
    assert found.predictions == (("SIFT", "deleterious(0)"), ("PolyPhen", "probably_damaging(0.97)"))
    no_gnomad = CsqLayout.from_description("Format: Allele|Consequence|SYMBOL|AF")
    bare = parse_csq(["T|missense_variant|BRAF|"], no_gnomad, alleles=["T"])
    assert bare is not None and not bare.population_checked and bare.predictions == ()


def test_variants_with_equal_facts_share_one_result_but_a_named_change_is_each_ones_own() -> None:
    """The memo scores facts for any change; a criterion that names the change (here a hotspot,
    for a variant without HGVSp: its key) is scored with the variant's own."""
    first = Variant("1", 1000, "C", "T", consequence=Consequence("TTN", ("intron_variant",)), population_checked=True)
    second = replace(first, pos=2000)
    assert classify_oncogenicity(first, gene_role=None) is classify_oncogenicity(second, gene_role=None)
    spot = HotspotSupport(900, 40)
    named = [classify_oncogenicity(v, gene_role=None, hotspot=spot) for v in (first, second, first)]
    reasons = [next(c.reason for c in result.criteria if c.code == "OS3") for result in named]
    assert "with 1:1000:C>T" in reasons[0]
    assert "with 1:2000:C>T" in reasons[1]
    assert reasons[2] == reasons[0]
    protein = [replace(first, consequence=Consequence("TTN", ("missense_variant",), hgvsp=h)) for h in ("p.R5W", "p.R5Q")]
    assert [next(c.reason for c in classify_oncogenicity(v, gene_role=None, hotspot=spot).criteria
                 if c.code == "OS3").endswith(f"with {change} [cancer hotspots]")
            for v, change in zip(protein, ("R5W", "R5Q"), strict=True)] == [True, True]  # fmt: skip
