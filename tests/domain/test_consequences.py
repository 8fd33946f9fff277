"""The one consequence table: a total order, IMPACT, MAF classes, and one label per term."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oncodrop.domain.consequences import (
    ALIASES,
    BY_TERM,
    FRAMESHIFT,
    NOT_ANNOTATED,
    PROTEIN_ALTERING,
    TERMS,
    impact,
    known,
    label,
    labels,
    maf_class,
    rank,
    sort_terms,
)
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.annotation.bcsq import BCSQ_TERMS
from oncodrop.report.annotation.genespan import GENE_SPAN_TERM
from oncodrop.report.germline import criteria
from oncodrop.report.metrics.tmb import TMB_DEFINITIONS
from oncodrop.report.tiers import VUS_TERMS

SRC = Path(__file__).resolve().parents[2] / "src" / "oncodrop"
MAF_CLASSES = {
    "Frame_Shift_Del", "Frame_Shift_Ins", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation",
    "Nonsense_Mutation", "Silent", "Splice_Site", "Translation_Start_Site", "Nonstop_Mutation",
    "3'UTR", "3'Flank", "5'UTR", "5'Flank", "IGR", "Intron", "RNA", "Targeted_Region",
    "De_novo_Start_InFrame", "De_novo_Start_OutOfFrame", "Splice_Region",
}  # GDC MAF specification, Variant_Classification
# String literals in src that look like SO terms but are something else.
NOT_TERMS = {"task_reject_on_worker_lost", "homozygous_deletion", "therapy_gained", "therapy_lost"}  # not SO terms


def test_order_follows_ensembl_for_the_clinically_important_terms() -> None:
    ordered = [
        "splice_acceptor_variant", "stop_gained", "frameshift_variant", "start_lost",
        "inframe_deletion", "missense_variant", "splice_region_variant", "synonymous_variant",
        "5_prime_UTR_variant", "intron_variant", "upstream_gene_variant", "intergenic_variant",
        NOT_ANNOTATED,
    ]  # fmt: skip
    assert sorted(ordered, key=rank) == ordered


def test_the_order_is_total_one_row_per_term_and_aliases_point_into_the_table() -> None:
    names = [row.term for row in TERMS]
    assert len(names) == len(set(names))
    assert [rank(t) for t in names] == list(range(len(names)))  # every term its own place
    assert not set(ALIASES) & set(names)
    assert all(target in BY_TERM for target in ALIASES.values())
    assert rank(NOT_ANNOTATED) == len(TERMS) - 1  # nothing known is less severe
    assert rank("made_up_term") > rank(NOT_ANNOTATED)


def test_every_row_has_an_impact_and_a_maf_class_from_the_spec() -> None:
    for row in TERMS:
        assert row.impact in {"HIGH", "MODERATE", "LOW", "MODIFIER"}
        assert row.maf in MAF_CLASSES | {FRAMESHIFT, PROTEIN_ALTERING}, row


def test_impact_classes() -> None:
    assert impact("stop_gained") == "HIGH"
    assert impact("missense_variant") == "MODERATE"
    assert impact("synonymous_variant") == "LOW"
    assert impact("intron_variant") == "MODIFIER"
    assert impact(NOT_ANNOTATED) == "MODIFIER"
    assert impact("no_such_term") == "MODIFIER"


def test_snpeff_spellings_rank_like_their_ensembl_terms() -> None:
    assert rank("disruptive_inframe_deletion") == rank("inframe_deletion")
    assert rank("intergenic_region") == rank("intergenic_variant")
    assert sort_terms(["intron_variant", "conservative_inframe_insertion", "stop_gained"]) == (
        "stop_gained",
        "inframe_insertion",
        "intron_variant",
    )


def test_unannotated_is_not_annotated_and_never_intergenic() -> None:
    assert label(None) == label("") == NOT_ANNOTATED
    assert labels(()) == NOT_ANNOTATED
    assert labels(["stop_gained", "splice_region_variant"]) == "stop_gained&splice_region_variant"
    assert Consequence(gene=None, terms=()).primary_term == NOT_ANNOTATED
    bare = Variant("1", 10, "C", "A")
    assert bare.consequence_term == bare.consequence_terms == NOT_ANNOTATED
    assert maf_class(None, "SNP", True) == maf_class(NOT_ANNOTATED, "SNP", True) == "Targeted_Region"


@pytest.mark.parametrize(
    ("term", "variant_type", "in_frame", "expected"),
    [
        ("initiator_codon_variant", "SNP", True, "Translation_Start_Site"),  # snpEff, as vcf2maf
        ("start_lost", "SNP", True, "Translation_Start_Site"),
        ("frameshift_variant", "DEL", False, "Frame_Shift_Del"),
        ("frameshift_variant", "SNP", True, "Targeted_Region"),
        ("protein_altering_variant", "INS", True, "In_Frame_Ins"),
        ("protein_altering_variant", "DEL", False, "Frame_Shift_Del"),
        ("protein_altering_variant", "DNP", True, "Targeted_Region"),  # vcf2maf: only indels
        ("disruptive_inframe_deletion", "DEL", True, "In_Frame_Del"),
        ("intergenic_region", "SNP", True, "IGR"),
        ("regulatory_region", "SNP", True, "IGR"),
        ("exon_variant", "SNP", True, "RNA"),
        (GENE_SPAN_TERM, "SNP", True, "Targeted_Region"),
        ("made_up_term", "SNP", True, "Targeted_Region"),
    ],
)
def test_maf_classes_follow_vcf2maf(term: str, variant_type: str, in_frame: bool, expected: str) -> None:
    assert maf_class(term, variant_type, in_frame) == expected


def test_every_term_the_code_names_is_in_the_table() -> None:
    named = (
        {GENE_SPAN_TERM, *VUS_TERMS, *BCSQ_TERMS.values()}
        | criteria.NULL_TERMS | criteria.INFRAME_TERMS | criteria.SILENT_TERMS | criteria.TRANSCRIPT_TERMS
    )  # fmt: skip
    assert {t for t in named if not known(t)} == set()
    for prefixes in TMB_DEFINITIONS.values():  # TMB matches by prefix: each must match a row
        assert all(any(row.term.startswith(p) for row in TERMS) for p in prefixes)


def test_every_term_like_string_in_src_is_in_the_table() -> None:
    pattern = re.compile(
        r"""["']([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_(?:variant|gained|lost|insertion|deletion|ablation"""
        r"""|amplification|elongation|truncation|region|codon|contact|fusion|feature|annotated))["']"""
    )
    found: dict[str, str] = {}
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.j2")]:
        for term in pattern.findall(path.read_text(encoding="utf-8")):
            found.setdefault(term, str(path.relative_to(SRC)))
    assert "missense_variant" in found and NOT_ANNOTATED in found  # the scan sees the code
    unknown = {
        term: where for term, where in found.items()
        if not known(term) and term not in BCSQ_TERMS and term not in NOT_TERMS
    }  # fmt: skip
    assert unknown == {}
