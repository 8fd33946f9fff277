"""PCGR/CPSR as a reporter backend: our wiring (which tool runs, with which mapped settings,
how its output is packed with our provenance, how failures surface), tested against a
recorded PCGR output folder and a stand-in ``pcgr``/``cpsr`` executable on PATH that copies
it. The real tools are not installable here (conda/Docker plus a ~20 GB data bundle)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from oncodrop.errors import InputRejected, ReasonCode, TransientError
from oncodrop.intake.config import load_config
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.report.registry import ConfiguredReporter, default_reporters
from oncodrop.sampleconfig import (
    AssaySection,
    GermlineSection,
    ReporterSection,
    SampleConfig,
    SampleSection,
    TumorSection,
)
from oncodrop.settings import PcgrSettings

FAKE_TOOL = """#!{python}
import json, os, shutil, sys
from pathlib import Path
name = Path(sys.argv[0]).name
if sys.argv[1:] == ["--version"]:
    print(name + " 2.2.1")
    sys.exit(0)
Path(os.environ["FAKE_ARGS"]).write_text(json.dumps(sys.argv[1:]))
if os.environ.get("FAKE_EXIT", "0") != "0":
    print("ERROR: VEP failed at 7:140453136", file=sys.stderr)
    sys.exit(int(os.environ["FAKE_EXIT"]))
out = Path(sys.argv[sys.argv.index("--output_dir") + 1])
shutil.copytree(os.environ["FAKE_RECORDED"], out, dirs_exist_ok=True)
"""


def _recorded(folder: Path) -> Path:
    """What PCGR 2.x leaves in --output_dir (a small stand-in with its file names and columns)."""
    folder.mkdir(parents=True)
    (folder / "S1.pcgr.grch37.html").write_text("<html>PCGR report</html>\n")
    rows = ["CHROM\tPOS\tREF\tALT\tSYMBOL\tACTIONABILITY_TIER",
            "7\t140453136\tA\tT\tBRAF\t1", "12\t25398284\tC\tT\tKRAS\t2", "17\t7578406\tC\tT\tTP53\t2",
            "1\t100\tA\tG\tX\t5"]  # fmt: skip
    with gzip.open(folder / "S1.pcgr.grch37.snv_indel_ann.tsv.gz", "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    (folder / "S1.pcgr.grch37.tmb.tsv").write_text("sample_id\ttmb_measure\ttmb_estimate\nS1\tTMB_coding_and_silent\t3.2\n")
    return folder


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``pcgr`` and ``cpsr`` stand-ins on PATH; returns the file they record their argv in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("pcgr", "cpsr"):
        exe = bin_dir / name
        exe.write_text(FAKE_TOOL.format(python=sys.executable))
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_RECORDED", str(_recorded(tmp_path / "recorded")))
    monkeypatch.setenv("FAKE_ARGS", str(tmp_path / "argv.json"))
    return tmp_path / "argv.json"


SETTINGS = PcgrSettings(refdata_dir=Path("/data/pcgr/refdata"), vep_dir=Path("/data/vep"))


def _request(tmp_path: Path, kind: str = "somatic", **config: object) -> ReportRequest:
    vcf = tmp_path / "tumour.vcf.gz"
    vcf.write_bytes(b"not read by the stand-in")
    sections = {"sample": SampleSection(genome_build="grch37", tumor_site="Breast"),
                "reporter": ReporterSection(backend="pcgr"), **config}  # fmt: skip
    return ReportRequest(vcf=vcf, config=SampleConfig(**sections), bundle=tmp_path,  # type: ignore[arg-type]
                         out_dir=tmp_path / "out", kind=kind, sample_id="S1")  # type: ignore[arg-type]


def _flag(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_a_sample_asking_for_pcgr_runs_it_with_mapped_settings_and_packs_its_output(tools: Path, tmp_path: Path) -> None:
    request = _request(tmp_path, tumor=TumorSection(purity=0.6), assay=AssaySection(type="WGS", target_size_mb=2800))
    result: ReportResult = default_reporters(SETTINGS)["somatic"].run(request)
    args = json.loads(tools.read_text())
    assert _flag(args, "--input_vcf") == str(request.vcf)
    assert (_flag(args, "--refdata_dir"), _flag(args, "--vep_dir")) == ("/data/pcgr/refdata", "/data/vep")
    assert (_flag(args, "--genome_assembly"), _flag(args, "--sample_id")) == ("grch37", "S1")
    assert _flag(args, "--tumor_site") == "6"  # PCGR's code for Breast
    assert (_flag(args, "--assay"), _flag(args, "--effective_target_size_mb"), _flag(args, "--tumor_purity")) == ("WGS", "2800", "0.6")
    assert {"--estimate_tmb", "--estimate_msi", "--estimate_signatures"} <= set(args)
    assert result.reporter == "pcgr"
    names = sorted(p.relative_to(request.out_dir).as_posix() for p in result.files)
    assert names == ["pcgr/S1.pcgr.grch37.html", "pcgr/S1.pcgr.grch37.snv_indel_ann.tsv.gz",
                     "pcgr/S1.pcgr.grch37.tmb.tsv", "provenance.json"]  # fmt: skip
    assert (result.headline.tier1, result.headline.tier2, result.headline.tmb) == (1, 2, 3.2)
    prov = json.loads((request.out_dir / "provenance.json").read_text())
    assert prov["tool"]["version"] == "pcgr 2.2.1" and prov["reporter"] == "pcgr"
    assert "tumour.vcf.gz" in prov["command"] and str(tmp_path) not in json.dumps(prov["command"])
    assert prov["inputs"][0]["name"] == "tumour.vcf.gz" and len(prov["inputs"][0]["sha256"]) == 64
    assert prov["mapped_from"]["sample"]["tumor_site"] == "Breast"


def test_a_normal_asking_for_pcgr_runs_cpsr(tools: Path, tmp_path: Path) -> None:
    request = _request(tmp_path, kind="normal", germline=GermlineSection(secondary_findings=True))
    result = default_reporters(SETTINGS)["normal"].run(request)
    args = json.loads(tools.read_text())
    assert result.reporter == "cpsr" and _flag(args, "--panel_id") == "0" and "--secondary_findings" in args
    assert "--tumor_site" not in args
    assert (request.out_dir / "cpsr" / "S1.pcgr.grch37.html").exists()


def test_the_default_backend_never_calls_pcgr(tools: Path, tmp_path: Path) -> None:
    class Own:
        name = "own"

        def run(self, request: ReportRequest) -> ReportResult:
            return ReportResult(request.out_dir, (), default_headline, "own")

    from oncodrop.domain.headline import Headline

    default_headline = Headline()
    external = default_reporters(SETTINGS)["somatic"]
    assert isinstance(external, ConfiguredReporter)
    chooser = ConfiguredReporter(Own(), external.external)
    own = _request(tmp_path, reporter=ReporterSection())
    assert chooser.run(own).reporter == "own" and not tools.exists()
    assert chooser.run(_request(tmp_path)).reporter == "pcgr" and tools.exists()


def test_pcgr_not_installed_rejects_the_sample_naming_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputRejected) as err:
        default_reporters(SETTINGS)["somatic"].run(_request(tmp_path))
    assert err.value.reason_code is ReasonCode.BAD_CONFIG and err.value.rejection.field == "reporter.backend"
    assert "`pcgr` is not installed" in str(err.value)


def test_a_failing_run_names_its_status_and_masks_positions(tools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_EXIT", "3")
    with pytest.raises(TransientError, match=r"pcgr failed \(exit status 3\): ERROR: VEP failed at 7:<n>"):
        default_reporters(SETTINGS)["somatic"].run(_request(tmp_path))


def test_sample_toml_asks_for_the_backend(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[sample]\ngenome_build = "grch38"\n[reporter]\nbackend = "pcgr"\n')
    assert load_config(path, sample_id_default="x").reporter.backend == "pcgr"
    path.write_text('[reporter]\nbackend = "cpsr"\n')
    with pytest.raises(InputRejected, match="reporter"):
        load_config(path, sample_id_default="x")
