from __future__ import annotations

from dataclasses import dataclass

from oncodrop.domain.classification import Tier
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.annotation.genespan import GENE_SPAN_TERM, annotate_by_gene_span
from oncodrop.report.tiers import assign_tier


@dataclass(frozen=True)
class Locus:
    symbol: str
    chrom: str
    start: int
    end: int


GENES = [Locus("BRAF", "7", 140433813, 140624564), Locus("EGFR", "7", 55086725, 55275031)]


def test_variant_inside_a_gene_span_gets_that_gene_and_no_protein_effect() -> None:
    (v,) = annotate_by_gene_span([Variant("7", 140453136, "A", "T")], GENES)
    assert v.consequence is not None
    assert v.consequence.gene == "BRAF"
    assert v.consequence.terms == (GENE_SPAN_TERM,)
    assert v.consequence.hgvsp is None


def test_variant_outside_every_span_stays_unannotated() -> None:
    (v,) = annotate_by_gene_span([Variant("7", 100_000_000, "A", "T")], GENES)
    assert v.consequence is None


def test_deletion_overlapping_the_span_start_counts_and_chr_prefix_in_spans_is_ignored() -> None:
    genes = [Locus("EGFR", "chr7", 55086725, 55275031)]
    (v,) = annotate_by_gene_span([Variant("7", 55086720, "ACGTACGT", "A")], genes)
    assert v.consequence is not None and v.consequence.gene == "EGFR"


def test_span_contigs_are_normalised_like_variant_contigs() -> None:
    genes = [Locus("MT-ND1", "chrM", 3307, 4262)]  # Variant.chrom spells the mitochondrion MT
    (v,) = annotate_by_gene_span([Variant("MT", 3400, "A", "G")], genes)
    assert v.consequence is not None and v.consequence.gene == "MT-ND1"


def test_existing_annotation_is_never_replaced() -> None:
    csq = Consequence(gene="BRAF", terms=("missense_variant",), hgvsp="p.V600E", source="VEP")
    (v,) = annotate_by_gene_span([Variant("7", 140453136, "A", "T", consequence=csq)], GENES)
    assert v.consequence == csq


def test_gene_span_only_variant_without_evidence_is_tier_3_not_benign() -> None:
    (v,) = annotate_by_gene_span([Variant("7", 140453200, "C", "G")], GENES)
    tier, reason = assign_tier((), v, "Skin")
    assert tier is Tier.III
    assert "gene-span" in reason
