"""The somatic reporter end to end on real TCGA calls (../shared/testdata/pcgr) and the demo
bundle: what it reads, what it tiers, the metrics it computes and the files it writes."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pysam
import pytest

from oncodrop.errors import BundleError, InputRejected
from oncodrop.refdata.manifest import catalogue_files, read_manifest, write_manifest
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.sampleconfig import (
    AllelicSupportSection,
    AssaySection,
    SampleConfig,
    SampleSection,
)

# PCGR's "coding and silent" TMB definition, written out here to check the engine independently.
TMB_TERM_PREFIXES = (
    "stop_gained", "stop_lost", "start_lost", "frameshift_", "missense_", "splice_donor",
    "splice_acceptor", "protein_altering", "inframe_", "synonymous", "start_retained",
    "stop_retained",
)  # fmt: skip


def _config(site: str, build: str | None = None) -> SampleConfig:
    return SampleConfig(sample=SampleSection(tumor_site=site, genome_build=build), assay=AssaySection(target_size_mb=34.0))


def _run(vcf: Path, config: SampleConfig, bundle: Path, out: Path, cna: Path | None = None) -> ReportResult:
    request = ReportRequest(vcf=vcf, config=config, bundle=bundle, out_dir=out, sample_id="S1", cna=cna)
    return SomaticReporter().run(request)


def _tiers(out: Path) -> list[dict[str, str]]:
    with (out / "S1.tiers.tsv").open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _coding_pass_records(vcf: Path) -> int:
    """PASS records whose VEP-picked consequence falls in the TMB definition (pysam, no oncodrop)."""
    previous = pysam.set_verbosity(0)  # htslib warns about the missing ##contig lines
    try:
        vf = pysam.VariantFile(str(vcf))
    finally:
        pysam.set_verbosity(previous)
    with vf:
        layout = vf.header.info["CSQ"].description.split("Format: ")[1].split("|")
        n = 0
        for rec in vf:
            if set(rec.filter.keys()) - {"PASS"}:
                continue
            blocks = [dict(zip(layout, b.split("|"), strict=False)) for b in rec.info["CSQ"]]
            picked = next((b for b in blocks if b.get("PICK") == "1"), blocks[0])
            n += any(t.startswith(TMB_TERM_PREFIXES) for t in picked["Consequence"].split("&"))
    return n


@pytest.fixture(scope="module")
def brca(demo_bundle: Path, testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportResult, Path]:
    """TCGA-A2-A04W breast calls after VEP 85, with PCGR 2.x allele-specific CNA segments."""
    out = tmp_path_factory.mktemp("brca")
    vcf = testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"
    return _run(vcf, _config("Breast"), demo_bundle, out, testdata / "pcgr/v2.3.2/T001-BRCA.grch37.cna.tsv"), out


def test_writes_all_six_outputs_and_the_interpretation_input(brca: tuple[ReportResult, Path]) -> None:
    result, out = brca
    names = sorted(p.name for p in result.files)
    assert names == ["S1.maf", "S1.summary.json", "S1.tiers.tsv", "S1.xlsx", "interpretation.json.gz",
                     "provenance.json", "report.html"]  # fmt: skip
    assert all(p.parent == out and p.stat().st_size > 0 for p in result.files)
    assert result.reporter == "oncodrop-somatic"
    assert {"read", "classify", "tmb", "msi", "signatures", "kataegis", "cna", "write"} <= set(result.timings)


def test_reads_every_brca_variant_and_reports_each_once(brca: tuple[ReportResult, Path]) -> None:
    _, out = brca
    summary = json.loads((out / "S1.summary.json").read_text())
    assert summary["counts"]["records_read"] == 199 and summary["counts"]["passing"] == 199
    assert summary["counts"]["annotation_source"] == "VEP"
    assert summary["counts"]["by_class"] == {"SNV": 195, "deletion": 4}
    assert len(_tiers(out)) == 199
    assert sum(summary["counts"]["by_tier"].values()) == 199


def test_pik3ca_h1047r_in_breast_is_tier_1(brca: tuple[ReportResult, Path]) -> None:
    result, out = brca
    tier1 = [r for r in _tiers(out) if r["tier"] == "I"]
    assert [(r["gene"], r["hgvsp"], r["chrom"], r["pos"]) for r in tier1] == [
        ("PIK3CA", "p.H1047R", "3", "178952085")
    ]
    assert result.headline.tier1 == 2  # with ERBB2's Tier I amplification (trastuzumab)
    assert result.headline.summary_line.startswith("Tier I: 2 (PIK3CA p.H1047R, ERBB2 amplification)")
    assert "Breast" in tier1[0]["tier_reason"]
    assert tier1[0]["oncogenicity"] == "Likely oncogenic"


def test_tp53_missense_of_unknown_effect_stays_a_tier_3_vus(brca: tuple[ReportResult, Path]) -> None:
    """Gene-level "TP53 Mutation" evidence speaks for null variants only (PCGR by_gene_mut_lof)."""
    result, out = brca
    tp53 = [r for r in _tiers(out) if r["gene"] == "TP53"]
    assert [(r["hgvsp"], r["tier"], r["gene_role"]) for r in tp53] == [("p.V272M", "III", "tumour_suppressor")]
    assert result.headline.tier2 == 0


def test_tmb_is_coding_variants_over_target_size(brca: tuple[ReportResult, Path], testdata: Path) -> None:
    result, out = brca
    expected = _coding_pass_records(testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz") / 34.0
    assert expected == pytest.approx(186 / 34)
    assert result.headline.tmb == pytest.approx(expected, abs=1e-4)
    assert json.loads((out / "S1.summary.json").read_text())["tmb"]["tmb_class"] == "intermediate"


def test_erbb2_amplification_from_allele_specific_segments_is_tier_1_in_breast(
    brca: tuple[ReportResult, Path],
) -> None:
    cna = json.loads((brca[1] / "S1.summary.json").read_text())["cna"]
    erbb2 = next(c for c in cna if c["gene"] == "ERBB2")
    assert (erbb2["call"], erbb2["total_cn"], erbb2["tier"]) == ("amplification", 9.0, "I")
    assert "Trastuzumab" in erbb2["therapies"]


def test_every_segment_is_drawn_on_the_genome_wide_copy_number_plot(brca: tuple[ReportResult, Path]) -> None:
    html = (brca[1] / "report.html").read_text()
    cna = html[html.index('<section id="cna">'):html.index('<section id="signatures">')]
    plot = cna[cna.index("<svg"):cna.index("</svg>")]
    segments = re.findall(r'<rect [^>]*height="5" fill="([^"]+)" data-value="[\d.]+"><title>(\w+):(\d+)-(\d+) ([\d.]+) \((\w+)\)', plot)
    assert len(segments) == 252  # every row of T001-BRCA.grch37.cna.tsv
    erbb2 = [s for s in segments if s[1] == "17" and int(s[2]) <= 37856333 <= int(s[3])]
    assert [(s[4], s[5]) for s in erbb2] == [("9", "amplification")]


def test_signatures_are_not_computable_without_reference_context_and_say_why(
    brca: tuple[ReportResult, Path],
) -> None:
    sig = json.loads((brca[1] / "S1.summary.json").read_text())["signatures"]
    assert sig["computable"] is False and sig["note"].startswith("not computable")
    assert brca[0].headline.top_signatures == ()


def test_html_names_the_demo_bundle_and_the_tier_1_finding(brca: tuple[ReportResult, Path]) -> None:
    html = (brca[1] / "report.html").read_text()
    assert 'id="demo-banner"' in html and "demo, not for clinical use" in html
    assert "PIK3CA p.H1047R" in html.split('<section id="actionable">')[1].split("</section>")[0]


def test_provenance_names_inputs_bundle_and_versions(brca: tuple[ReportResult, Path], testdata: Path) -> None:
    prov = json.loads((brca[1] / "provenance.json").read_text())
    assert [(i["role"], i["name"]) for i in prov["inputs"]] == [
        ("cna", "T001-BRCA.grch37.cna.tsv"), ("vcf", "tumor_sample.BRCA.vep85.vcf.gz"),
    ]  # fmt: skip
    vcf = testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"
    assert prov["inputs"][1]["bytes"] == vcf.stat().st_size
    assert prov["bundle"]["name"] == "oncodrop-demo" and prov["bundle"]["demo"] is True
    assert "path" not in prov["bundle"]
    assert prov["config"]["sample"]["tumor_site"] == "Breast"
    assert set(prov["outputs"]) == {"S1.maf", "S1.summary.json", "S1.tiers.tsv", "S1.xlsx", "report.html"}


def test_same_inputs_give_the_same_report_content(
    brca: tuple[ReportResult, Path], demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    first = brca[1]
    vcf = testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"
    _run(vcf, _config("Breast"), demo_bundle, tmp_path, testdata / "pcgr/v2.3.2/T001-BRCA.grch37.cna.tsv")
    for name in ("report.html", "S1.tiers.tsv", "S1.summary.json", "S1.maf", "S1.xlsx"):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name
    a, b = (json.loads((d / "provenance.json").read_text()) for d in (first, tmp_path))
    assert {k: v for k, v in a.items() if k != "timings"} == {k: v for k, v in b.items() if k != "timings"}


def test_rectal_sample_with_log2_segments(demo_bundle: Path, testdata: Path, tmp_path: Path) -> None:
    """TCGA READ calls after VEP 85 (one multi-allelic record) with PCGR 0.x log2-ratio segments;
    its four truncating APC variants are null variants in a tumour suppressor (OVS1)."""
    vcf = testdata / "pcgr/vep-annotated/test.vep85.vcf"
    result = _run(vcf, _config("Colon/Rectum"), demo_bundle, tmp_path, testdata / "pcgr/v0.5.3/tumor_sample.COAD.cna.tsv")
    summary = json.loads((tmp_path / "S1.summary.json").read_text())
    assert summary["counts"]["records_read"] == 649 and summary["counts"]["passing"] == 648
    assert result.headline.tmb == pytest.approx(_coding_pass_records(vcf) / 34.0, abs=1e-4)
    # 116 of 551 coding variants are indels, but the demo's synthetic genome does not carry the
    # READ sample's alleles: the reference check withholds MSI (it used to say MSS)
    assert result.headline.msi is None
    assert summary["msi"]["note"].startswith("not computable: the VCF's REF alleles disagree with the bundle genome")
    reference = summary["reference"]
    assert reference["status"] == "discordant" and reference["synthetic_genome"] is True
    assert reference["mismatched"] > 0 and reference["warning"].startswith(f"{reference['mismatched']} of ")
    calls = {c["gene"]: c["call"] for c in summary["cna"]}
    assert calls and all(c["total_cn"] is None for c in summary["cna"])  # log2 input has no absolute CN
    assert set(calls.values()) <= {"amplification", "gain", "hetdel", "homdel"}
    apc = [r for r in _tiers(tmp_path) if r["gene"] == "APC"]
    assert sorted(r["hgvsp"] for r in apc) == ["p.N1455Kfs*2", "p.R348*", "p.S1335Rfs*80", "p.V368Ifs*9"]
    assert {(r["oncogenicity"], r["oncogenicity_codes"]) for r in apc} == {("Likely oncogenic", "OVS1")}


def test_unannotated_tcga_vcf_falls_back_to_gene_spans_and_still_matches_by_coordinate(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    result = _run(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz", _config("Breast", "grch37"), demo_bundle, tmp_path)
    rows = _tiers(tmp_path)
    assert len(rows) == 196
    pik3ca = [r for r in rows if r["gene"] == "PIK3CA"]
    assert [(r["pos"], r["consequence"], r["tier"]) for r in pik3ca] == [("178952085", "gene_variant", "I")]
    assert all(r["consequence"] in ("gene_variant", "not_annotated") for r in rows)
    assert result.headline.tmb is None  # coding variants cannot be told apart without consequences
    summary = json.loads((tmp_path / "S1.summary.json").read_text())
    assert "gene-span" in json.dumps(summary)


@pytest.mark.parametrize("vcf", ["v2.3.2/T001-BRCA.grch37.vcf.gz", "v0.5.3/tumor_sample.COAD.vcf.gz"])
def test_unannotated_vcf_with_neither_gene_model_nor_gene_spans_is_rejected_with_no_annotation(
    vcf: str, demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "bundle"
    shutil.copytree(demo_bundle, bare)
    (bare / "genome/grch37/genes.tsv").unlink()
    out = tmp_path / "out"
    with pytest.raises(InputRejected) as caught:
        _run(testdata / "pcgr" / vcf, _config("Breast", "grch37"), bare, out)
    assert caught.value.reason_code == "no_annotation"
    assert caught.value.rejection.file == Path(vcf).name
    assert "genes.gff3.gz" in caught.value.message
    assert not (out / "report.html").exists()


def test_grch38_vcf_with_a_grch37_only_bundle_is_a_bundle_error(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    with pytest.raises(BundleError, match="grch38.*holds only grch37"):
        _run(testdata / "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz", _config("Breast", "grch38"), demo_bundle, tmp_path)


def test_vcf_without_build_information_needs_the_config_to_say_it(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputRejected) as caught:
        _run(testdata / "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz", _config("Colon/Rectum"), demo_bundle, tmp_path)
    assert (caught.value.reason_code, caught.value.rejection.field) == ("unknown_build", "sample.genome_build")


@pytest.fixture(scope="module")
def grch38_bundle(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bundle declared for GRCh38 too (its COSMIC matrix is GRCh38-normalised already):
    evidence then matches by protein change, as CIViC coordinates are GRCh37."""
    out = tmp_path_factory.mktemp("grch38") / "bundle"
    shutil.copytree(demo_bundle, out)
    signatures = out / "signatures"
    shutil.copyfile(signatures / "COSMIC_v3.4_SBS_GRCh37.txt", signatures / "COSMIC_v3.4_SBS_GRCh38.txt")
    manifest = read_manifest(out)
    write_manifest(out, manifest.model_copy(update={"builds": ("grch37", "grch38"), "files": catalogue_files(out, {})}))
    return out


def test_grch38_hcc1395_calls_with_chr_prefix_and_vep105(grch38_bundle: Path, testdata: Path, tmp_path: Path) -> None:
    """HCC1395 (breast carcinoma cell line), Mutect2+Strelka+VarScan merged, VEP 105 on GRCh38."""
    vcf = testdata / "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz"
    result = _run(vcf, _config("Breast"), grch38_bundle, tmp_path)
    summary = json.loads((tmp_path / "S1.summary.json").read_text())
    assert summary["sample"]["genome_build"] == "grch38"
    assert (summary["counts"]["records_read"], summary["counts"]["passing"]) == (1470, 1264)
    assert [(f["gene"], f["hgvsp"]) for f in summary["tier1"]] == [("TP53", "p.R175H")]
    assert summary["tier1"][0]["key"] == "17:7675088:C>T"  # chr17 read as 17
    brca2 = next(r for r in _tiers(tmp_path) if r["gene"] == "BRCA2" and r["hgvsp"] == "p.E1593*")
    assert brca2["tier"] == "II" and brca2["consequence"] == "stop_gained"
    assert result.headline.tier1 == 1


@pytest.fixture(scope="module")
def tlr8_bundle(demo_bundle: Path, testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bundle with bcftools' TLR8 test slice (GRCh37 X, Ensembl GFF3 + FASTA) as its
    gene model and genome, so un-annotated calls on that slice can be annotated."""
    out = tmp_path_factory.mktemp("tlr8") / "bundle"
    shutil.copytree(demo_bundle, out)
    genome = out / "genome" / "grch37"
    for old in genome.glob("genome.fa.gz*"):
        old.unlink()
    source = testdata / "bcftools-csq" / "TLR8_ENST00000218032"
    pysam.tabix_compress(str(source / "ENST00000218032.fa"), str(genome / "genome.fa.gz"))
    pysam.faidx(str(genome / "genome.fa.gz"))
    pysam.tabix_compress(str(source / "ENST00000218032.gff"), str(genome / "genes.gff3.gz"))
    write_manifest(out, read_manifest(out).model_copy(update={"files": catalogue_files(out, {})}))
    return out


def test_unannotated_vcf_is_annotated_with_bcftools_csq_from_the_bundle_gene_model(
    tlr8_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    vcf = testdata / "bcftools-csq/TLR8_ENST00000218032/start-lost.vcf"
    config = SampleConfig(sample=SampleSection(genome_build="grch37"), allelic_support=AllelicSupportSection(pass_only=False))
    _run(vcf, config, tlr8_bundle, tmp_path)
    [row] = _tiers(tmp_path)
    assert (row["chrom"], row["pos"], row["gene"], row["hgvsp"]) == ("X", "108", "TLR8", "p.M1V")
    assert row["consequence"].split("&")[0] == "start_lost" and row["impact"] == "HIGH"
    summary = json.loads((tmp_path / "S1.summary.json").read_text())
    assert summary["counts"]["annotation_source"] == "bcftools-csq"
    # the annotated intermediate VCF lives in a temporary folder, never in the report folder
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "S1.maf", "S1.summary.json", "S1.tiers.tsv", "S1.xlsx", "interpretation.json.gz", "provenance.json",
        "report.html",
    ]  # fmt: skip


@pytest.mark.parametrize("sample_id", ["../escape", "a/b", "", "..", "Patient 1"])
def test_sample_id_that_is_not_a_plain_file_name_is_rejected(
    sample_id: str, demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    request = ReportRequest(
        vcf=testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz", config=_config("Breast"),
        bundle=demo_bundle, out_dir=tmp_path / "out", sample_id=sample_id,
    )  # fmt: skip
    with pytest.raises(InputRejected) as caught:
        SomaticReporter().run(request)
    assert (caught.value.reason_code, caught.value.rejection.field) == ("bad_sample_id", "sample.id")
    assert not (tmp_path / "out").exists()


def test_the_interpretation_input_holds_the_reported_variants_and_calls(brca: tuple[ReportResult, Path]) -> None:
    from oncodrop.report.interpretation.snapshot import loads

    _, out = brca
    stored = loads((out / "interpretation.json.gz").read_bytes())
    summary = json.loads((out / "S1.summary.json").read_text())
    assert stored.kind == "somatic" and stored.content["config"]["sample"]["tumor_site"] == "Breast"
    variant_calls = [c for c in stored.interpretation.calls if not c.key.startswith("cna:")]
    assert len(stored.variants) == len(variant_calls) == summary["counts"]["passing"]
    for tier, count in summary["counts"]["by_tier"].items():
        assert sum(1 for c in variant_calls if c.tier == tier) == count
