"""The demo's breast drop, reported end to end: the headline a clinician signs."""

from __future__ import annotations

import csv
import json
import tarfile
from pathlib import Path

from oncodrop.demo.samples import make_demo_samples
from oncodrop.intake.config import load_config
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest


def test_demo_breast_headline_counts_erbb2_and_drivers_are_oncogenic(demo_bundle: Path, tmp_path: Path) -> None:
    drop = next(s for s in make_demo_samples(tmp_path / "drops", demo_bundle)
                if s.key.startswith("demo_breast") and s.key.endswith("-somatic.tar.gz"))  # fmt: skip
    with tarfile.open(drop.path) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    vcf = next((tmp_path / "x").rglob("*.vcf.gz"))
    cna = next((tmp_path / "x").rglob("*cna*"), None)
    config = load_config(next((tmp_path / "x").rglob("*.toml")), sample_id_default="demo")
    out = tmp_path / "out"
    result = SomaticReporter().run(ReportRequest(vcf=vcf, config=config, bundle=demo_bundle, out_dir=out,
                                                 kind="somatic", sample_id="demo", cna=cna))  # fmt: skip
    summary = json.loads((out / "demo.summary.json").read_text())
    tier1_cna = [c["gene"] for c in summary["cna"] if c["tier"] == "I"]
    assert "ERBB2" in tier1_cna
    assert result.headline.tier1 == len(summary["tier1"]) + len(tier1_cna)
    assert "ERBB2 amplification" in result.headline.summary_line
    assert summary["summary_line"] == result.headline.summary_line
    with (out / "demo.tiers.tsv").open(newline="") as fh:
        rows = {r["hgvsp"]: r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    for change in ("p.E542K", "p.R175H"):
        assert rows[change]["oncogenicity"] in {"Oncogenic", "Likely oncogenic"}, rows[change]
        assert {"OS1", "OS3", "OP4"} <= set(rows[change]["oncogenicity_codes"].split(";"))
    html = (out / "report.html").read_text()
    assert "oncogenicity: Likely oncogenic (9 points: OS1 +4, OS3 +4, OP4 +1)" in html
    assert " · VUS<" not in html
    # the demo VCF was generated on the demo genome: every REF agrees, nothing is withheld
    assert summary["reference"]["status"] == "concordant" and summary["reference"]["mismatched"] == 0
    assert summary["reference"]["checked"] == summary["counts"]["passing"]
    assert summary["signatures"]["computable"] is True and 'id="reference-banner"' not in html
