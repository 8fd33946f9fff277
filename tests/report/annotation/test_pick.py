"""The one pick order (like VEP --pick) for every annotation source, and the real BRCA1 answer."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from oncodrop.refdata.transcripts import gff3_transcripts
from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq
from oncodrop.report.annotation.pick import Candidate, TranscriptFacts, pick
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

REALREF = "realref/grch37"
GFF3 = f"{REALREF}/grch37.brca1.gencode19-as-ensembl.gff3.gz"
FASTA = f"{REALREF}/grch37.chr17.brca1-region.fa.gz"


def _first(*candidates: Candidate, facts: dict[str, TranscriptFacts] | None = None) -> str:
    return pick(list(candidates), lambda c: c, facts).transcript


def test_annotator_pick_then_mane_then_canonical_beat_severity() -> None:
    # VEP --pick order: pick flag, MANE Select, canonical, ... severity comes last
    stop, missense = ("stop_gained",), ("missense_variant",)
    assert _first(Candidate("A", stop), Candidate("B", missense, picked=True)) == "B"
    assert _first(Candidate("A", stop), Candidate("B", missense, mane=True)) == "B"
    assert _first(Candidate("A", stop), Candidate("B", missense, canonical=True)) == "B"


def test_biotype_before_severity_and_features_last() -> None:
    nmd = Candidate("A", ("stop_gained",), biotype="nonsense_mediated_decay")
    coding = Candidate("B", ("synonymous_variant",), biotype="protein_coding")
    regulatory = Candidate("R", ("regulatory_region_ablation",), is_transcript=False)
    assert _first(nmd, coding) == "B"
    assert _first(regulatory, nmd) == "A"


def test_gene_model_tags_stand_in_for_canonical() -> None:
    # GENCODE 19 has no Ensembl_canonical tag: APPRIS principal, then CCDS, then basic
    facts = {
        "A": TranscriptFacts("A", "protein_coding", frozenset({"basic", "CCDS"})),
        "B": TranscriptFacts("B", "protein_coding", frozenset({"basic", "appris_principal"})),
        "C": TranscriptFacts("C", "protein_coding", frozenset({"Ensembl_canonical"})),
    }
    a, b = Candidate("A", ("stop_gained",)), Candidate("B", ("missense_variant",))
    assert _first(a, b, facts=facts) == "B"
    assert _first(a, b, Candidate("C", ("intron_variant",)), facts=facts) == "C"


def test_transcript_facts_of_the_real_gencode19_model(testdata: Path) -> None:
    facts = gff3_transcripts(testdata / GFF3)
    brca1 = facts["ENST00000357654"]
    assert {"appris_principal", "CCDS"} <= brca1.tags and brca1.biotype == "protein_coding"
    assert brca1.cds_length == 1864 * 3  # 1863 aa + stop (UniProt P38398)
    assert facts["ENST00000461221"].biotype == "nonsense_mediated_decay"


@pytest.fixture
def brca1_vcf(tmp_path: Path) -> Path:
    vcf = tmp_path / "brca1.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=17,length=81195210,assembly=GRCh37>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
        "17\t41199716\t.\tA\tT\t.\tPASS\t.\tGT\t0/1\n"
    )
    return vcf


def test_real_brca1_locus_picks_the_canonical_missense(
    testdata: Path, tmp_path: Path, brca1_vcf: Path
) -> None:
    """Known answer: 17:41199716 A>T is BRCA1 p.V1804D on canonical ENST00000357654; csq also
    calls stop_gained p.C675* on minor ENST00000468300, which must not be reported."""
    out = annotate_with_bcftools_csq(brca1_vcf, testdata / GFF3, testdata / FASTA, out_dir=tmp_path)
    facts = gff3_transcripts(testdata / GFF3)
    (variant,) = read_variants(out, SampleConfig(), transcripts=facts).variants
    c = variant.consequence
    assert c is not None
    assert (c.gene, c.transcript, c.primary_term, c.hgvsp, c.hgvsc) == (
        "BRCA1", "ENST00000357654", "missense_variant", "p.V1804D", "c.5411T>A",
    )  # fmt: skip  # NM_007294.3:c.5411T>A p.(Val1804Asp), minus strand: A>T read as T>A
    assert "BRCA1:ENST00000468300:stop_gained:p.C675*" in c.all_effects
    assert len(c.all_effects) == 14  # every transcript csq annotated is kept
    # without the gene model's tags the most severe protein-coding effect would win
    (bare,) = read_variants(out, SampleConfig()).variants
    assert bare.consequence is not None and bare.consequence.hgvsp == "p.C675*"


def _plus_base(testdata: Path, pos: int) -> str:
    import pysam

    with pysam.FastaFile(str(testdata / FASTA)) as fasta:
        return fasta.fetch("17", pos - 1, pos).upper()


def test_hgvsc_numbering_on_the_minus_strand_brca1(testdata: Path) -> None:
    """HGVS c. numbering checked against the real sequence: c.1 is the A of ATG (genomic T at
    17:41276113, the known GRCh37 position of BRCA1 c.1), c.-1 the base before it, and every
    intron of the canonical transcript starts c.N+1G, c.N+2T (the splice donor GT)."""
    from oncodrop.report.annotation.hgvsc import substitution_hgvsc

    facts = gff3_transcripts(testdata / GFF3)["ENST00000357654"]
    assert _plus_base(testdata, 41276113) == "T"
    assert substitution_hgvsc(facts, "41276113T>C") == "c.1A>G"
    assert substitution_hgvsc(facts, f"41276114{_plus_base(testdata, 41276114)}>A").startswith("c.-1")
    assert substitution_hgvsc(facts, "41199716A>T") == "c.5411T>A"
    assert substitution_hgvsc(facts, "41199716A>") is None  # not a substitution
    donors = 0
    exons = facts.exons[::-1]  # transcript order on the minus strand
    for (start, _end), _next in pairwise(exons):
        first_intron = start - 1  # minus strand: the intron follows the exon's lower end
        for offset, base in ((0, "G"), (1, "T")):
            pos = first_intron - offset
            plus = _plus_base(testdata, pos)
            other = "A" if plus != "A" else "C"
            hgvsc = substitution_hgvsc(facts, f"{pos}{plus}>{other}")
            assert hgvsc is not None and f"+{offset + 1}{base}>" in hgvsc, (pos, hgvsc)
        donors += 1
    assert donors == len(facts.exons) - 1 == 22


XDH = "bcftools-csq/XDH_ENST00000379416"


def _phased_copy(testdata: Path, name: str, tmp_path: Path, gt: str) -> Path:
    """bcftools test/csq XDH compound case with a TUMOR column (the upstream file is sites-only)."""
    lines = (testdata / XDH / name).read_text().splitlines()
    out = []
    for line in lines:
        if line.startswith("##"):
            out.append(line)
        elif line.startswith("#CHROM"):
            out.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
            out.append(line + "\tFORMAT\tTUMOR")
        else:
            out.append(line + f"\tGT\t{gt}")
    path = tmp_path / f"{gt.replace('|', 'p').replace('/', 'u')}.{name}"
    path.write_text("\n".join(out) + "\n")
    return path


@pytest.mark.parametrize(("gt", "joint"), [("0|1", True), ("0/1", False)])
def test_phased_variants_get_their_haplotype_consequence(
    testdata: Path, tmp_path: Path, gt: str, joint: bool
) -> None:
    """XDH (minus strand): a 1-bp deletion 2:53592 GC>G and an SNV 2:53595 A>T on one haplotype.
    Alone: frameshift p.L216Ffs*2 and missense p.L216M; phased together csq gives both records
    the joint consequence (one haplotype), unphased each keeps its local one (``-l``)."""
    vcf = _phased_copy(testdata, "compound.del-snp.vcf", tmp_path, gt)
    gff, fa = testdata / XDH / "ENST00000379416.gff", testdata / XDH / "ENST00000379416.fa"
    out = annotate_with_bcftools_csq(vcf, gff, fa, out_dir=tmp_path / gt.replace("|", "p").replace("/", "u"),
                                     sample="TUMOR")
    variants = read_variants(out, SampleConfig(), transcripts=gff3_transcripts(gff)).variants
    by_pos = {v.pos: v.consequence for v in variants}
    assert set(by_pos) == {53592, 53595} and all(by_pos.values())
    if joint:
        assert by_pos[53592] == by_pos[53595]
        assert by_pos[53595] is not None and by_pos[53595].primary_term == "frameshift_variant"
        assert by_pos[53595].hgvsp == "p.L216Ifs*2"  # the SNV changes the first new residue
    else:
        assert by_pos[53592] is not None and by_pos[53592].hgvsp == "p.L216Ffs*2"
        assert by_pos[53595] is not None and by_pos[53595].hgvsp == "p.L216M"


def test_real_brca1_common_haplotype_gets_the_published_hgvs(testdata: Path, tmp_path: Path) -> None:
    """1000 Genomes HG00096 (phased) over real BRCA1: the common coding SNPs get their
    published canonical-transcript names (NM_007294.3 numbering = ENST00000357654)."""
    vcf = testdata / REALREF / "grch37.brca1.1kg-phase3.HG00096-HG00099-HG00101.vcf.gz"
    out = annotate_with_bcftools_csq(vcf, testdata / GFF3, testdata / FASTA, out_dir=tmp_path,
                                     sample="HG00096")
    variants = read_variants(out, SampleConfig(), mode="normal",
                             transcripts=gff3_transcripts(testdata / GFF3)).variants
    named = {(v.consequence.hgvsc, v.consequence.hgvsp) for v in variants
             if v.consequence and v.consequence.transcript == "ENST00000357654"}
    assert {("c.4837A>G", "p.S1613G"), ("c.3548A>G", "p.K1183R"), ("c.3113A>G", "p.E1038G"),
            ("c.2612C>T", "p.P871L"), ("c.4308T>C", "p.S1436=")} <= named
