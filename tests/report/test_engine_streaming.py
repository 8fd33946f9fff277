"""The streamed somatic report is the report rendered from every finding in memory.

The reporter classifies variants as it reads them and spills each finding's rows to disk,
keeping only what the writers show in full (``report.collect``). Its files must be byte for
byte those the writers make from a ``ReportContent`` holding every finding, which is what
re-interpretation builds from the stored input. Here on real TCGA breast calls (after VEP),
shuffled and with repeated records, so report order, ties at one position and the duplicate
check out of file order are all exercised.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import replace
from pathlib import Path

import pytest

from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import SomaticReporter, classify_variants
from oncodrop.report.interpretation.codec import decode_as
from oncodrop.report.interpretation.snapshot import FILE_NAME, loads, somatic_input, write_input
from oncodrop.report.matching import EvidenceIndex
from oncodrop.report.protocol import ReportRequest
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.files import write_report_files
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

REPEATS = 25


@pytest.fixture(scope="module")
def shuffled(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BRCA calls in a seeded random order, ``REPEATS`` records written twice."""
    lines = gzip.decompress((testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz").read_bytes())
    text = lines.decode().splitlines(keepends=True)
    header = [line for line in text if line.startswith("#")]
    records = [line for line in text if not line.startswith("#")]
    rng = random.Random(12)
    records += rng.sample(records, REPEATS)
    rng.shuffle(records)
    path = tmp_path_factory.mktemp("vcf") / "shuffled.vcf"
    path.write_text("".join(header + records))
    return path


def test_streamed_files_are_the_files_of_every_finding_in_memory(
    shuffled: Path, demo_bundle: Path, tmp_path: Path
) -> None:
    config = SampleConfig(sample=SampleSection(tumor_site="Breast"), assay=AssaySection(target_size_mb=34.0))
    streamed = ReportRequest(vcf=shuffled, config=config, bundle=demo_bundle, out_dir=tmp_path / "streamed",
                             sample_id="S1", compress_rows_over=100)  # fmt: skip
    result = SomaticReporter().run(streamed)

    stored = loads((streamed.out_dir / FILE_NAME).read_bytes())
    bundle = Bundle.open(demo_bundle)
    content = decode_as(stored.content, ReportContent)
    findings = classify_variants(stored.variants, bundle, EvidenceIndex.build(bundle.evidence(), content.build),
                                 config.sample.tumor_site)  # fmt: skip
    whole = replace(content, findings=findings)  # every finding, rendered by the writers themselves
    in_memory = replace(streamed, out_dir=tmp_path / "in-memory")
    in_memory.out_dir.mkdir()
    written = write_report_files(whole, in_memory, bundle.describe(), {})
    write_input(in_memory.out_dir, somatic_input(whole, stored.variants))

    names = sorted(p.name for p in written.files if p.name != "provenance.json") + [FILE_NAME]
    assert "S1.tiers.tsv.gz" in names and len(findings) > 100  # compressed tables, a real report
    assert sorted(p.name for p in result.files) == sorted([*names, "provenance.json"])
    for name in names:
        assert (streamed.out_dir / name).read_bytes() == (in_memory.out_dir / name).read_bytes(), name
    counts = stored.content["read_stats"]
    assert counts["records"] - counts["passing"] >= REPEATS  # the repeats were dropped
