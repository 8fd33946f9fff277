"""The demo's ``-normal`` drop yields a germline report with pathogenic findings."""

from __future__ import annotations

import tarfile
from pathlib import Path

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.samples import make_demo_samples
from oncodrop.intake.config import load_config
from oncodrop.report.germline import GermlineReporter
from oncodrop.report.protocol import ReportRequest


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
