"""``brca``: one real report (TCGA breast calls after VEP, ../shared/testdata/pcgr, with its
copy-number calls), made once for the interpretation-input tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection


@pytest.fixture(scope="package")
def brca(demo_bundle: Path, testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    config = SampleConfig(sample=SampleSection(tumor_site="Breast"), assay=AssaySection(target_size_mb=34.0))
    request = ReportRequest(
        vcf=testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz", config=config, bundle=demo_bundle,
        out_dir=tmp_path_factory.mktemp("brca"), sample_id="S1",
        cna=testdata / "pcgr/v2.3.2/T001-BRCA.grch37.cna.tsv",
    )  # fmt: skip
    return SomaticReporter().run(request)
