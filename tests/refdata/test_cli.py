from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from local_server import FileServer
from upstream_fixtures import write_upstream

from oncodrop.cli import main
from oncodrop.refdata.bundle import Bundle


def test_demo_build_from_environment_then_verify(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "demo"
    env = {"ONCODROP_REFDATA_OUT": str(out), "ONCODROP_REFDATA_DEMO": "1"}
    built = runner.invoke(main, ["refdata", "build"], env=env)
    assert built.exit_code == 0, built.output
    assert "not for clinical use" in built.output
    checked = runner.invoke(main, ["refdata", "verify", str(out)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("ok: oncodrop-demo")


def test_verify_reports_a_corrupt_file_with_exit_code_1(
    demo_bundle: Path, tmp_path: Path
) -> None:
    copy = Path(shutil.copytree(demo_bundle, tmp_path / "copy"))
    (copy / "knowledge/acmg_sf.tsv").write_text("symbol\n")
    result = CliRunner().invoke(main, ["refdata", "verify", str(copy)])
    assert result.exit_code == 1
    assert "knowledge/acmg_sf.tsv does not match" in result.output


def test_unknown_source_name_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "refdata",
            "build",
            "--out",
            str(tmp_path / "b"),
            "--source-url",
            "cosmic=http://x",
        ],
    )
    assert result.exit_code == 1
    assert "unknown source 'cosmic'" in result.output


def test_full_build_options_reach_the_builder(
    file_server: FileServer, tmp_path: Path, testdata: Path, reference: Path
) -> None:
    files = write_upstream(file_server.root, testdata, reference, file_server.url)
    args = ["refdata", "build", "--out", str(tmp_path / "b"), "--build", "grch37", "--name", "lab",
            "--skip", "ensembl_fasta", "--skip", "clinvar"]  # fmt: skip
    for name, url in files.overrides.items():
        args += ["--source-url", f"{name}={url}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    bundle = Bundle.open(tmp_path / "b", verify=True)
    assert bundle.name == "lab" and bundle.builds == ("grch37",)
    assert bundle.fasta("grch37") is None and bundle.gff3("grch37") is not None
    assert f"{len(bundle.evidence())} evidence items" in result.output
