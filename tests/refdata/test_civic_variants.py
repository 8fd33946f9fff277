from __future__ import annotations

import pytest

from oncodrop.refdata.civic_variants import MatchTarget, Unmatchable, parse_variant_name


@pytest.mark.parametrize(
    ("name", "hgvsp", "codon", "exon", "mutation_class"),
    [
        ("V600E", "p.V600E", 600, None, "missense"),
        ("R248*", "p.R248*", 248, None, "nonsense"),
        ("L858R (c.2573T>G)", "p.L858R", 858, None, "missense"),
        ("V600", None, 600, None, "any"),
        ("G12", None, 12, None, "any"),
        ("L531FS*30", None, 531, None, "frameshift"),
        ("E746_A750DEL", "p.E746_A750del", 746, None, "inframe_deletion"),
        ("EXON 19 DELETION", None, None, 19, "inframe_deletion"),
        ("Exon 20 insertion", None, None, 20, "inframe_insertion"),
        ("Exon 11 Mutation", None, None, 11, "any"),
        (
            "MET Exon 14 Skipping Mutation".removeprefix("MET "),
            None,
            None,
            14,
            "splice",
        ),
        ("MUTATION", None, None, None, "any"),
        ("Loss-of-function", None, None, None, "loss_of_function"),
        ("TRUNCATING MUTATION", None, None, None, "truncating"),
        ("Amplification", None, None, None, "amplification"),
        ("DELETION", None, None, None, "deletion"),
        ("LOSS", None, None, None, "deletion"),
    ],
)
def test_civic_names_become_match_targets(
    name: str,
    hgvsp: str | None,
    codon: int | None,
    exon: int | None,
    mutation_class: str,
) -> None:
    target = parse_variant_name(name)
    assert isinstance(target, MatchTarget)
    assert (target.hgvsp, target.codon, target.exon, target.mutation_class) == (
        hgvsp, codon, exon, mutation_class,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("OVEREXPRESSION", "expression"),
        ("Underexpression", "expression"),
        ("BCR::ABL1", "fusion"),
        ("EML4-ALK", "fusion"),
        ("Wildtype", "wild type"),
        ("ITD", "no known pattern"),
    ],
)
def test_non_dna_names_are_refused_with_a_reason(name: str, reason: str) -> None:
    result = parse_variant_name(name)
    assert isinstance(result, Unmatchable)
    assert reason in result.reason
