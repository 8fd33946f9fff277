"""bcftools BCSQ in the GIAB trio: most severe entry, SO mapping, short protein changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from oncodrop.report.annotation.bcsq import parse_bcsq, short_hgvsp, so_terms
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

TRIO = "germline/grch37.giab-ashkenazi-trio.chr1-chr2.gatk.bcsq.vcf.gz"


def test_trio_proband_variants_in_predisposition_genes(testdata: Path) -> None:
    variants = read_variants(testdata / TRIO, SampleConfig(), mode="normal").variants
    by_key = {v.key: v for v in variants}
    mutyh = by_key["1:45797505:C>G"].consequence
    assert mutyh is not None
    assert (mutyh.gene, mutyh.primary_term, mutyh.hgvsp, mutyh.source) == (
        "MUTYH",
        "missense_variant",
        "p.S116T",
        "BCSQ",
    )
    fh = by_key["1:241667523:C>T"].consequence
    assert fh is not None and (fh.gene, fh.hgvsp) == ("FH", "p.P309=")


def test_trio_consequence_spectrum_is_plausible(testdata: Path) -> None:
    variants = read_variants(testdata / TRIO, SampleConfig(), mode="normal").variants
    terms = Counter(v.consequence.primary_term for v in variants if v.consequence)
    assert terms["missense_variant"] > 500 and terms["synonymous_variant"] > 500
    assert terms["stop_gained"] > 0 and terms["frameshift_variant"] > 0
    assert not any(t.islower() and "_" not in t for t in terms)  # all mapped to SO names


def test_most_severe_entry_is_chosen() -> None:
    entries = (
        "splice_region|SAMD11|ENST1|protein_coding",
        "inframe_deletion|SAMD11|ENST1|protein_coding|+|508VA>508V|19030TGGC>T",
    )
    chosen = parse_bcsq(entries, alt="T")
    assert chosen is not None and chosen.consequence.primary_term == "inframe_deletion"
    assert chosen.consequence.protein_position == 508


def test_pointer_entries_alone_give_no_consequence() -> None:
    assert parse_bcsq(("@12345",), alt="A") is None


def test_short_protein_changes() -> None:
    assert short_hgvsp("600V>600E", "missense_variant") == ("p.V600E", 600)
    assert short_hgvsp("141T", "synonymous_variant") == ("p.T141=", 141)
    assert short_hgvsp("430YKE>430*", "stop_gained") == ("p.Y430*", 430)
    assert short_hgvsp("508VA>508V", "inframe_deletion") == (None, 508)
    assert so_terms("*missense&NMD_transcript") == ("missense_variant", "NMD_transcript_variant")
