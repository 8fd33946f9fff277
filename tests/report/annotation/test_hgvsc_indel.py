"""HGVS c. of indels (3' rule, dup, ins, delins) and of transcripts whose CDS starts mid-codon.

Synthetic transcripts over a hand-written genome check each rule; bcftools' own csq test
slices (``../shared/testdata/bcftools-csq``, GFF3 + FASTA + VCF) check the names end to end,
each c. number re-counted from the GFF3 text and each base read from the FASTA by the test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pysam
import pytest

from oncodrop.domain.variant import Consequence
from oncodrop.refdata.transcripts import gff3_transcripts
from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq
from oncodrop.report.annotation.gene_model import GeneModel
from oncodrop.report.annotation.hgvs_indel import FIRST_READ, WINDOW, record_hgvsc, trim
from oncodrop.report.annotation.hgvsc import substitution_hgvsc
from oncodrop.report.annotation.hgvsp_indel import inframe_hgvsp, protein
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))
_COMP = str.maketrans("ACGT", "TGCA")


@dataclass(frozen=True)
class _Genome:
    """One contig ``c`` whose base 1 is ``seq[0]``."""

    seq: str

    def bases(self, seqid: str, start: int, end: int) -> str:
        assert seqid == "c"
        return self.seq[max(start, 1) - 1 : end]


def _genome(**runs: str) -> _Genome:
    """100 bases of a non-repeating background with ``p<N>=BASES`` written from position N."""
    seq = list(("ACGT" * 3 + "TGCA" * 3 + "CATG" * 3 + "GTAC" * 3) * 3)[:100]  # no 3-base runs
    for key, bases in runs.items():
        start = int(key.removeprefix("p"))
        seq[start - 1 : start - 1 + len(bases)] = bases
    return _Genome("".join(seq))


# exons 11-40 and 61-90, CDS 11-90: plus strand c.1 = 11, c.30 = 40, c.31 = 61, c.60 = 90;
# minus strand c.1 = 90, c.30 = 61, c.31 = 40, c.60 = 11; intron 41-60 either way.
PLUS = TranscriptFacts("T+", "protein_coding", strand="+", exons=((11, 40), (61, 90)), cds=(11, 90), seqid="c")
MINUS = replace(PLUS, transcript="T-", strand="-")


def test_trim_drops_shared_suffix_then_prefix() -> None:
    assert trim(14, "CA", "C") == (15, "A", "")
    assert trim(279, "TAGAGAG", "TAG") == (280, "AGAG", "")  # a multi-allelic record's own ALT
    assert trim(10, "AA", "AGCT") == (11, "A", "GCT")


def test_plus_strand_deletion_in_a_run_moves_to_its_3_prime_end() -> None:
    genome = _genome(p14="GAAAAC")  # 15-18 AAAA = c.5-c.8
    assert record_hgvsc(PLUS, 14, "GA", "G", genome) == "c.8del"  # left-aligned VCF, 3'-most A
    assert record_hgvsc(PLUS, 14, "GAA", "G", genome) == "c.7_8del"


def test_plus_strand_insertion_of_a_repeated_base_is_a_dup_of_the_last_copy() -> None:
    genome = _genome(p14="GAAAAC")
    assert record_hgvsc(PLUS, 14, "G", "GA", genome) == "c.8dup"
    genome = _genome(p20="TCAGCAGT")  # 21-26 CAGCAG = c.11-c.16, then T
    assert record_hgvsc(PLUS, 20, "T", "TCAG", genome) == "c.14_16dup"


def test_an_insertion_that_repeats_nothing_is_ins_between_its_flanks() -> None:
    genome = _genome(p30="CG")  # c.20 C, c.21 G
    assert record_hgvsc(PLUS, 30, "C", "CTT", genome) == "c.20_21insTT"


def test_delins_is_named_on_its_own_span_without_shifting() -> None:
    genome = _genome(p31="AGCA")
    assert record_hgvsc(PLUS, 31, "AGC", "AT", genome) == "c.22_23delinsT"
    assert record_hgvsc(MINUS, 31, "AGC", "AT", genome) == "c.38_39delinsA"  # 33 = c.38, 32 = c.39 (c.31 = 40)


def test_the_shift_stops_at_the_exon_end_and_intronic_indels_get_offsets() -> None:
    genome = _genome(p38="CGGGGGT")  # 39-40 exon GG, 41-43 intron GGG
    assert record_hgvsc(PLUS, 38, "CG", "C", genome) == "c.30del"  # not c.30+3del
    genome = _genome(p44="CTTTA")  # intron 45-47 TTT = c.30+5..c.30+7
    assert record_hgvsc(PLUS, 44, "CT", "C", genome) == "c.30+7del"
    assert record_hgvsc(PLUS, 44, "C", "CT", genome) == "c.30+7dup"
    genome = _genome(p55="ACCG")  # intron 56-57 CC = c.31-5..c.31-4
    assert record_hgvsc(PLUS, 55, "AC", "A", genome) == "c.31-4del"


def test_minus_strand_indels_move_leftwards_on_the_genome() -> None:
    genome = _genome(p74="CTTTTG")  # 75-78 TTTT = c.16-c.13 (transcript AAAA)
    assert record_hgvsc(MINUS, 77, "TT", "T", genome) == "c.16del"  # right-aligned VCF moved left
    assert record_hgvsc(MINUS, 74, "CT", "C", genome) == "c.16del"
    assert record_hgvsc(MINUS, 74, "C", "CT", genome) == "c.16dup"
    assert record_hgvsc(MINUS, 74, "C", "CA", genome) == "c.16_17insT"  # transcript c.16 A, c.17 G


def test_nothing_is_written_when_it_cannot_be_certain() -> None:
    genome = _genome(p14="GAAAAC")
    assert record_hgvsc(PLUS, 14, "GC", "G", genome) is None  # REF disagrees with the genome
    assert record_hgvsc(PLUS, 14, "GA", "G", None) is None  # no genome: no 3' rule
    assert record_hgvsc(PLUS, 14, "G", "T", None) == "c.4G>T"  # substitutions need none
    assert genome.bases("c", 3, 4) == "GT"
    assert record_hgvsc(PLUS, 3, "GT", "G", genome) is None  # outside the transcript
    run = TranscriptFacts("R", strand="+", exons=((1, 9000),), cds=(1, 9000), seqid="c")
    assert record_hgvsc(run, 5, "AA", "A", _Genome("A" * 9000)) is None  # a run past WINDOW
    assert 9000 > 2 * WINDOW


def test_a_run_longer_than_the_first_read_is_still_shifted_to_its_end() -> None:
    """The genome is read 64 bases each side first, then 2000: a 300-base run moves in full."""
    seq = "C" * 10 + "A" * 300 + "G" * 90  # exon 1-400: A run = c.11-c.310
    run = TranscriptFacts("R", strand="+", exons=((1, 400),), cds=(1, 400), seqid="c")
    assert record_hgvsc(run, 10, "CA", "C", _Genome(seq)) == "c.310del"
    assert record_hgvsc(run, 10, "C", "CAA", _Genome(seq)) == "c.309_310dup"
    assert 300 > FIRST_READ


def test_an_incomplete_5_prime_cds_gets_no_hgvsc() -> None:
    """HGVS c.1 is the A of the ATG; with phase 2 on the 5'-most CDS row there is none."""
    genome = _genome(p14="GAAAAC")
    started = replace(PLUS, cds_phase=2)
    assert substitution_hgvsc(started, "14G>T") is None
    assert record_hgvsc(started, 14, "GA", "G", genome) is None


def _slice(testdata: Path, folder: str) -> tuple[Path, Path, Path]:
    d = testdata / "bcftools-csq" / folder
    enst = folder.split("_", 1)[1]
    return d, d / f"{enst}.gff", d / f"{enst}.fa"


def _csq(testdata: Path, tmp_path: Path, folder: str, vcf: str, genome: Path | None = None,
         *, with_genome: bool = True) -> dict[str, Consequence | None]:  # fmt: skip
    """The slice's VCF through csq (its GFF3 + FASTA), read with the gene model and ``genome``
    (default: the slice's FASTA csq ran with; none when not ``with_genome``)."""
    d, gff, fa = _slice(testdata, folder)
    out = annotate_with_bcftools_csq(d / vcf, gff, fa, out_dir=tmp_path)
    if not with_genome:
        return {v.key: v.consequence for v in read_variants(out, ALL, mode="normal",
                                                            transcripts=gff3_transcripts(gff)).variants}  # fmt: skip
    with ReferenceGenome.open(genome or fa) as reference:
        model = GeneModel(gff3_transcripts(gff), reference)
        variants = read_variants(out, ALL, mode="normal", transcripts=model).variants
    return {v.key: v.consequence for v in variants}


def _cds_rows(gff: Path, enst: str) -> list[tuple[int, int, int]]:
    """(start, end, phase) of the transcript's CDS rows, 5' end first, from the GFF3 text."""
    rows, strand = [], "+"
    for line in gff.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) == 9 and cols[2] == "CDS" and f"Parent=transcript:{enst};" in cols[8] + ";":
            rows.append((int(cols[3]), int(cols[4]), int(cols[7])))
            strand = cols[6]
    return sorted(rows, reverse=strand == "-")


def _c(gff: Path, enst: str, pos: int) -> int:
    """c. number of a coding position, counted from the 5'-most CDS row's first base."""
    rows = _cds_rows(gff, enst)
    minus = rows[0][0] > rows[-1][0]
    genomic = [p for s, e, _ in rows for p in (range(e, s - 1, -1) if minus else range(s, e + 1))]
    return genomic.index(pos) + 1


@pytest.mark.parametrize(
    ("folder", "vcf", "key", "pos", "codon", "hgvsp"),
    [  # bcftools' test/csq slices; the audit's repro (issue 11 item 8b)
        ("SAMD11_ENST00000341065", "splice-acceptor-donor1.vcf", "1:18826:G>A", 18826, 473, "p.R473K"),
        ("CNTROB_ENST00000571540", "nmd.vcf", "17:3188:C>T", 3188, 201, "p.P201L"),
    ],
)
def test_a_cds_starting_mid_codon_keeps_csqs_hgvsp_and_writes_no_hgvsc(
    testdata: Path, tmp_path: Path, folder: str, vcf: str, key: str, pos: int, codon: int, hgvsp: str
) -> None:
    """Both transcripts' first CDS row has GFF3 phase 2 (two bases of a codon whose start is
    missing). Counting c. from that row's first base gives c.1420 (SAMD11) / c.604 (CNTROB),
    which lies in codon 474 / 202 by HGVS's c.1-based codons, while csq's p. counts from the
    first complete codon (c. - 2): codon 473 / 201. No HGVS c. numbering fits (c.1 must be the
    A of an ATG the model lacks), so HGVSc stays empty; csq's HGVSp is kept."""
    _, gff, _ = _slice(testdata, folder)
    enst = folder.split("_", 1)[1]
    assert _cds_rows(gff, enst)[0][2] == 2
    naive = _c(gff, enst, pos)
    assert (naive - 1) // 3 + 1 == codon + 1 and (naive - 2 - 1) // 3 + 1 == codon
    assert gff3_transcripts(gff)[enst].cds_phase == 2
    c = _csq(testdata, tmp_path, folder, vcf)[key]
    assert c is not None and c.transcript == enst
    assert (c.hgvsc, c.hgvsp) == (None, hgvsp)


def _plus_bases(fa: Path, chrom: str, start: int, end: int) -> str:
    with pysam.FastaFile(str(fa)) as handle:
        return handle.fetch(chrom, start - 1, end).upper()


def test_slice_indels_get_3_prime_shifted_hgvsc(testdata: Path, tmp_path: Path) -> None:
    """Each name re-derived by hand from the slice's FASTA and GFF3 (all but SMAD5 and TLR8 on
    the minus strand, whose 3' direction is leftwards on the genome)."""
    # XDH 2:53594 AA>AGCT: A at 53595 -> GCT (plus) = AGC on the transcript; one base, no shift.
    _, gff, fa = _slice(testdata, "XDH_ENST00000379416")
    assert _plus_bases(fa, "2", 53592, 53598) == "GCAACTC"
    c646 = _c(gff, "ENST00000379416", 53595)
    assert c646 == 646 and _c(gff, "ENST00000379416", 53594) == 647
    single = _csq(testdata, tmp_path / "x1", "XDH_ENST00000379416", "single.vcf")["2:53594:AA>AGCT"]
    assert single is not None and single.hgvsc == "c.646delinsAGC"
    calls = _csq(testdata, tmp_path / "x2", "XDH_ENST00000379416", "compound.ins-ins.vcf")
    # 2:53594 A>AGC: GC between 53594 (c.647) and 53595 (c.646); 53594 A is not C (no left
    # shift) and 53595-53596 AC is not GC (no dup) -> insertion, GC on the transcript too.
    assert calls["2:53594:A>AGC"].hgvsc == "c.646_647insGC"  # type: ignore[union-attr]
    # 2:53595 A>ACTC: CTC after 53595, genome 53596-53598 CTC: moved left? 53595 A != C, no;
    # the bases 3' of it on the transcript (genomic 53596-53598) are CTC = the insertion: dup
    # of c.643_645 (53598 = c.643).
    assert _c(gff, "ENST00000379416", 53598) == 643
    assert calls["2:53595:A>ACTC"].hgvsc == "c.643_645dup"  # type: ignore[union-attr]
    # CD207 2:5507 G>GC: C between 5507 (intron) and 5508 (exon end, c.73, genome C): the
    # transcript reads c.73 G then the inserted G -> c.73dup (not moved into the intron).
    _, gff, fa = _slice(testdata, "CD207_ENST00000410009")
    assert _plus_bases(fa, "2", 5507, 5508) == "GC" and _c(gff, "ENST00000410009", 5508) == 73
    c = _csq(testdata, tmp_path / "c", "CD207_ENST00000410009", "frameshift.vcf")["2:5507:G>GC"]
    assert c is not None and (c.hgvsc, c.primary_term) == ("c.73dup", "frameshift_variant")
    # SMAD5 5:44572 T>TC (plus): C after the exon's last base 44572 (c.1314, T), before the
    # two-base intron: ins between c.1314 and c.1314+1.
    _, gff, fa = _slice(testdata, "SMAD5_ENST00000545279")
    assert _plus_bases(fa, "5", 44572, 44573) == "TA" and _c(gff, "ENST00000545279", 44572) == 1314
    c = _csq(testdata, tmp_path / "s", "SMAD5_ENST00000545279", "splice-region-insert.vcf")["5:44572:T>TC"]
    assert c is not None and c.hgvsc == "c.1314_1314+1insC"
    # XPC 3:13461 CTCTTTA>C: TCTTTA at 13462-13467 (c.1295..c.1290); 13461 C != 13467 A, so no
    # left shift: c.1290_1295del beside csq's p.Y430* (codon 430 = c.1288-1290).
    _, gff, fa = _slice(testdata, "XPC_ENST00000285021")
    assert _plus_bases(fa, "3", 13461, 13467) == "CTCTTTA" and _c(gff, "ENST00000285021", 13467) == 1290
    c = _csq(testdata, tmp_path / "p", "XPC_ENST00000285021", "stop-gained-inframe-indel.vcf")["3:13461:CTCTTTA>C"]
    assert c is not None and (c.hgvsc, c.hgvsp) == ("c.1290_1295del", "p.Y430*")
    # TLR8 X:107 CATG>C (plus): the ATG at 108-110 = c.1-c.3; 110 ends the exon, so no shift.
    _, gff, fa = _slice(testdata, "TLR8_ENST00000218032")
    assert _plus_bases(fa, "X", 107, 111) == "CATGG"
    c = _csq(testdata, tmp_path / "t", "TLR8_ENST00000218032", "start-lost-del.vcf")["X:107:CATG>C"]
    assert c is not None and (c.hgvsc, c.primary_term) == ("c.1_3del", "start_lost")


def test_a_haplotype_consequence_names_the_changes_in_cis(testdata: Path, tmp_path: Path) -> None:
    """bcftools' XDH compound.del-snp with a phased sample: csq's joint consequence (one
    ``53592GC>G+53595A>T`` entry) gets HGVS's allele form ``c.[646T>A;648del]`` at both
    records (5'->3' on the transcript), matching the joint p.L216Ifs*2 beside it."""
    d, gff, fa = _slice(testdata, "XDH_ENST00000379416")
    lines = (d / "compound.del-snp.vcf").read_text().splitlines()
    vcf = tmp_path / "phased.vcf"
    vcf.write_text("\n".join(
        [x for x in lines if x.startswith("##")]
        + ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
        + [x + "\tFORMAT\tTUMOR" for x in lines if x.startswith("#CHROM")]
        + [x + "\tGT\t0|1" for x in lines if not x.startswith("#")]
    ) + "\n")  # fmt: skip
    out = annotate_with_bcftools_csq(vcf, gff, fa, out_dir=tmp_path / "out", sample="TUMOR")
    with ReferenceGenome.open(fa) as genome:
        variants = read_variants(out, SampleConfig(), transcripts=GeneModel(gff3_transcripts(gff), genome)).variants
    named = {v.pos: (v.consequence.hgvsc, v.consequence.hgvsp) for v in variants if v.consequence}
    assert named == {53592: ("c.[646T>A;648del]", "p.L216Ifs*2"), 53595: ("c.[646T>A;648del]", "p.L216Ifs*2")}


def test_indels_are_named_against_the_given_fasta_and_without_one_left_out(testdata: Path, tmp_path: Path) -> None:
    """The genome is the one the caller hands over, never a FASTA found beside the GFF3: the
    slice's own FASTA lies beside its GFF3, yet a copy whose base 53596 differs (given
    explicitly) turns XDH's ``2:53595 A>ACTC`` from a dup of the 3' bases into an insertion;
    with no genome the indel gets no HGVSc."""
    d, _, fa = _slice(testdata, "XDH_ENST00000379416")
    key = "2:53595:A>ACTC"
    own = _csq(testdata, tmp_path / "own", "XDH_ENST00000379416", "compound.ins-ins.vcf")[key]
    assert own is not None and own.hgvsc == "c.643_645dup"
    header, body = fa.read_text().split("\n", 1)
    bases = list(body.replace("\n", ""))
    assert bases[53596 - 1] == "C"
    bases[53596 - 1] = "G"  # genome 53596-53598 GTC: no longer the inserted CTC
    other = write_fasta(tmp_path / "elsewhere" / "other.fa", header, "".join(bases))
    given = _csq(testdata, tmp_path / "given", "XDH_ENST00000379416", "compound.ins-ins.vcf", other)[key]
    assert given is not None and given.hgvsc == "c.645_646insGAG"  # reverse complement of CTC
    bare = _csq(testdata, tmp_path / "none", "XDH_ENST00000379416", "compound.ins-ins.vcf", with_genome=False)
    assert bare[key] is not None and bare[key].hgvsc is None  # type: ignore[union-attr]
    assert (d / "ENST00000379416.fa").exists()  # beside the GFF3 all along, and not used


def write_fasta(path: Path, header: str, seq: str) -> Path:
    """A FASTA (60 bases a line) with its faidx index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(seq[i : i + 60] + "\n" for i in range(0, len(seq), 60)))
    pysam.faidx(str(path))
    return path


def test_inframe_protein_changes_follow_the_3_prime_rule_and_name_dups() -> None:
    residues = "MKAAAT" + "EEL" + "QR*"  # 1 M, 2 K, 3-5 AAA, 6 T, 7-8 EE, 9 L, 10 Q, 11 R
    assert inframe_hgvsp(residues, 2, "KA", "K") == ("p.A5del", 5)  # csq's codons 2-3, run to 5
    assert inframe_hgvsp(residues, 3, "AAAT", "AT") == ("p.A4_A5del", 4)
    assert inframe_hgvsp(residues, 9, "L", "EL") == ("p.E8dup", 8)  # csq's "216L>216EL" form
    assert inframe_hgvsp(residues, 6, "T", "TEE") == ("p.E7_E8dup", 7)
    assert inframe_hgvsp(residues, 9, "L", "LW") == ("p.L9_Q10insW", 9)  # the residue before named
    assert inframe_hgvsp(residues, 9, "L", "W") is None  # a substitution: csq's own name stays
    assert inframe_hgvsp(residues, 9, "LQ", "W") is None  # delins: no shift in HGVS, csq's name
    assert inframe_hgvsp(residues, 9, "Q", "") is None  # csq's residue is not the protein's


def test_protein_is_translated_from_the_genome_on_the_transcripts_strand() -> None:
    genome = _genome(p11="ATGGCC", p85="TGAAAA")  # plus: 11 ATG; minus (90->11): TTT TCA ...
    three_exon = replace(PLUS, exons=((11, 40), (61, 90)), cds=(11, 90))
    residues = protein(three_exon, genome)
    assert residues is not None and residues.startswith("MA") and len(residues) == 20
    minus = protein(replace(three_exon, strand="-"), genome)
    assert minus is not None and minus.startswith("FS")  # revcomp of 85-90 TGAAAA = TTTTCA
    assert protein(replace(three_exon, cds_phase=1), genome) is None


def test_an_inframe_insertion_is_named_dup_on_the_translated_protein(testdata: Path, tmp_path: Path) -> None:
    """bcftools' XDH 2:53595 A>ACTC: csq writes ``216L>216EL`` (an E inserted before L216).
    By hand from the FASTA (minus strand): c.643-645 = genomic 53598..53596 = comp(C,T,C) =
    GAG = Glu215, c.646-648 = comp of 53595..53593 (A,A,C) = TTG = Leu216; an E inserted after
    E215 repeats it: p.E215dup (HGVS), beside c.643_645dup."""
    _, gff, fa = _slice(testdata, "XDH_ENST00000379416")
    assert _plus_bases(fa, "2", 53593, 53598) == "CAACTC"
    assert [_c(gff, "ENST00000379416", p) for p in (53598, 53595)] == [643, 646]
    c = _csq(testdata, tmp_path, "XDH_ENST00000379416", "compound.ins-ins.vcf")["2:53595:A>ACTC"]
    assert c is not None and c.primary_term == "inframe_insertion"
    assert (c.hgvsc, c.hgvsp, c.protein_position) == ("c.643_645dup", "p.E215dup", 215)
