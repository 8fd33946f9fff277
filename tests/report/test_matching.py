"""Evidence matching: each PCGR 2.x match level, allele normalisation, CNA items, real CIViC."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from oncodrop.domain.copynumber import CnaCall
from oncodrop.domain.evidence import EvidenceItem, EvidenceType, MatchLevel
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.matching import (
    EvidenceIndex,
    allele_key,
    match_cna,
    match_evidence,
    normalise_hgvsp,
)

sys.path.insert(0, str(Path(__file__).parent))  # the shared real-data readers next to this file
from evidence_realdata import civic_items, vcf_variants


def item(evidence_id: str, gene: str, **targets: object) -> EvidenceItem:
    base = EvidenceItem(
        evidence_id=evidence_id, gene=gene, profile=f"{gene} test", disease="Melanoma",
        primary_site="Skin", therapies=("Vemurafenib",), evidence_type=EvidenceType.PREDICTIVE,
        direction="Supports", significance="Sensitivity/Response", level="A", rating=5,
        citation="PMID:1",
    )  # fmt: skip
    return replace(base, **targets)  # type: ignore[arg-type]


def variant(chrom: str, pos: int, ref: str, alt: str, gene: str | None = None,
            terms: tuple[str, ...] = (), **csq: object) -> Variant:  # fmt: skip
    consequence = Consequence(gene, terms, **csq) if gene else None  # type: ignore[arg-type]
    return Variant(chrom=chrom, pos=pos, ref=ref, alt=alt, consequence=consequence)


BRAF_V600E = variant("7", 140453136, "A", "T", "BRAF", ("missense_variant",),
                     hgvsp="p.V600E", protein_position=600, exon=15)  # fmt: skip


def levels(matches: tuple) -> dict[str, MatchLevel]:
    return {m.evidence.evidence_id: m.match_level for m in matches}


def test_genomic_match_needs_the_exact_allele_on_the_sample_build() -> None:
    index = EvidenceIndex.build(
        [item("E1", "BRAF", build="grch37", chrom="chr7", start=140453136, ref="A", alt="T"),
         item("E2", "BRAF", build="grch37", chrom="7", start=140453136, ref="A", alt="G")],
        genome_build="grch37",
    )  # fmt: skip
    assert levels(match_evidence(BRAF_V600E, index)) == {"E1": MatchLevel.GENOMIC}


def test_coordinates_on_the_other_build_are_ignored_but_hgvsp_still_matches() -> None:
    e = item("E1", "BRAF", build="grch37", chrom="7", start=140453136, ref="A", alt="T",
             hgvsp="p.V600E")  # fmt: skip
    index = EvidenceIndex.build([e], genome_build="grch38")
    assert levels(match_evidence(BRAF_V600E, index)) == {"E1": MatchLevel.HGVSP}


def test_vcf_deletion_matches_civic_style_deletion() -> None:
    kit = item("E1", "KIT", build="grch37", chrom="4", start=55593612, ref="GTT", alt="")
    index = EvidenceIndex.build([kit], genome_build="grch37")
    v = variant("4", 55593611, "CGTT", "C")
    assert levels(match_evidence(v, index)) == {"E1": MatchLevel.GENOMIC}


def test_vcf_insertion_matches_civic_style_insertion_keyed_on_left_flank() -> None:
    npm1 = item("E1", "NPM1", build="grch37", chrom="5", start=170837547, ref="", alt="TCTG")
    index = EvidenceIndex.build([npm1], genome_build="grch37")
    assert allele_key("5", 170837547, "C", "CTCTG") == ("5", 170837547, "", "TCTG")
    assert levels(match_evidence(variant("5", 170837547, "C", "CTCTG"), index)) == {
        "E1": MatchLevel.GENOMIC
    }
    assert match_evidence(variant("5", 170837548, "C", "CTCTG"), index) == ()


def test_allele_keys_spell_contigs_as_variant_chrom_does() -> None:
    assert allele_key("chrM", 3400, "A", "G")[0] == "MT"
    assert allele_key("chrx", 1, "A", "G")[0] == "X"
    assert allele_key("GL000220.1", 1, "A", "G")[0] == "GL000220.1"  # not upper-cased


def test_civic_slash_separated_alternatives_each_match() -> None:
    flt3 = item("E1", "FLT3", build="grch37", chrom="13", start=28592642, ref="C", alt="G/A")
    index = EvidenceIndex.build([flt3], genome_build="grch37")
    assert match_evidence(variant("13", 28592642, "C", "A"), index)
    assert match_evidence(variant("13", 28592642, "C", "G"), index)
    assert not match_evidence(variant("13", 28592642, "C", "T"), index)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("p.V600E", "V600E"), ("p.(Val600Glu)", "V600E"), ("ENSP0001.1:p.Arg213Ter", "R213*"),
     ("R213X", "R213*"), ("p.Trp288CysfsTer12", "W288Cfs*12"), ("E746_A750del", "E746_A750del")],
)  # fmt: skip
def test_hgvsp_forms_normalise_to_one_letter_short(given: str, expected: str) -> None:
    assert normalise_hgvsp(given) == expected


def test_three_letter_item_hgvsp_matches_one_letter_variant() -> None:
    index = EvidenceIndex.build([item("E1", "braf", hgvsp="p.Val600Glu")], genome_build="grch37")
    assert levels(match_evidence(BRAF_V600E, index)) == {"E1": MatchLevel.HGVSP}


def test_codon_item_matches_any_missense_at_that_codon_but_not_a_nonsense() -> None:
    index = EvidenceIndex.build([item("E1", "KRAS", codon=12)], genome_build="grch37")
    g12c = variant("12", 25398285, "C", "A", "KRAS", ("missense_variant",), hgvsp="p.G12C",
                   protein_position=12)  # fmt: skip
    g12_stop = replace(g12c, consequence=replace(g12c.consequence, terms=("stop_gained",)))
    g13d = variant("12", 25398281, "C", "T", "KRAS", ("missense_variant",), protein_position=13)
    assert levels(match_evidence(g12c, index)) == {"E1": MatchLevel.CODON}
    assert match_evidence(g12_stop, index) == ()
    assert match_evidence(g13d, index) == ()


def test_codon_item_with_a_class_matches_that_class_at_the_codon() -> None:
    index = EvidenceIndex.build(
        [item("FS", "NPM1", codon=288, mutation_class="frameshift")], genome_build="grch37"
    )
    fs = variant("5", 170837547, "C", "CTCTG", "NPM1", ("frameshift_variant",),
                 protein_position=288)  # fmt: skip
    missense = replace(fs, consequence=replace(fs.consequence, terms=("missense_variant",)))
    assert levels(match_evidence(fs, index)) == {"FS": MatchLevel.CODON}
    assert match_evidence(missense, index) == ()


def test_exon_19_deletion_matches_inframe_deletions_in_exon_19_only() -> None:
    index = EvidenceIndex.build(
        [item("E1", "EGFR", exon=19, mutation_class="deletion")], genome_build="grch38"
    )
    del19 = variant("7", 55174772, "GGAATTAAGAGAAGCA", "G", "EGFR", ("inframe_deletion",),
                    exon=19, protein_position=746)  # fmt: skip
    fs19 = replace(del19, consequence=replace(del19.consequence, terms=("frameshift_variant",)))
    del20 = replace(del19, consequence=replace(del19.consequence, exon=20))
    assert levels(match_evidence(del19, index)) == {"E1": MatchLevel.EXON}
    assert match_evidence(fs19, index) == ()
    assert match_evidence(del20, index) == ()


def test_exon_20_insertion_and_exon_mutation_classes() -> None:
    index = EvidenceIndex.build(
        [item("INS", "EGFR", exon=20, mutation_class="insertion"),
         item("ANY", "EGFR", exon=20, mutation_class=None)],
        genome_build="grch38",
    )  # fmt: skip
    ins20 = variant("7", 55181319, "C", "CGGT", "EGFR", ("inframe_insertion",), exon=20)
    mis20 = variant("7", 55181378, "C", "T", "EGFR", ("missense_variant",), exon=20)
    syn20 = variant("7", 55181378, "C", "A", "EGFR", ("synonymous_variant",), exon=20)
    assert levels(match_evidence(ins20, index)) == {"ANY": MatchLevel.EXON, "INS": MatchLevel.EXON}
    assert levels(match_evidence(mis20, index)) == {"ANY": MatchLevel.EXON}
    assert match_evidence(syn20, index) == ()


@pytest.mark.parametrize(
    "terms",
    [("stop_gained",), ("frameshift_variant",), ("splice_donor_variant",),
     ("splice_acceptor_variant",), ("start_lost",)],
)  # fmt: skip
def test_gene_level_loss_of_function_item_matches_null_variants(terms: tuple[str, ...]) -> None:
    index = EvidenceIndex.build(
        [item("E1", "BRCA1", mutation_class="loss_of_function")], genome_build="grch38"
    )
    null = variant("17", 43045712, "G", "A", "BRCA1", terms)
    assert levels(match_evidence(null, index)) == {"E1": MatchLevel.GENE}


def test_gene_level_item_with_civic_gene_span_coordinates_still_matches_at_gene_level() -> None:
    apc = item("E1", "APC", mutation_class="any", build="grch37", chrom="5", start=112043218,
               end=112181936, ref="", alt="")  # fmt: skip
    index = EvidenceIndex.build([apc], genome_build="grch37")
    stop = variant("5", 112175770, "C", "T", "APC", ("stop_gained",))
    assert levels(match_evidence(stop, index)) == {"E1": MatchLevel.GENE}


def test_gene_level_truncating_item_ignores_missense_and_splice_region() -> None:
    index = EvidenceIndex.build(
        [item("E1", "BRCA1", mutation_class="truncating")], genome_build="grch38"
    )
    for terms in [("missense_variant",), ("splice_region_variant", "intron_variant")]:
        assert match_evidence(variant("17", 43045712, "G", "A", "BRCA1", terms), index) == ()


def test_gene_level_mutation_item_matches_null_variants_only_as_pcgr_by_gene_mut_lof() -> None:
    index = EvidenceIndex.build([item("E1", "TP53", mutation_class="mutation")], "grch38")
    nonsense = variant("17", 7675087, "G", "A", "TP53", ("stop_gained",))
    missense = variant("17", 7675088, "C", "T", "TP53", ("missense_variant",))
    synonymous = variant("17", 7675089, "C", "T", "TP53", ("synonymous_variant",))
    other_gene = variant("17", 7675087, "G", "A", "WRAP53", ("stop_gained",))
    assert levels(match_evidence(nonsense, index)) == {"E1": MatchLevel.GENE}
    assert match_evidence(missense, index) == ()
    assert match_evidence(synonymous, index) == ()
    assert match_evidence(other_gene, index) == ()


def test_gene_level_missense_class_still_matches_any_missense_in_the_gene() -> None:
    index = EvidenceIndex.build([item("E1", "TP53", mutation_class="missense")], "grch38")
    missense = variant("17", 7675088, "C", "T", "TP53", ("missense_variant",))
    assert levels(match_evidence(missense, index)) == {"E1": MatchLevel.GENE}


def test_item_is_reported_once_at_its_most_precise_level_and_results_are_ordered() -> None:
    index = EvidenceIndex.build(
        [item("E9", "BRAF", mutation_class="missense"),
         item("E5", "BRAF", codon=600),
         item("E1", "BRAF", build="grch37", chrom="7", start=140453136, ref="A", alt="T",
              hgvsp="p.V600E"),
         item("E3", "BRAF", hgvsp="p.V600E")],
        genome_build="grch37",
    )  # fmt: skip
    matches = match_evidence(BRAF_V600E, index)
    assert [(m.evidence.evidence_id, m.match_level) for m in matches] == [
        ("E1", MatchLevel.GENOMIC), ("E3", MatchLevel.HGVSP), ("E5", MatchLevel.CODON),
        ("E9", MatchLevel.GENE),
    ]  # fmt: skip


def test_specific_variant_on_other_build_does_not_fall_back_to_gene_level() -> None:
    e = item("E1", "BRAF", build="grch38", chrom="7", start=140753336, ref="A", alt="T",
             mutation_class="missense")  # fmt: skip
    index = EvidenceIndex.build([e], genome_build="grch37")
    assert match_evidence(BRAF_V600E, index) == ()


def test_cna_items_match_only_their_copy_number_call() -> None:
    index = EvidenceIndex.build(
        [item("AMP", "ERBB2", mutation_class="amplification"),
         item("DEL", "CDKN2A", mutation_class="deletion")],
        genome_build="grch38",
    )  # fmt: skip
    assert levels(match_cna("ERBB2", CnaCall.AMPLIFICATION, index)) == {"AMP": MatchLevel.GENE}
    assert match_cna("ERBB2", CnaCall.GAIN, index) == ()
    assert levels(match_cna("cdkn2a", CnaCall.HOMDEL, index)) == {"DEL": MatchLevel.GENE}
    assert match_cna("CDKN2A", CnaCall.HETDEL, index) == ()
    erbb2_snv = variant("17", 39724775, "G", "A", "ERBB2", ("missense_variant",))
    assert match_evidence(erbb2_snv, index) == ()


def test_items_without_a_known_target_are_listed_as_unindexed() -> None:
    index = EvidenceIndex.build(
        [item("E1", "ALK", mutation_class="fusion"), item("E2", "ALK", mutation_class=None),
         item("E3", "KIT", mutation_class="gain_of_function")],
        genome_build="grch38",
    )
    assert index.unindexed == ("E1", "E2", "E3")


# --- real data: CIViC 2021 nightly evidence against TCGA somatic calls (GRCh37) ----------------


@pytest.fixture(scope="module")
def civic(testdata: Path) -> list[EvidenceItem]:
    return civic_items(testdata / "civic/legacy-2021/nightly-ClinicalEvidenceSummaries.tsv.gz")


def test_tcga_coad_calls_match_civic_braf_v600e_by_genomic_coordinate(
    testdata: Path, civic: list[EvidenceItem]
) -> None:
    index = EvidenceIndex.build(civic, genome_build="grch37")
    calls = vcf_variants(testdata / "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz")
    hits = {v.key: match_evidence(v, index) for v in calls}
    hits = {key: matches for key, matches in hits.items() if matches}
    assert set(hits) == {"7:140453136:A>T", "1:97915614:C>T"}  # BRAF V600E, DPYD*2A
    braf = hits["7:140453136:A>T"]
    assert len(braf) == 87
    assert {m.evidence.profile for m in braf} == {"BRAF V600E"}
    assert {m.match_level for m in braf} == {MatchLevel.GENOMIC}


def test_lifted_grch38_calls_do_not_match_grch37_coordinates(
    testdata: Path, civic: list[EvidenceItem]
) -> None:
    index = EvidenceIndex.build(civic, genome_build="grch37")
    calls = vcf_variants(testdata / "pcgr/v2.3.2/T001-COAD.grch38.vcf.gz")
    assert len(calls) > 3000
    assert not any(match_evidence(v, index) for v in calls)
