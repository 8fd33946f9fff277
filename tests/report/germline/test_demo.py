"""The demo's ``-normal`` drop yields a germline report with pathogenic findings."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from oncodrop.demo import drivers as d
from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.samples import make_demo_samples
from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Variant
from oncodrop.intake.config import load_config
from oncodrop.report.germline import GermlineReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import SampleConfig


def test_demo_normal_reports_brca2_and_chek2_pathogenic_and_tp53_p72r_benign(tmp_path: Path) -> None:
    bundle = build_demo_bundle(tmp_path / "bundle")
    drop = next(s for s in make_demo_samples(tmp_path / "drops", bundle) if s.key.endswith("-normal.tar.gz"))
    with tarfile.open(drop.path) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    vcf = next((tmp_path / "x").rglob("*.vcf.gz"))
    config = load_config(next((tmp_path / "x").rglob("*.toml")), sample_id_default="demo")
    out = tmp_path / "out"
    result = GermlineReporter().run(ReportRequest(vcf=vcf, config=config, bundle=bundle, out_dir=out,
                                                  kind="normal", sample_id="demo"))
    assert result.headline.pathogenic == 2
    assert "(BRCA2, CHEK2)" in result.headline.summary_line
    rows = [line.split("\t") for line in (out / "demo.germline.tsv").read_text().splitlines()[1:]]
    by_gene = {r[4]: (r[9], r[-3], r[-2]) for r in rows}
    assert by_gene["BRCA2"] == ("p.S1982Rfs*22", "Pathogenic", "ClinVar")
    assert by_gene["CHEK2"] == ("p.T367Mfs*15", "Pathogenic", "ClinVar")
    assert by_gene["TP53"] == ("p.P72R", "Benign", "ClinVar")
    assert "DEMO REFERENCE BUNDLE" in (out / "report.html").read_text()


def _report(vcf: Path, bundle: Path, out: Path) -> dict:
    GermlineReporter().run(ReportRequest(vcf=vcf, config=SampleConfig(), bundle=bundle, out_dir=out,
                                         kind="normal", sample_id="demo"))  # fmt: skip
    return json.loads((out / "demo.summary.json").read_text())


def test_demo_pharmacogenomics_assesses_dpyd_and_lists_2a_only_when_the_normal_carries_it(
    demo_bundle: Path, tmp_path: Path
) -> None:
    # DPYD c.1905+1G>A (*2A, rs3918290) = GRCh37 1:97915614 C>T, ClinVar drug response (expert panel)
    normal = [drv.variant(depth=40, vaf=1.0 if drv.genotype == "1/1" else 0.5)
              for drv in (d.BRCA2_6174DELT, d.CHEK2_1100DELC, d.TP53_P72R)]  # the demo normal's alleles
    dpyd_2a = Variant("1", 97915614, "C", "T", depth=40, vaf=0.5, genotype="0/1", dbsnp="rs3918290")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    without = write_synthetic_vcf(tmp_path / "a" / "n.vcf.gz", normal, samples=("NORMAL",), build="grch37")
    carrying = write_synthetic_vcf(tmp_path / "b" / "n.vcf.gz", [dpyd_2a, *normal], samples=("NORMAL",),
                                   build="grch37")  # fmt: skip
    pgx = _report(without, demo_bundle, tmp_path / "a" / "out")["pharmacogenomics"]
    assert pgx["genes_assessed"] == ["DPYD"] and pgx["findings"] == []  # assessed, not "not assessed"
    assert "TPMT" in pgx["note"]  # the other CPIC genes are still outside the demo's gene model
    pgx = _report(carrying, demo_bundle, tmp_path / "b" / "out")["pharmacogenomics"]
    assert [(f["gene"], f["key"], f["zygosity"], f["significance"]) for f in pgx["findings"]] == [
        ("DPYD", "1:97915614:C>T", "heterozygous", "drug response")]
    assert "capecitabine" in pgx["findings"][0]["drugs"]


def test_the_demo_normal_drop_itself_does_not_carry_dpyd_2a(demo_bundle: Path, tmp_path: Path) -> None:
    drop = next(s for s in make_demo_samples(tmp_path / "drops", demo_bundle) if s.key.endswith("-normal.tar.gz"))
    with tarfile.open(drop.path) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    summary = _report(next((tmp_path / "x").rglob("*.vcf.gz")), demo_bundle, tmp_path / "out")
    assert summary["pharmacogenomics"]["genes_assessed"] == ["DPYD"]
    assert summary["pharmacogenomics"]["findings"] == []
