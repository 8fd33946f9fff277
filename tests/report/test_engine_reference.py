"""Reference concordance in the somatic reporter: REF alleles that disagree with the bundle
genome are said prominently and withhold the genome-dependent metrics; a VCF of another
assembly against a real (non-synthetic) genome is rejected naming both builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.refdata.manifest import catalogue_files, read_manifest, write_manifest
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

CONFIG = SampleConfig(sample=SampleSection(tumor_site="Colon/Rectum", genome_build="grch37"),
                      assay=AssaySection(target_size_mb=34.0))  # fmt: skip


def _run(vcf: Path, bundle: Path, out: Path) -> dict[str, object]:
    SomaticReporter().run(ReportRequest(vcf=vcf, config=CONFIG, bundle=bundle, out_dir=out, sample_id="S1"))
    return json.loads((out / "S1.summary.json").read_text())


@pytest.fixture(scope="module")
def non_synthetic_bundle(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bundle with its genome declared a real assembly (no ``synthetic_genome``
    source): its seeded-random bases then stand for a genome the TCGA calls were not made on."""
    out = tmp_path_factory.mktemp("real") / "bundle"
    shutil.copytree(demo_bundle, out)
    manifest = read_manifest(out)
    sources = {k: v for k, v in manifest.sources.items() if k != "synthetic_genome"}
    write_manifest(out, manifest.model_copy(update={"sources": sources, "files": catalogue_files(out, {})}))
    return out


def test_tcga_calls_on_the_synthetic_demo_genome_are_flagged_and_contexts_withheld(
    demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    # T001-COAD: 36 of 3317 sites lie on the demo genome's known bases, 26 of them disagree (the
    # 36th is its DPYD*2A 1:97915614 C>T, on the demo's real base since the bundle carries *2A)
    summary = _run(testdata / "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz", demo_bundle, tmp_path)
    ref = summary["reference"]
    assert isinstance(ref, dict)
    assert (ref["status"], ref["checked"], ref["mismatched"], ref["synthetic_genome"]) == ("discordant", 36, 26, True)
    assert ref["unchecked"] == 3317 - 36
    for metric in ("msi", "signatures"):
        note = summary[metric]["note"]  # type: ignore[index]
        assert note.startswith("not computable: the VCF's REF alleles disagree with the bundle genome at 72.2 % of 36 sites")
    html = (tmp_path / "report.html").read_text()
    banner = html.split('id="reference-banner"')[1].split("</div>")[0]
    assert "26 of 36 REF alleles (72.2 %) differ from the bundle&#39;s GRCh37 genome" in banner
    assert "synthetic (demo)" in banner and "MSI, mutational signatures and kataegis contexts are withheld" in banner


def test_tcga_calls_on_a_genome_they_were_not_called_on_are_rejected_naming_both_builds(
    non_synthetic_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputRejected) as err:
        _run(testdata / "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz", non_synthetic_bundle, tmp_path)
    exc = err.value
    assert exc.reason_code is ReasonCode.REF_MISMATCH
    assert (exc.rejection.file, exc.rejection.field) == ("T001-COAD.grch37.vcf.gz", "REF")
    message = str(exc)
    assert "is GRCh37" in message and "likely GRCh38" in message
    assert "26 of 36 REF alleles (72.2 %) differ from the bundle's GRCh37 genome" in message
    assert "1:27088797 REF G, genome T" in message  # a site the user can look up
    assert not (tmp_path / "S1.summary.json").exists()


def test_a_few_disagreeing_sites_on_a_real_genome_warn_without_rejecting(
    non_synthetic_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    # TCGA BRCA: only 5 sites lie on known bases (3 disagree; one agreeing is DPYD*2A, whose real
    # base the demo bundle carries), too few to call another build
    summary = _run(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz", non_synthetic_bundle, tmp_path)
    ref = summary["reference"]
    assert isinstance(ref, dict)
    assert (ref["status"], ref["checked"], ref["mismatched"], ref["synthetic_genome"]) == ("discordant", 5, 3, False)
    assert summary["signatures"]["note"].startswith("not computable: the VCF's REF alleles disagree")  # type: ignore[index]
