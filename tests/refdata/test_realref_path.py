"""A real GRCh37 reference path, offline: ``oncodrop refdata build`` pointed at local copies
of real upstream files (the same code path as a download: ``refdata.download`` copies local
paths), then germline and somatic reports over the BRCA1 locus with real consequences.

Data: ``../shared/testdata/realref/grch37`` (hs37d5 sequence of chr17:41196313-41277500,
GENCODE 19 gene model in Ensembl GFF3 style, 1000 Genomes phase 3 calls; see its INDEX.md),
the real CIViC 01-Aug-2024 TSVs, a one-gene OncoKB list and the COSMIC matrix wheel.

How the expected values were checked by hand (and re-derived in ``_by_hand`` below without
any oncodrop code: exons and CDS read from the GFF3 text, bases from the FASTA, the standard
genetic code): BRCA1-001 ENST00000357654 is the GENCODE 19 ``appris_principal``/CCDS
transcript (Ensembl's canonical before MANE), minus strand, CDS 5592 bp = 1863 aa + stop
(UniProt P38398). 17:41199716 A>T is c.5411T>A (codon 1804 GTC>GAC, Val>Asp: p.V1804D);
17:41276080 G>A is c.34C>T (codon 12 CAG>TAG: p.Q12*, exon 2 of 23; the stop's first base
is transcript base 153, c.1 being base 120, and the last exon-exon junction follows base 5586:
5434 nt before it, so NMD is predicted: PVS1 by the ClinGen SVI tree); 17:41234420 C>T is the
first base of intron 12 after c.4357 (c.4357+1G>A, splice donor of exon 12 of 23, 41234421-
41234592 = 172 nt: skipping it shifts the frame with 11 exons following, NMD: PVS1); 17:41262481 C>T lies in intron 2 of ENST00000357654 (c.135-3931G>A), and a
splice donor only of the NMD transcript ENST00000492859, so VEP's --pick would report the
canonical intron. ACMG points (Tavtigian 2020 scale, docs/methods.md): PVS1 = +8 ->
Likely pathogenic (6-9) without ClinVar or population data in the bundle. p.V1804D lies in
BRCA1's BRCT domain (aa 1650-1857), where ENIGMA's VCEP does not apply BP1 to missense
changes (missense there is a known disease mechanism), so no criterion is met -> VUS (a lone
BP1 used to make it Likely benign, which no BRCA expert panel would sign). Tiers: CIViC EID11136
(``BRCA1 Mutation``, ovarian cancer, rucaparib, level A, predictive) matches truncating
BRCA1 variants at gene level only, which our rules cap at Tier II.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from itertools import pairwise
from pathlib import Path

import pysam
import pytest
from click.testing import CliRunner
from upstream_fixtures import ONCOKB_HEADER, write_upstream

from oncodrop.cli import main
from oncodrop.digest import file_sha256
from oncodrop.refdata.bundle import Bundle
from oncodrop.refdata.manifest import catalogue_files, read_manifest, write_manifest
from oncodrop.refdata.transcripts import TABLE_NAME, parse_gff3

CANONICAL = "ENST00000357654"
SITES = {41199716, 41276080, 41245699, 41234420}  # HG00096 made heterozygous at these (all 0|0 upstream)
_BASES = "TCAG"
_CODE = dict(zip((a + b + c for a in _BASES for b in _BASES for c in _BASES),
                 "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", strict=True))  # fmt: skip


def _realref(testdata: Path) -> Path:
    return testdata / "realref" / "grch37"


@pytest.fixture(scope="module")
def bundle(testdata: Path, reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("realref")
    www = root / "www"
    www.mkdir()
    files = write_upstream(www, testdata, reference, str(www))  # local paths, not URLs
    (www / "cancerGeneList.txt").write_text(
        ONCOKB_HEADER + "\nBRCA1\t672\t\t\t\t\t3\tYes\tNo\tYes\tYes\tYes\tYes\tYes\t\t\t\n"
    )
    rr = _realref(testdata)
    args = ["refdata", "build", "--out", str(root / "bundle"), "--build", "grch37",
            "--skip", "clinvar", "--skip", "cancerhotspots",
            "--source-url", f"ensembl_gff3={rr / 'grch37.brca1.gencode19-as-ensembl.gff3.gz'}",
            "--source-url", f"ensembl_fasta={rr / 'grch37.chr17.brca1-region.fa.gz'}"]  # fmt: skip
    for name in ("civic_evidence", "civic_profiles", "civic_variants", "oncokb_genes", "sigprofiler_wheel"):
        args += ["--source-url", f"{name}={files.overrides[name]}"]
    built = CliRunner().invoke(main, args)
    assert built.exit_code == 0, built.output
    return root / "bundle"


def _vcf(testdata: Path, out: Path, *, tumour: bool) -> Path:
    """The 1000 Genomes calls with HG00096 heterozygous at ``SITES`` (+ ##tumor_sample)."""
    lines = []
    with gzip.open(_realref(testdata) / "grch37.brca1.1kg-phase3.HG00096-HG00099-HG00101.vcf.gz", "rt") as fh:
        for line in fh:
            if line.startswith("#CHROM") and tumour:
                lines.append("##tumor_sample=HG00096\n")
            cols = line.split("\t")
            if not line.startswith("#") and int(cols[1]) in SITES:
                cols[9] = "0|1"
                line = "\t".join(cols)
            lines.append(line)
    out.write_text("".join(lines))
    return out


def _report(kind: str, vcf: Path, config: str, bundle: Path, out: Path) -> None:
    (out.parent / f"{kind}.toml").write_text(config)
    result = CliRunner().invoke(main, ["report", "--kind", kind, "--vcf", str(vcf), "--config",
                                       str(out.parent / f"{kind}.toml"), "--bundle", str(bundle),
                                       "--out", str(out), "--sample-id", "S1"])  # fmt: skip
    assert result.exit_code == 0, result.output


def _rows(path: Path) -> dict[int, dict[str, str]]:
    with path.open(newline="") as fh:
        return {int(r["pos"]): r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


def _by_hand(testdata: Path, pos: int, alt: str) -> tuple[str, str]:
    """(HGVSc, HGVSp or "") on ENST00000357654 from the GFF3 text, the FASTA and the genetic
    code only: the independent check of what the reporter computes."""
    rr = _realref(testdata)
    exons, cds = [], []
    with gzip.open(rr / "grch37.brca1.gencode19-as-ensembl.gff3.gz", "rt") as fh:
        for line in fh:
            cols = line.split("\t")
            if len(cols) == 9 and f"Parent=transcript:{CANONICAL};" in cols[8] + ";":
                (cds if cols[2] == "CDS" else exons if cols[2] == "exon" else []).append((int(cols[3]), int(cols[4])))
    cds.sort(reverse=True)  # minus strand: 5' end first
    exons.sort(reverse=True)
    with pysam.FastaFile(str(rr / "grch37.chr17.brca1-region.fa.gz")) as fa:
        genomic = [p for s, e in cds for p in range(e, s - 1, -1)]  # c.1 .. c.N genomic positions
        comp = str.maketrans("ACGT", "TGCA")
        seq = "".join(fa.fetch("17", p - 1, p).translate(comp) for p in genomic)
        if pos in genomic:
            i = genomic.index(pos)
            codon = seq[i - i % 3: i - i % 3 + 3]
            mutant = codon[: i % 3] + alt.translate(comp) + codon[i % 3 + 1:]
            aa, new = _CODE[codon], _CODE[mutant]
            return f"c.{i + 1}{seq[i]}>{alt.translate(comp)}", f"p.{aa}{i // 3 + 1}{new}"
        # intronic: distance to the nearer exon edge, numbered from that edge's c. position
        ref = fa.fetch("17", pos - 1, pos).translate(comp)
        for (up_start, _), (_, down_end) in pairwise(exons):
            if down_end < pos < up_start:
                before, after = up_start - pos, pos - down_end
                # minus strand: the intron's 5' (donor, "+") end is next to the upstream exon's
                # lowest base; HGVS gives a middle base to the preceding exon
                edge, sign, d = (up_start, "+", before) if before <= after else (down_end, "-", after)
                c = genomic.index(edge) + 1
                return f"c.{c}{sign}{d}{ref}>{alt.translate(comp)}", ""
    raise AssertionError(f"{pos} is not in {CANONICAL}'s CDS or introns")


def _c_of(testdata: Path, positions: list[int]) -> list[int]:
    """c. numbers of coding positions of ENST00000357654, counted from the GFF3 text only."""
    cds = []
    with gzip.open(_realref(testdata) / "grch37.brca1.gencode19-as-ensembl.gff3.gz", "rt") as fh:
        for line in fh:
            cols = line.split("\t")
            if len(cols) == 9 and cols[2] == "CDS" and f"Parent=transcript:{CANONICAL};" in cols[8] + ";":
                cds.append((int(cols[3]), int(cols[4])))
    genomic = [p for s, e in sorted(cds, reverse=True) for p in range(e, s - 1, -1)]  # minus strand
    return [genomic.index(p) + 1 for p in positions]


def test_the_bundle_holds_the_real_locus(bundle: Path) -> None:
    b = Bundle.open(bundle, verify=True)
    assert b.builds == ("grch37",) and not b.demo
    assert [(g.symbol, g.chrom, g.start, g.end) for g in b.genes("grch37")] == [("BRCA1", "17", 41196312, 41277500)]


def test_the_build_precomputes_the_gff3_transcripts_and_old_bundles_parse_the_gff3(
    bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    """``refdata build`` writes genome/grch37/transcripts.tsv.gz (checksummed in the manifest
    like every file); ``Bundle.transcripts`` loads it, and equals the parse of the bundle's
    GFF3 and of the upstream GFF3 it came from; a bundle without it parses the GFF3."""
    b = Bundle.open(bundle, verify=True)
    table = b.transcript_table("grch37")
    assert table is not None and table.name == TABLE_NAME
    record = b.manifest["files"]["genome/grch37/transcripts.tsv.gz"]
    assert record["sha256"] == file_sha256(table) and record["source"] == "ensembl_gff3"
    gff3 = b.gff3("grch37")
    assert gff3 is not None
    parsed = parse_gff3(gff3)
    loaded = b.transcripts("grch37")
    assert loaded is not None and list(loaded.items()) == list(parsed.items())
    assert parsed == parse_gff3(_realref(testdata) / "grch37.brca1.gencode19-as-ensembl.gff3.gz")
    assert "ENST00000357654" in loaded
    old = tmp_path / "old"
    shutil.copytree(bundle, old)
    (old / "genome" / "grch37" / TABLE_NAME).unlink()
    write_manifest(old, read_manifest(old).model_copy(update={"files": catalogue_files(old, {})}))
    before = Bundle.open(old, verify=True)
    assert before.transcript_table("grch37") is None
    fallback = before.transcripts("grch37")
    assert fallback is not None and list(fallback.items()) == list(parsed.items())


def test_germline_report_over_brca1_gives_real_consequences_hgvs_and_acmg(
    bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    out = tmp_path / "germline"
    _report("normal", _vcf(testdata, tmp_path / "g.vcf", tumour=False), '[sample]\ngenome_build = "grch37"\n', bundle, out)
    rows = _rows(out / "S1.germline.tsv")
    expected = {  # pos: (consequence, HGVSp, ACMG criteria, class)
        41199716: ("missense_variant", "p.V1804D", "", "VUS"),  # BRCT domain: no BP1 (ENIGMA)
        41276080: ("stop_gained", "p.Q12*", "PVS1(+8)", "Likely pathogenic"),
        41234420: ("splice_donor_variant", "", "PVS1(+8)", "Likely pathogenic"),
    }
    for pos, (term, hgvsp, criteria, klass) in expected.items():
        r = rows[pos]
        hand_c, hand_p = _by_hand(testdata, pos, r["alt"])
        assert (r["transcript"], r["consequence"], r["hgvsc"], r["hgvsp"]) == (CANONICAL, term, hand_c, hand_p)
        assert hand_p == hgvsp
        assert (r["acmg_criteria"], r["final_class"]) == (criteria, klass), r
    assert rows[41234420]["hgvsc"] == "c.4357+1G>A"
    deletion = rows[41245699]  # TAGA>T: csq's 616ST>616T, one Ser of S616-T617 removed
    assert (deletion["consequence"], deletion["hgvsp"], deletion["final_class"]) == ("inframe_deletion", "p.S616del", "VUS")
    summary = json.loads((out / "S1.summary.json").read_text())
    assert summary["sample"]["id"] == "S1"
    assert summary["pathogenic"] == []  # P only; the two PVS1 calls are LP without ClinVar
    why = {f["key"]: f["criteria"][0]["reason"] for f in summary["likely_pathogenic"]}
    assert "5434 nt before the last exon–exon junction" in why["17:41276080:G>A"]
    assert "exon 12 of 23: skipping shifts the frame (172 nt), 11 exons follow" in why["17:41234420:C>T"]
    assert not any(n.startswith("Reference mismatch") for n in summary["notes"])  # real calls, real genome
    assert summary["pharmacogenomics"]["note"].startswith("not assessed")  # no ClinVar in this bundle


def test_somatic_report_over_brca1_picks_the_canonical_transcript_and_tiers_by_hand(
    bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    out = tmp_path / "somatic"
    config = '[sample]\ngenome_build = "grch37"\ntumor_site = "Ovary/Fallopian Tube"\n[assay]\ntarget_size_mb = 34.0\n'
    _report("somatic", _vcf(testdata, tmp_path / "t.vcf", tumour=True), config, bundle, out)
    rows = _rows(out / "S1.tiers.tsv")
    missense = rows[41199716]  # the example: once reported as p.C675* on a minor transcript
    assert (missense["transcript"], missense["hgvsc"], missense["hgvsp"]) == ((CANONICAL, *_by_hand(testdata, 41199716, "T")))
    assert "ENST00000468300:stop_gained" in missense["all_transcript_effects"]  # kept, not picked
    assert (missense["tier"], missense["oncogenicity"]) == ("III", "VUS")
    nonsense = rows[41276080]
    assert (nonsense["hgvsp"], nonsense["tier"], nonsense["oncogenicity_codes"]) == ("p.Q12*", "II", "OVS1")
    assert "EID11136" in nonsense["evidence_ids"] and "Rucaparib" in nonsense["therapies"]
    assert "only at gene level" in nonsense["tier_reason"]
    # intronic in the canonical transcript, a splice donor only of an NMD transcript
    intronic = rows[41262481]
    assert (intronic["transcript"], intronic["consequence"], intronic["tier"]) == (CANONICAL, "intron_variant", "IV")
    assert intronic["hgvsc"] == _by_hand(testdata, 41262481, "T")[0] == "c.135-3931G>A"
    assert "ENST00000492859:splice_donor_variant" in intronic["all_transcript_effects"]
    # 17:41245699 TAGA>T (csq: 616ST>616T, inframe_deletion), HGVSc by hand: it deletes the
    # plus-strand AGA at 41245700-41245702; the FASTA reads 41245699-41245708 = T AGA AGA CTT,
    # so on the plus strand either AGA could go. BRCA1 is on the minus strand, whose 3' end is
    # leftwards, and the left AGA is already the 3'-most (HGVS 3' rule; the T at 41245699 is
    # not the A at 41245702, so no further shift). The GFF3's CDS rows of ENST00000357654 from
    # the 5' end are 80, 54, 78, 89, 140, 106, 46, 77 bp (= 670), then 41243452-41246877
    # (phase 2), so c.671 = 41246877 and 41245702..41245700 = c.(671 + 1175)..c.(671 + 1177)
    # = c.1846..c.1848: transcript bases TCT (complement of AGA, 3'->5'), codon 616 = Ser,
    # between TCT (Ser615) and ACC (Thr617): c.1846_1848del, p.S616del.
    deletion = rows[41245699]
    with pysam.FastaFile(str(_realref(testdata) / "grch37.chr17.brca1-region.fa.gz")) as fa:
        assert fa.fetch("17", 41245698, 41245708) == "TAGAAGACTT"
    assert _c_of(testdata, [41245702, 41245700]) == [1846, 1848]
    assert (deletion["transcript"], deletion["hgvsc"], deletion["hgvsp"]) == (CANONICAL, "c.1846_1848del", "p.S616del")
    summary = json.loads((out / "S1.summary.json").read_text())
    assert summary["counts"]["annotation_source"] == "bcftools-csq"
    reference = summary["reference"]  # real genome, real calls: every REF agrees
    assert (reference["status"], reference["mismatched"], reference["synthetic_genome"]) == ("concordant", 0, False)
    assert reference["checked"] == summary["counts"]["passing"]
    assert summary["signatures"]["computable"] is True


def test_a_vcf_shifted_off_the_real_genome_is_rejected_as_another_build(
    bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    """The same calls moved 1 kb: their REF alleles no longer match GRCh37 at those places."""
    shifted = tmp_path / "shifted.vcf"
    with shifted.open("w") as fh:
        for line in _vcf(testdata, tmp_path / "t.vcf", tumour=True).read_text().splitlines(keepends=True):
            if line.startswith("#"):
                fh.write(line)
                continue
            cols = line.split("\t")
            cols[1] = str(int(cols[1]) + 1000)
            if int(cols[1]) <= 41277500:
                fh.write("\t".join(cols))
    (tmp_path / "c.toml").write_text('[sample]\ngenome_build = "grch37"\n')
    result = CliRunner().invoke(main, ["report", "--vcf", str(shifted), "--config", str(tmp_path / "c.toml"),
                                       "--bundle", str(bundle), "--out", str(tmp_path / "o"), "--sample-id", "S1"])  # fmt: skip
    assert result.exit_code != 0
    assert "[ref_mismatch]" in result.output and "likely GRCh38" in result.output
    assert not (tmp_path / "o" / "S1.summary.json").exists()
    shutil.rmtree(tmp_path / "o", ignore_errors=True)


def test_a_few_ref_alleles_off_the_real_genome_are_flagged_and_withhold_contexts_not_the_report(
    bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    """Every 60th SNV's REF changed (31 of 2047 sites, 1.5 %): bcftools csq still annotates
    (the check already decided), the report says so and MSI/signatures are not computed."""
    swap = {"A": "C", "C": "G", "G": "T", "T": "A"}
    lines, n = [], 0
    for line in _vcf(testdata, tmp_path / "t.vcf", tumour=True).read_text().splitlines(keepends=True):
        cols = line.split("\t")
        if not line.startswith("#"):
            n += 1
            if n % 60 == 0 and len(cols[3]) == 1 and len(cols[4]) == 1:
                ref = swap[cols[3]]
                cols[3] = swap[ref] if ref == cols[4] else ref
        lines.append("\t".join(cols))
    vcf = tmp_path / "somebad.vcf"
    vcf.write_text("".join(lines))
    out = tmp_path / "out"
    _report("somatic", vcf, '[sample]\ngenome_build = "grch37"\n', bundle, out)
    summary = json.loads((out / "S1.summary.json").read_text())
    reference = summary["reference"]
    assert (reference["status"], reference["mismatched"], reference["checked"]) == ("discordant", 31, 2047)
    assert summary["msi"]["status"] is None and summary["signatures"]["computable"] is False
    assert summary["counts"]["annotation_source"] == "bcftools-csq"
    assert 'id="reference-banner"' in (out / "report.html").read_text()
