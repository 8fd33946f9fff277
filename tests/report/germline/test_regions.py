"""Region-restricted reading: index or stream, ``chr1`` or ``1``, the findings are the same."""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pysam
import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.report.germline import GermlineReporter
from oncodrop.report.germline.regions import panel_regions, subset_vcf
from oncodrop.report.protocol import ReportRequest
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

from .conftest import GRCH38_GENES, PANEL

BCBIO = "germline/grch38.seqc2-hcc1395bl.bcbio-ensemble-germline.snpeff.vcf.gz"
DRAGEN = "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz"
_CHR = re.compile(r"^(##contig=<ID=)?chr", re.MULTILINE)


def without_chr(source: Path, target: Path, *, index: bool) -> Path:
    """The same VCF with ``chr`` removed from contig names (bgzipped with pysam)."""
    with gzip.open(source, "rt") as fh:
        text = _CHR.sub(lambda m: m.group(1) or "", fh.read())
    with pysam.BGZFile(str(target), "wb") as out:
        out.write(text.encode())
    if index:
        pysam.tabix_index(str(target), preset="vcf", force=True)
    return target


def variants_of(source: Path, tmp: Path) -> dict[str, Path]:
    """Four spellings of one VCF: indexed/unindexed × ``chr``/no ``chr``."""
    indexed = tmp / "chr.indexed.vcf.gz"
    shutil.copyfile(source, indexed)
    shutil.copyfile(f"{source}.tbi", f"{indexed}.tbi")
    plain = tmp / "chr.noindex.vcf.gz"
    shutil.copyfile(source, plain)
    return {
        "chr, indexed": indexed,
        "chr, no index": plain,
        "no chr, indexed": without_chr(source, tmp / "nochr.indexed.vcf.gz", index=True),
        "no chr, no index": without_chr(source, tmp / "nochr.noindex.vcf.gz", index=False),
    }


def germline_tsv(vcf: Path, bundle: Path, out: Path) -> str:
    request = ReportRequest(vcf=vcf, config=SampleConfig(), bundle=bundle, out_dir=out, kind="normal",
                            sample_id="P1")
    GermlineReporter().run(request)
    return (out / "P1.germline.tsv").read_text()


@pytest.mark.parametrize("name", [BCBIO, DRAGEN])
def test_index_and_chr_spelling_do_not_change_the_findings(
    name: str, testdata: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    bundle = make_bundle()
    forms = variants_of(testdata / name, tmp_path)
    tables = {label: germline_tsv(vcf, bundle, tmp_path / label.replace(", ", "-").replace(" ", "_"))
              for label, vcf in forms.items()}
    reference = tables["chr, indexed"]
    assert reference.count("\n") > 10  # a real set of findings, not two empty tables
    assert all(table == reference for table in tables.values())


def test_region_reading_finds_every_panel_variant_a_full_read_finds(testdata: Path) -> None:
    vcf = testdata / BCBIO
    regions = panel_regions(GRCH38_GENES, [g.symbol for g in PANEL])
    full = read_variants(vcf, SampleConfig(), mode="normal")
    restricted = read_variants(vcf, SampleConfig(), mode="normal", regions=regions.regions)
    assert restricted.used_index
    expected = {v.key for v in full.variants if regions.genes_at(v.chrom, v.pos)}
    assert {v.key for v in restricted.variants} == expected
    assert sum(1 for v in restricted.variants if v.gene == "MLH1") == sum(1 for v in full.variants if v.gene == "MLH1")


def test_subset_copies_only_the_panel_records_with_or_without_an_index(testdata: Path, tmp_path: Path) -> None:
    regions = panel_regions(GRCH38_GENES, ["MLH1"]).regions
    forms = variants_of(testdata / BCBIO, tmp_path)
    keys = []
    for label in ("chr, indexed", "chr, no index"):
        out = subset_vcf(forms[label], regions, tmp_path / f"{label[-7:].strip()}.subset.vcf.gz")
        with pysam.VariantFile(str(out)) as vf:
            keys.append([(r.chrom, r.pos, r.ref, r.alts) for r in vf])
    assert keys[0] == keys[1] and keys[0]
    assert all(chrom == "chr3" and 36993250 <= pos <= 37051000 for chrom, pos, _, _ in keys[0])


def test_genes_missing_from_the_gene_model_are_named() -> None:
    regions = panel_regions(GRCH38_GENES, ["MLH1", "NOTAGENE"])
    assert regions.missing == ("NOTAGENE",)
    assert regions.genes_at("3", 37012077) == ("MLH1",)
    assert regions.genes_at("3", 36993300 - 51) == ()


def test_cli_report_kind_normal_gives_the_same_findings_with_and_without_index(
    testdata: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    bundle = make_bundle()
    config = tmp_path / "sample.toml"
    config.write_text('[sample]\nid = "P1"\n')
    forms = variants_of(testdata / BCBIO, tmp_path)
    tables = []
    for i, vcf in enumerate(forms.values()):
        out = tmp_path / f"cli{i}"
        done = CliRunner().invoke(main, ["report", "--kind", "normal", "--vcf", str(vcf), "--config",
                                         str(config), "--bundle", str(bundle), "--out", str(out)])
        assert done.exit_code == 0, done.output
        tables.append((out / "P1.germline.tsv").read_text())
    assert len(set(tables)) == 1
