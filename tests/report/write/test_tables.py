"""Large tables: over ``compress_rows_over`` rows the tiers TSV and the MAF are bgzip'd, hold
the same text as the plain files, are tabix-indexed when in genomic order, and the HTML and
summary name the files actually written. Real TCGA breast calls (../shared/testdata/pcgr) with
the threshold lowered to 5 rows."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pysam
import pytest

from oncodrop.domain.classification import Tier
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.interpretation.snapshot import FILE_NAME, loads
from oncodrop.report.protocol import DEFAULT_COMPRESS_ROWS_OVER, ReportRequest, ReportResult
from oncodrop.report.reinterpret.rerun import Knowledge, reinterpret_somatic
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.tables import position_sorted, write_maf_table, write_tiers_table
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection
from oncodrop.settings import ReportSettings

VCF = "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz"


def _report(vcf: Path, bundle: Path, out: Path, threshold: int) -> ReportResult:
    config = SampleConfig(sample=SampleSection(tumor_site="Breast"), assay=AssaySection(target_size_mb=34.0))
    request = ReportRequest(vcf=vcf, config=config, bundle=bundle, out_dir=out, sample_id="S1",
                            compress_rows_over=threshold)  # fmt: skip
    return SomaticReporter().run(request)


@pytest.fixture(scope="module")
def plain(demo_bundle: Path, testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    return _report(testdata / VCF, demo_bundle, tmp_path_factory.mktemp("plain"), DEFAULT_COMPRESS_ROWS_OVER)


@pytest.fixture(scope="module")
def small(demo_bundle: Path, testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    return _report(testdata / VCF, demo_bundle, tmp_path_factory.mktemp("small"), 5)


@pytest.fixture(scope="module")
def findings_content(small: ReportResult, demo_bundle: Path) -> ReportContent:
    """The report's content rebuilt from its stored input, as re-interpretation does."""
    stored = loads((small.out_dir / FILE_NAME).read_bytes())
    content = reinterpret_somatic(stored, Knowledge(Bundle.open(demo_bundle))).somatic
    assert content is not None
    return content


def test_default_threshold_matches_the_setting() -> None:
    assert ReportSettings().compress_rows_over == DEFAULT_COMPRESS_ROWS_OVER == 250_000


def test_below_the_threshold_the_tables_stay_plain(plain: ReportResult) -> None:
    names = {p.name for p in plain.files}
    assert {"S1.tiers.tsv", "S1.maf"} <= names
    assert not any(n.endswith((".gz", ".tbi")) and n != FILE_NAME for n in names)
    assert "bgzip-compressed" not in (plain.out_dir / "report.html").read_text(encoding="utf-8")


def test_compressed_tables_hold_exactly_the_plain_text(plain: ReportResult, small: ReportResult) -> None:
    for name in ("S1.tiers.tsv", "S1.maf"):
        packed = small.out_dir / f"{name}.gz"
        assert packed in small.files and not (small.out_dir / name).exists()
        assert gzip.decompress(packed.read_bytes()) == (plain.out_dir / name).read_bytes()
        with packed.open("rb") as fh:  # BGZF: gzip members with the BC extra field
            assert fh.read(16)[12:14] == b"BC"


def test_report_order_spans_tiers_so_no_index_is_claimed(small: ReportResult) -> None:
    names = {p.name for p in small.files}
    assert not any(n.endswith(".tbi") for n in names)
    assert not list(small.out_dir.glob("*.tbi"))


def test_html_summary_and_provenance_name_the_files_written(small: ReportResult) -> None:
    html = (small.out_dir / "report.html").read_text(encoding="utf-8")
    assert "S1.tiers.tsv.gz" in html and "S1.maf.gz" in html
    assert "bgzip-compressed because of its size" in html and "compress_rows_over" in html
    assert "every variant is in S1.tiers.tsv.gz" in html.replace("Every", "every")
    summary = json.loads((small.out_dir / "S1.summary.json").read_text())
    provenance = json.loads((small.out_dir / "provenance.json").read_text())
    assert summary["files"] == sorted([*provenance["outputs"], "provenance.json"])
    assert "S1.tiers.tsv.gz" in summary["files"] and "S1.tiers.tsv" not in summary["files"]
    assert all((small.out_dir / name).exists() for name in summary["files"])


def test_a_table_in_genomic_order_is_tabix_indexed_and_queryable(findings_content: ReportContent,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    tier4 = tuple(f for f in findings_content.findings if f.tier is Tier.IV)  # one tier: genomic order
    assert len(tier4) > 5
    content = replace(findings_content, findings=tier4)
    tsv = write_tiers_table(content, tmp_path, threshold=5)
    maf = write_maf_table(content, tmp_path / "S1.maf", threshold=5)
    for table in (tsv, maf):
        assert table.compressed and table.index is not None and table.index.exists()
        assert table.files() == (table.path, table.index)
    target = tier4[len(tier4) // 2].variant
    with pysam.TabixFile(str(tsv.path)) as tbx:
        rows = [line.split("\t") for line in tbx.fetch(target.chrom, target.pos - 1, target.pos)]
    assert [r[1:5] for r in rows if r[2] == str(target.pos)] == [[target.chrom, str(target.pos), target.ref,
                                                                  target.alt]]  # fmt: skip
    with pysam.TabixFile(str(maf.path)) as tbx:
        genes = {line.split("\t")[0] for line in tbx.fetch(target.chrom, target.pos - 1, target.pos + 1)}
    assert genes and genes <= {f.variant.consequence.gene or "Unknown" for f in tier4 if f.variant.consequence} | {
        "Unknown"}  # fmt: skip


def test_position_order_is_what_tabix_needs() -> None:
    assert position_sorted([("1", 5), ("1", 5), ("1", 9), ("2", 1), ("X", 3)])
    assert not position_sorted([("1", 5), ("1", 4)])
    assert not position_sorted([("1", 5), ("2", 1), ("1", 9)])
