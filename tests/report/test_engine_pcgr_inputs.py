"""``oncodrop report`` on every VCF PCGR ships as test input, with the demo bundle: each either
yields a report with the facts below or is refused with a reason naming what is missing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from oncodrop.errors import BundleError
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection


def _report(vcf: Path, site: str, build: str, bundle: Path, out: Path) -> tuple[ReportResult, list[dict[str, str]]]:
    config = SampleConfig(sample=SampleSection(tumor_site=site, genome_build=build),  # type: ignore[arg-type]
                          assay=AssaySection(target_size_mb=34.0))  # fmt: skip
    result = SomaticReporter().run(ReportRequest(vcf=vcf, config=config, bundle=bundle, out_dir=out, sample_id="S1"))
    with (out / "S1.tiers.tsv").open(newline="") as fh:
        return result, list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize(
    ("vcf", "site", "records", "tier1"),
    [
        # PCGR 0.5.3 inputs and the 2.3.2 GRCh37 calls: raw (no CSQ), annotated by gene span;
        # the TCGA hotspots still match CIViC by coordinate
        ("v0.5.3/tumor_sample.BRCA.vcf.gz", "Breast", 195, ("PIK3CA", "178952085")),
        ("v0.5.3/tumor_sample.COAD.vcf.gz", "Colon/Rectum", 3316, ("BRAF", "140453136")),
        ("v2.3.2/T001-COAD.grch37.vcf.gz", "Colon/Rectum", 3317, ("BRAF", "140453136")),
        ("v2.3.2/T001-BRCA.grch37.vcf.gz", "Breast", 196, ("PIK3CA", "178952085")),
        ("vep-annotated/test.vcf.gz", "Colon/Rectum", 650, None),
    ],
)
def test_raw_grch37_inputs_report_every_pass_record_and_their_known_hotspot(
    vcf: str, site: str, records: int, tier1: tuple[str, str] | None, demo_bundle: Path, testdata: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    result, rows = _report(testdata / "pcgr" / vcf, site, "grch37", demo_bundle, tmp_path)
    assert len(rows) == records
    found = [(r["gene"], r["pos"]) for r in rows if r["tier"] == "I"]
    assert found == ([tier1] if tier1 else [])
    assert result.headline.tier1 == len(found)
    assert result.headline.tmb is None  # no consequences: coding variants cannot be counted


@pytest.mark.parametrize("vcf", ["v2.3.2/T001-BRCA.grch38.vcf.gz", "v2.3.2/T001-COAD.grch38.vcf.gz"])
def test_grch38_inputs_need_a_grch38_bundle_and_say_how_to_build_one(
    vcf: str, demo_bundle: Path, testdata: Path, tmp_path: Path
) -> None:
    with pytest.raises(BundleError, match=r"grch38.*refdata build --build grch38"):
        _report(testdata / "pcgr" / vcf, "Breast", "grch38", demo_bundle, tmp_path)
