"""SO severity table and IMPACT classes."""

from __future__ import annotations

from oncodrop.report.annotation.severity import SO_TERMS, impact, rank, sort_terms


def test_order_follows_ensembl_for_the_clinically_important_terms() -> None:
    ordered = [
        "splice_acceptor_variant",
        "stop_gained",
        "frameshift_variant",
        "start_lost",
        "inframe_deletion",
        "missense_variant",
        "splice_region_variant",
        "synonymous_variant",
        "5_prime_UTR_variant",
        "intron_variant",
        "upstream_gene_variant",
        "intergenic_variant",
    ]
    assert sorted(ordered, key=rank) == ordered


def test_impact_classes() -> None:
    assert impact("stop_gained") == "HIGH"
    assert impact("missense_variant") == "MODERATE"
    assert impact("synonymous_variant") == "LOW"
    assert impact("intron_variant") == "MODIFIER"
    assert impact("no_such_term") == "MODIFIER"


def test_snpeff_spellings_rank_like_their_ensembl_terms() -> None:
    assert rank("disruptive_inframe_deletion") == rank("inframe_deletion")
    assert sort_terms(["intron_variant", "conservative_inframe_insertion", "stop_gained"]) == (
        "stop_gained",
        "inframe_insertion",
        "intron_variant",
    )


def test_unknown_terms_sort_last_and_table_has_no_duplicates() -> None:
    assert rank("made_up_term") > rank("sequence_variant")
    names = [term for term, _ in SO_TERMS]
    assert len(names) == len(set(names))
