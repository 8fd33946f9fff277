"""``oncodrop report``: options in, files out, rejections as one readable line and exit 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.cli.report import default_sample_id


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sample.toml"
    path.write_text(text)
    return path


def test_report_command_writes_the_report_and_prints_the_headline(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, '[sample]\ntumor_site = "Breast"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "report", "--vcf", str(testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"),
        "--config", str(config), "--bundle", str(demo_bundle), "--out", str(out),
        "--cna", str(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.cna.tsv"),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Tier I: 2 (PIK3CA p.H1047R, ERBB2 amplification); Tier II: ")
    assert "TMB 5.5 mut/Mb (intermediate)" in result.output
    assert "[demo, not for clinical use]" in result.output.splitlines()[0]
    assert sorted(p.name for p in out.iterdir()) == sorted([
        "interpretation.json.gz", "report.html", "provenance.json", "tumor_sample.BRCA.vep85.maf",
        "tumor_sample.BRCA.vep85.summary.json", "tumor_sample.BRCA.vep85.tiers.tsv",
        "tumor_sample.BRCA.vep85.xlsx",
    ])  # fmt: skip


def test_sample_id_comes_from_the_option_then_the_config_then_the_file_name(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    vcf = testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"
    config = _config(tmp_path, '[sample]\nid = "BATCH1-ABC123"\ntumor_site = "Breast"\n')
    args = ["report", "--vcf", str(vcf), "--config", str(config), "--bundle", str(demo_bundle)]
    runner = CliRunner()
    assert runner.invoke(main, [*args, "--out", str(tmp_path / "a")]).exit_code == 0
    assert (tmp_path / "a" / "BATCH1-ABC123.tiers.tsv").is_file()
    assert runner.invoke(main, [*args, "--out", str(tmp_path / "b"), "--sample-id", "X1"]).exit_code == 0
    assert (tmp_path / "b" / "X1.tiers.tsv").is_file()
    assert default_sample_id(vcf) == "tumor_sample.BRCA.vep85"
    assert default_sample_id(Path("a.vcf")) == "a"


def test_rejected_input_exits_1_with_reason_file_and_field(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, '[sample]\ngenome_build = "grch37"\n')
    vcf = tmp_path / "broken.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "7\t140453136\t.\tA\tT\t.\tPASS\t.\n7\tnot-a-number\t.\tA\tT\t.\tPASS\t.\n")  # fmt: skip
    result = CliRunner().invoke(main, [
        "report", "--vcf", str(vcf), "--config", str(config),
        "--bundle", str(demo_bundle), "--out", str(tmp_path / "out"),
    ])  # fmt: skip
    assert result.exit_code == 1
    assert "input rejected [bad_vcf] (file broken.vcf, line 4, field POS)" in result.output


def test_a_folder_that_is_not_a_bundle_is_reported_not_raised(testdata: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, "")
    result = CliRunner().invoke(main, [
        "report", "--vcf", str(testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"),
        "--config", str(config), "--bundle", str(tmp_path), "--out", str(tmp_path / "out"),
    ])  # fmt: skip
    assert result.exit_code == 1 and "manifest.json is missing" in result.output


def test_kind_normal_runs_the_germline_reporter(demo_bundle: Path, testdata: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, "")
    result = CliRunner().invoke(main, [
        "report", "--kind", "normal", "--vcf",
        str(testdata / "germline/grch37.giab-ashkenazi-trio.chr1-chr2.gatk.bcsq.vcf.gz"),
        "--config", str(config), "--bundle", str(demo_bundle), "--out", str(tmp_path / "out"),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("done in ")
    assert "(oncodrop-germline: " in result.output.rstrip().splitlines()[-1]
    assert (tmp_path / "out" / "report.html").is_file()


def test_done_in_is_the_commands_own_wall_time_not_the_reporters(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    """The old line printed the reporter's time alone (0.8 s for a 6-9 s command). The check is
    one run against itself: the printed total sits between the reporter's part and the wall
    time of the whole process, and covers most of it (only the interpreter's own start and
    click's import precede it)."""
    import os
    import re
    import subprocess
    import sys
    import time

    import oncodrop

    config = _config(tmp_path, '[sample]\ntumor_site = "Breast"\n')
    env = {**os.environ, "PYTHONPATH": str(Path(oncodrop.__file__).resolve().parents[1])}
    start = time.perf_counter()
    done = subprocess.run([
        sys.executable, "-m", "oncodrop", "report", "--vcf", str(testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"),
        "--config", str(config), "--bundle", str(demo_bundle), "--out", str(tmp_path / "out"),
    ], env=env, capture_output=True, text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    match = re.search(r"^done in (\d+\.\d) s \(([^:]+): (\d+\.\d) s of it\)$", done.stdout, re.MULTILINE)
    assert match, done.stdout
    total, reporter_part = float(match[1]), float(match[3])
    assert reporter_part <= total <= wall + 0.05
    assert total >= wall / 2


def test_report_help_names_the_vcf_for_both_kinds() -> None:
    text = CliRunner().invoke(main, ["report", "--help"], terminal_width=200).output
    assert "Somatic VCF" not in text
    assert "the tumour's calls with --kind somatic, the normal's (germline) calls with --kind normal" in text
