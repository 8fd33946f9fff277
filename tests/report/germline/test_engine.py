"""The germline reporter end to end: synthetic known-answer sample and the real HCC1395BL normal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.errors import InputRejected
from oncodrop.report.germline import GermlineReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import GermlineSection, SampleConfig

from .conftest import ClinvarRow

BCBIO = "germline/grch38.seqc2-hcc1395bl.bcbio-ensemble-germline.snpeff.vcf.gz"
TP53_R175H_CSQ = "T|missense_variant|MODERATE|TP53|ENST00000269305|c.524G>A|ENSP00000269305:p.Arg175His|175"


def _v(chrom: str, pos: int, ref: str, alt: str, gene: str, term: str, *, hgvsp: str | None = None,
       codon: int | None = None, af: float | None = None, gt: str = "0/1", vaf: float = 0.5,
       hgvsc: str | None = None, exon: tuple[int, int] | None = None) -> Variant:
    csq = Consequence(gene=gene, terms=(term,), impact="HIGH", transcript="ENST0000000000",
                      hgvsp=hgvsp, protein_position=codon, hgvsc=hgvsc,
                      exon=exon[0] if exon else None, exon_count=exon[1] if exon else None)
    return Variant(chrom, pos, ref, alt, depth=40, vaf=vaf, genotype=gt, consequence=csq, population_af=af)


SYNTHETIC = (
    _v("13", 32340300, "GT", "G", "BRCA2", "frameshift_variant", hgvsp="p.S1982Rfs*22", codon=1982,
       hgvsc="c.5946del", exon=(11, 27)),  # exon 11 of 27: NMD predicted (PVS1 tree)
    _v("17", 7675089, "G", "C", "TP53", "missense_variant", hgvsp="p.R175G", codon=175),
    _v("3", 37000000, "C", "T", "MLH1", "synonymous_variant", af=0.2, gt="1/1", vaf=1.0),
    _v("12", 25245300, "AT", "A", "KRAS", "frameshift_variant", hgvsp="p.I36fs", codon=36),
    _v("17", 31200000, "C", "T", "NF1", "stop_gained", hgvsp="p.Q100*", codon=100),
)
CLINVAR = (
    ClinvarRow("13", 32340300, "GT", "G", "Pathogenic", "reviewed_by_expert_panel",
               "Hereditary_breast_ovarian_cancer_syndrome", "BRCA2", "9322"),
    ClinvarRow("17", 7675088, "C", "T", "Pathogenic", "reviewed_by_expert_panel", "Li-Fraumeni_syndrome",
               "TP53", "12374", csq=TP53_R175H_CSQ),
    ClinvarRow("3", 37012077, "A", "G", "Benign", "reviewed_by_expert_panel", "Lynch_syndrome", "MLH1"),
)


def run(vcf: Path, bundle: Path, out: Path, config: SampleConfig | None = None):
    request = ReportRequest(vcf=vcf, config=config or SampleConfig(), bundle=bundle, out_dir=out,
                            kind="normal", sample_id="P1")
    return GermlineReporter().run(request)


def tsv(out: Path) -> list[dict[str, str]]:
    lines = (out / "P1.germline.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return write_synthetic_vcf(tmp_path / "normal.vcf.gz", SYNTHETIC, samples=("NORMAL",), build="grch38")


def test_synthetic_sample_gets_the_known_classes_with_criteria_and_points(
    synthetic: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    result = run(synthetic, make_bundle(clinvar=CLINVAR), tmp_path / "out")
    rows = {r["gene"]: r for r in tsv(tmp_path / "out")}
    assert set(rows) == {"BRCA2", "TP53", "MLH1", "KRAS"}  # NF1 is not in the panel
    brca2, tp53, mlh1, kras = rows["BRCA2"], rows["TP53"], rows["MLH1"], rows["KRAS"]
    assert (brca2["acmg_criteria"], brca2["acmg_class"]) == ("PVS1(+8);PM2_Supporting(+1)", "Likely pathogenic")
    assert (brca2["final_class"], brca2["class_source"], brca2["clinvar_stars"]) == ("Pathogenic", "ClinVar", "3")
    assert (tp53["acmg_criteria"], tp53["final_class"]) == ("PM1(+2);PM5(+2);PM2_Supporting(+1)", "VUS")
    assert (mlh1["acmg_criteria"], mlh1["final_class"]) == ("BP7(-1);BA1(-8)", "Benign")
    assert (kras["acmg_criteria"], kras["final_class"]) == ("PM2_Supporting(+1)", "VUS")  # GoF: no PVS1
    assert (result.headline.pathogenic, result.headline.vus) == (1, 2)
    assert result.reporter == "oncodrop-germline"


def test_report_folder_holds_the_five_outputs_and_the_html_shows_pathogenic_before_vus(
    synthetic: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(synthetic, make_bundle(clinvar=CLINVAR), out)
    assert sorted(p.name for p in result.files) == [
        "P1.germline.tsv", "P1.summary.json", "P1.xlsx", "interpretation.json.gz", "provenance.json", "report.html"]
    html = (out / "report.html").read_text()
    assert html.index("BRCA2 p.S1982Rfs*22") < html.index('id="vus"') < html.index("TP53 p.R175G")
    # P and LP are separate sections; the card names the transcript and the HGVSc
    assert html.index('id="pathogenic"') < html.index("BRCA2 p.S1982Rfs*22") < html.index('id="likely-pathogenic"')
    assert "No likely pathogenic variant" in html
    assert "ENST0000000000:c.5946del" in html and "<th>HGVSc</th>" in html
    assert "--t1:#b3261e" in html  # the somatic report's style sheet
    summary = json.loads((out / "P1.summary.json").read_text())
    assert [f["gene"] for f in summary["pathogenic"]] == ["BRCA2"] and summary["likely_pathogenic"] == []
    assert summary["counts"]["by_class"] == {"P": 1, "LP": 0, "VUS": 2, "LB": 0, "B": 1}
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["reporter"] == "oncodrop-germline" and "P1.germline.tsv" in provenance["outputs"]


def test_summary_json_headline_and_line_keep_likely_pathogenic_apart_from_pathogenic(
    synthetic: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    # without its ClinVar row the BRCA2 frameshift is Likely pathogenic from the points (+9)
    out = tmp_path / "out"
    result = run(synthetic, make_bundle(clinvar=CLINVAR[1:]), out)
    summary = json.loads((out / "P1.summary.json").read_text())
    assert summary["schema_version"] == "1.1"
    assert summary["pathogenic"] == []
    assert [(f["gene"], f["final_class"]) for f in summary["likely_pathogenic"]] == [("BRCA2", "LP")]
    assert (result.headline.pathogenic, result.headline.likely_pathogenic) == (0, 1)
    assert summary["summary_line"].startswith("Germline: 0 pathogenic; 1 likely pathogenic (BRCA2); 2 VUS")


def test_secondary_findings_are_reported_only_when_the_config_opts_in(
    synthetic: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    bundle = make_bundle(clinvar=CLINVAR)
    config = SampleConfig(germline=GermlineSection(genes=("MLH1",), secondary_findings=True))
    result = run(synthetic, bundle, tmp_path / "on", config)
    rows = {r["gene"]: r for r in tsv(tmp_path / "on")}
    assert rows["NF1"]["gene_origin"] == "secondary" and rows["MLH1"]["gene_origin"] == "panel"
    assert rows["NF1"]["acmg_criteria"] == "PM2_Supporting(+1)"  # NF1 mechanism unknown outside the panel
    # BRCA2 is a secondary finding here but keeps PVS1: the same points as in a panel (above)
    assert rows["BRCA2"]["gene_origin"] == "secondary"
    assert rows["BRCA2"]["acmg_criteria"] == "PVS1(+8);PM2_Supporting(+1)"
    summary = json.loads((tmp_path / "on" / "P1.summary.json").read_text())
    assert summary["panel"]["secondary_findings"] is True
    assert summary["panel"]["secondary_genes"] == ["BRCA1", "BRCA2", "NF1", "TP53"]
    assert result.headline.pathogenic == 0  # NF1 Q100* has no PVS1: its mechanism is not known here
    run(synthetic, bundle, tmp_path / "off", SampleConfig(germline=GermlineSection(genes=("MLH1",))))
    assert {r["gene"] for r in tsv(tmp_path / "off")} == {"MLH1"}


def test_unknown_panel_name_is_rejected_naming_the_field_and_the_panels(
    synthetic: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    config = SampleConfig(germline=GermlineSection(panel="hereditary_kidney"))
    with pytest.raises(InputRejected) as err:
        run(synthetic, make_bundle(), tmp_path / "out", config)
    assert err.value.rejection.field == "germline.panel"
    assert "cpsr_default" in err.value.message


def test_real_normal_mlh1_i219v_is_benign_by_expert_reviewed_clinvar(
    testdata: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    run(testdata / BCBIO, make_bundle(clinvar=CLINVAR), tmp_path / "out")
    rows = [r for r in tsv(tmp_path / "out") if r["pos"] == "37012077"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["gene"], row["hgvsp"], row["zygosity"], row["dbsnp"]) == ("MLH1", "p.I219V", "homozygous", "rs1799977")
    assert (row["final_class"], row["class_source"], row["clinvar_id"]) == ("Benign", "ClinVar", "")
