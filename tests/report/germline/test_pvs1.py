"""Known answers for each leaf of the ClinGen SVI PVS1 tree (Abou Tayoun et al. 2018).

One small made-up transcript carries every leaf: plus strand, six exons, c.1 at 1050
(transcript position 51), 600 CDS bases with the stop = 199 residues, last exon–exon
junction after transcript base 399 (exon 5 spans transcript bases 300–399).

    exon  genomic     nt   coding      frame when skipped
    1     1000-1099   100  1050-1099   holds the start codon
    2     2000-2099   100  all         shifts (100 nt)
    3     3000-3089    90  all         kept, 30 residues = 15.1 % (> 10 %)
    4     4000-4008     9  all         kept, 3 residues = 1.5 %
    5     5000-5099   100  all         shifts (penultimate exon)
    6     6000-6399   400  6000-6250   last exon (stop codon 6248-6250)

A stop at codon c starts at transcript base 51 + 3 (c - 1).
"""

from __future__ import annotations

from dataclasses import replace

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.germline.criteria import EvidenceContext, evaluate
from oncodrop.report.germline.findings import model_transcript

EXONS = ((1000, 1099), (2000, 2099), (3000, 3089), (4000, 4008), (5000, 5099), (6000, 6399))
PLUS = TranscriptFacts("ENST00000000001", "protein_coding", cds_length=600, strand="+", exons=EXONS,
                       cds=(1050, 6250), gene="GENE1")  # fmt: skip
MIRROR = 10_000  # the same transcript on the minus strand: genomic x -> MIRROR - x
MINUS = TranscriptFacts("ENST00000000001", "protein_coding", cds_length=600, strand="-",
                        exons=tuple(sorted((MIRROR - e, MIRROR - s) for s, e in EXONS)),
                        cds=(MIRROR - 6250, MIRROR - 1050), gene="GENE1")  # fmt: skip


def variant(
    *terms: str,
    codon: int | None = None,
    hgvsp: str | None = None,
    pos: int = 1000,
    ref: str = "C",
    alt: str = "T",
    exon: int | None = None,
    exon_count: int | None = None,
) -> Variant:
    csq = Consequence(gene="GENE1", terms=terms, transcript="ENST00000000001", hgvsp=hgvsp,
                      protein_position=codon, exon=exon, exon_count=exon_count)  # fmt: skip
    return Variant("1", pos, ref, alt, genotype="0/1", consequence=csq)


def pvs1(v: Variant, facts: TranscriptFacts | None = PLUS) -> tuple[str, str]:
    met = [c for c in evaluate(v, EvidenceContext("GENE1", "LoF", transcript=facts)) if c.code.startswith("PVS1")]
    assert len(met) == 1, met
    return met[0].code, met[0].reason


# -- nonsense / frameshift with the gene model ------------------------------------------------


def test_stop_far_before_the_last_junction_is_predicted_nmd_and_pvs1() -> None:
    code, reason = pvs1(variant("stop_gained", codon=10, hgvsp="p.Q10*"))  # t = 78, 322 nt before
    assert code == "PVS1" and "322 nt before the last exon–exon junction" in reason and "NMD predicted" in reason


def test_stop_in_the_last_50_nt_of_the_penultimate_exon_escapes_nmd_and_removing_45_percent_is_strong() -> None:
    code, reason = pvs1(variant("stop_gained", codon=110, hgvsp="p.Q110*"))  # t = 378, 22 nt before
    assert code == "PVS1_Strong"
    assert "22 nt before" in reason and "NMD not predicted" in reason and "45.2%" in reason


def test_stop_in_the_last_exon_removing_under_10_percent_is_moderate() -> None:
    code, reason = pvs1(variant("stop_gained", codon=195, hgvsp="p.Q195*"))  # 5 of 199 residues
    assert code == "PVS1_Moderate" and "last exon" in reason and "2.5%" in reason


def test_frameshift_whose_new_stop_lands_in_the_last_exon_is_strong_from_the_altered_share() -> None:
    code, reason = pvs1(variant("frameshift_variant", codon=20, hgvsp="p.P20Lfs*100"))  # stop codon 119
    assert code == "PVS1_Strong" and "codon 119" in reason and "last exon" in reason and "90.5%" in reason


def test_frameshift_without_its_new_stop_two_exons_before_the_last_is_assumed_nmd() -> None:
    code, reason = pvs1(variant("frameshift_variant", codon=20, hgvsp="p.P20fs"))  # exon 2 of 6
    assert code == "PVS1" and "new stop not given" in reason


def test_frameshift_without_its_new_stop_in_the_penultimate_exon_is_not_assumed_nmd() -> None:
    code, reason = pvs1(variant("frameshift_variant", codon=90, hgvsp="p.P90fs"))  # t = 318: exon 5
    assert code == "PVS1_Strong" and "NMD not assumed" in reason


def test_single_exon_transcript_has_no_junction_so_no_nmd() -> None:
    one = TranscriptFacts("ENST00000000001", "protein_coding", cds_length=600, strand="+",
                          exons=((1000, 1999),), cds=(1100, 1699), gene="GENE1")  # fmt: skip
    code, reason = pvs1(variant("stop_gained", codon=10, hgvsp="p.Q10*"), one)
    assert code == "PVS1_Strong" and "single-exon" in reason


# -- canonical splice sites with the gene model -----------------------------------------------


def test_donor_of_an_exon_whose_skip_shifts_the_frame_with_exons_following_is_pvs1() -> None:
    code, reason = pvs1(variant("splice_donor_variant", pos=2100))  # +1 after exon 2
    assert code == "PVS1" and "exon 2 of 6" in reason and "shifts the frame (100 nt)" in reason


def test_acceptor_of_the_penultimate_exon_shifting_the_frame_is_not_nmd_and_goes_by_share() -> None:
    code, reason = pvs1(variant("splice_acceptor_variant", pos=4999))  # -1 before exon 5
    assert code == "PVS1_Strong" and "exon 5 of 6" in reason and "NMD not" in reason


def test_in_frame_skip_removing_more_than_10_percent_is_strong() -> None:
    code, reason = pvs1(variant("splice_donor_variant", pos=3091))  # +2 after exon 3 (90 nt)
    assert code == "PVS1_Strong" and "keeps the frame (90 nt)" in reason and "15.1%" in reason


def test_in_frame_skip_removing_less_than_10_percent_is_moderate() -> None:
    code, reason = pvs1(variant("splice_acceptor_variant", pos=3999))  # -1 before exon 4 (9 nt)
    assert code == "PVS1_Moderate" and "keeps the frame (9 nt)" in reason and "1.5%" in reason


def test_skip_of_the_exon_holding_the_start_codon_is_not_modelled_and_conservative() -> None:
    code, reason = pvs1(variant("splice_donor_variant", pos=1100))
    assert code == "PVS1_Moderate" and "start or stop codon" in reason


def test_minus_strand_mirror_gives_the_same_leaves() -> None:
    assert pvs1(variant("splice_donor_variant", pos=MIRROR - 3091), MINUS)[0] == "PVS1_Strong"
    assert pvs1(variant("splice_acceptor_variant", pos=MIRROR - 3999), MINUS)[0] == "PVS1_Moderate"
    assert pvs1(variant("splice_donor_variant", pos=MIRROR - 2100), MINUS)[0] == "PVS1"
    assert pvs1(variant("stop_gained", codon=110, hgvsp="p.Q110*"), MINUS)[0] == "PVS1_Strong"
    assert pvs1(variant("stop_gained", codon=10, hgvsp="p.Q10*"), MINUS)[0] == "PVS1"


# -- without a gene model: exon numbers only, conservative where they cannot decide ----------


def test_without_gene_model_two_or_more_exons_before_the_last_is_pvs1() -> None:
    code, reason = pvs1(variant("frameshift_variant", codon=1982, exon=11, exon_count=27), None)
    assert code == "PVS1" and "exon 11 of 27" in reason


def test_without_gene_model_the_penultimate_or_last_exon_is_conservatively_moderate() -> None:
    for exon in (26, 27):
        code, reason = pvs1(variant("stop_gained", codon=3300, exon=exon, exon_count=27), None)
        assert code == "PVS1_Moderate" and "conservative" in reason and "without the gene model" in reason


def test_without_any_exon_position_nmd_cannot_be_predicted_and_it_is_moderate() -> None:
    code, reason = pvs1(variant("stop_gained", codon=10), None)
    assert code == "PVS1_Moderate" and "exon position unknown" in reason


def test_without_gene_model_a_canonical_splice_site_is_conservatively_moderate() -> None:
    code, reason = pvs1(variant("splice_donor_variant", "intron_variant"), None)
    assert code == "PVS1_Moderate" and "in-frame skipping cannot be excluded" in reason


def test_a_gene_model_contradicting_the_annotations_exon_count_is_not_used() -> None:
    # the annotation says exon 26 of 27: the six-exon model is another transcript version
    code, _ = pvs1(variant("stop_gained", codon=10, hgvsp="p.Q10*", exon=26, exon_count=27))
    assert code == "PVS1_Moderate"


def test_start_loss_is_moderate_and_whole_transcript_deletion_is_pvs1() -> None:
    code, reason = pvs1(variant("start_lost", codon=1))
    assert code == "PVS1_Moderate" and "next in-frame Met not checked" in reason
    assert pvs1(variant("transcript_ablation"))[0] == "PVS1"


def test_gain_of_function_gene_gets_no_pvs1_whatever_the_tree_says() -> None:
    ctx = EvidenceContext("GENE1", "GoF", transcript=PLUS)
    assert not [c for c in evaluate(variant("stop_gained", codon=10, hgvsp="p.Q10*"), ctx) if c.code.startswith("PVS1")]


def test_the_gene_model_transcript_is_found_for_a_versioned_vep_transcript_id() -> None:
    v = variant("stop_gained", codon=10)
    assert v.consequence is not None
    versioned = replace(v, consequence=replace(v.consequence, transcript="ENST00000000001.4"))
    assert model_transcript(versioned, {"ENST00000000001": PLUS}) is PLUS
    assert model_transcript(versioned, {"ENST00000000002": PLUS}) is None
    assert model_transcript(versioned, None) is None
