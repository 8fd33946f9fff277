"""bcftools BCSQ in the GIAB trio: most severe entry, SO mapping, short protein changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from oncodrop.report.annotation.bcsq import parse_bcsq, short_hgvsp, so_terms
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

TRIO = "germline/grch37.giab-ashkenazi-trio.chr1-chr2.gatk.bcsq.vcf.gz"


def test_trio_proband_variants_in_predisposition_genes(testdata: Path) -> None:
    variants = read_variants(testdata / TRIO, SampleConfig(), mode="normal").variants
    by_key = {v.key: v for v in variants}
    mutyh = by_key["1:45797505:C>G"].consequence
    assert mutyh is not None
    # csq lists an NMD transcript first (p.S116T); the pick order (biotype before severity)
    # takes a protein-coding one; with no gene model tags, the first in csq's order
    assert (mutyh.gene, mutyh.primary_term, mutyh.hgvsp, mutyh.biotype, mutyh.source) == (
        "MUTYH",
        "missense_variant",
        "p.Q310H",
        "protein_coding",
        "BCSQ",
    )
    # every transcript's effect is kept (16 entries, the MANE one Q338H among them)
    assert len(mutyh.all_effects) == 16
    assert "MUTYH:ENST00000450313:missense_variant:p.Q338H" in mutyh.all_effects
    fh = by_key["1:241667523:C>T"].consequence
    assert fh is not None and (fh.gene, fh.hgvsp) == ("FH", "p.P309=")


def test_trio_consequence_spectrum_is_plausible(testdata: Path) -> None:
    variants = read_variants(testdata / TRIO, SampleConfig(), mode="normal").variants
    terms = Counter(v.consequence.primary_term for v in variants if v.consequence)
    assert terms["missense_variant"] > 500 and terms["synonymous_variant"] > 500
    assert terms["stop_gained"] > 0 and terms["frameshift_variant"] > 0
    assert not any(t.islower() and "_" not in t for t in terms)  # all mapped to SO names


def test_entries_of_one_transcript_are_merged() -> None:
    # bcftools test/csq/ENST00000341065 frame1.vcf: csq writes two entries for one transcript;
    # VEP would report ``inframe_deletion&splice_region_variant`` on it: both terms are kept
    entries = (
        "splice_region|SAMD11|ENST1|protein_coding",
        "inframe_deletion|SAMD11|ENST1|protein_coding|+|508VA>508V|19030TGGC>T",
    )
    chosen = parse_bcsq(entries, alt="T")
    assert chosen is not None
    assert chosen.consequence.terms == ("inframe_deletion", "splice_region_variant")
    assert (chosen.consequence.hgvsp, chosen.consequence.protein_position) == ("p.A509del", 509)
    assert len(chosen.consequence.all_effects) == 1


def test_pointer_entries_alone_give_no_consequence() -> None:
    assert parse_bcsq(("@12345",), alt="A") is None


def test_short_protein_changes() -> None:
    assert short_hgvsp("600V>600E", "missense_variant") == ("p.V600E", 600)
    assert short_hgvsp("141T", "synonymous_variant") == ("p.T141=", 141)
    assert short_hgvsp("430YKE>430*", "stop_gained") == ("p.Y430*", 430)
    # indels in HGVS short form (VEP's spelling): deletion, delins, frameshift with new stop
    assert short_hgvsp("508VA>508V", "inframe_deletion") == ("p.A509del", 509)
    assert short_hgvsp("508VA>508A", "inframe_deletion") == ("p.V508del", 508)
    assert short_hgvsp("216L>216EL", "inframe_insertion") == ("p.L216delinsEL", 216)
    assert short_hgvsp("216LLRLK*>216F*", "frameshift_variant") == ("p.L216Ffs*2", 216)
    assert short_hgvsp("215ELLRL*>215VAEAE*", "frameshift_variant") == ("p.E215Vfs*6", 215)
    assert so_terms("*missense&NMD_transcript") == ("missense_variant", "NMD_transcript_variant")


def _facts() -> dict[str, TranscriptFacts]:
    return {  # minus-strand gene G: the canonical A spans 1000-9000 (exons 8000-9000, 1000-2000)
        "A": TranscriptFacts("A", "protein_coding", frozenset({"appris_principal", "CCDS"}), cds_length=600,
                             strand="-", exons=((1000, 2000), (8000, 9000)), cds=(1500, 8500), gene="G"),
        "B": TranscriptFacts("B", "nonsense_mediated_decay", frozenset(), strand="-",
                             exons=((4000, 5000), (8000, 9000)), gene="G"),
        "C": TranscriptFacts("C", "protein_coding", frozenset(), strand="-", exons=((20000, 21000),), gene="G"),
    }  # fmt: skip


def test_a_canonical_intron_without_a_csq_entry_beats_a_minor_transcripts_splice_hit() -> None:
    """csq writes nothing for introns: the canonical transcript spanning the variant is an
    intron_variant candidate, as VEP would see it (C does not span it: no candidate)."""
    entries = ["splice_donor|G|B|nonsense_mediated_decay|-"]
    ann = parse_bcsq(entries, alt="T", transcripts=_facts(), pos=4999, ref="C")
    assert ann is not None and ann.consequence is not None
    csq = ann.consequence
    assert (csq.transcript, csq.terms) == ("A", ("intron_variant",))
    # c.1 is genomic 8500 (t.501); exon 2 starts at genomic 2000 = t.1002 = c.502; 4999 is 2999 bases
    # before it and 3001 after exon 1's last base (8000): the nearer edge names it; C>T is G>A on "-"
    assert csq.hgvsc == "c.502-2999G>A"
    assert "G:B:splice_donor_variant" in csq.all_effects and "G:A:intron_variant" in csq.all_effects
    assert not any(":C:" in e for e in csq.all_effects)


def test_without_transcript_facts_the_entries_alone_decide() -> None:
    ann = parse_bcsq(["splice_donor|G|B|nonsense_mediated_decay|-"], alt="T", pos=4999, ref="C")
    assert ann is not None and ann.consequence is not None
    assert ann.consequence.transcript == "B"
