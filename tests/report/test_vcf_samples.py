"""Which column is the tumour: headers, names, single columns, per caller on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.report.vcf import read_variants
from oncodrop.report.vcf.samples import choose_samples
from oncodrop.sampleconfig import SampleConfig

CONFIG = SampleConfig()


@pytest.mark.parametrize(
    ("name", "tumour", "normal", "why"),
    [
        # Mutect2 writes the normal first but names the tumour in ##tumor_sample
        (
            "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.mutect2.snpeff.vcf.gz",
            "tumor_downsample",
            "MB_normal_50x",
            "##tumor_sample header",
        ),
        # Strelka2 (normal first) and VarDict (tumour first) have no such header: names decide
        (
            "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.strelka2.snpeff.vcf.gz",
            "tumor_downsample",
            "MB_normal_50x",
            "column names",
        ),
        (
            "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.vardict.snpeff.vcf.gz",
            "tumor_downsample",
            "MB_normal_50x",
            "column names",
        ),
        (
            "callers-snpeff/grch38.seqc2-hcc1395-50pc.bcbio-ensemble-somatic.snpeff.vcf.gz",
            "T_SRR7890936_50pc",
            "N_SRR7890889",
            "##tumor_sample header",
        ),
        (
            "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz",
            "HCC1395_TUMOR_DNA",
            "HCC1395_NORMAL_DNA",
            "##tumor_sample header",
        ),
        ("callers-vcf2maf/test_mutect.vcf", "TUMOR", "NORMAL", "column names"),
        ("callers-vcf2maf/test_muse.vcf", "TUMOR", "NORMAL", "column names"),
        # RADIA: DNA_NORMAL, DNA_TUMOR, RNA_TUMOR -> the DNA tumour
        ("callers-vcf2maf/test_radia.vcf", "DNA_TUMOR", "DNA_NORMAL", "column names"),
        (
            "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz",
            "TCGA-A2-A04W-01A-31D-A10Y-09_TCGA-A2-A04W-10A-01D-A110-09",
            None,
            "single",
        ),
    ],
)
def test_tumour_column_per_caller(
    testdata: Path, name: str, tumour: str, normal: str | None, why: str
) -> None:
    result = read_variants(testdata / name, CONFIG)
    assert result.tumor_sample == tumour
    assert result.normal_sample == normal
    assert why in result.sample_reason


def test_normal_first_strelka2_reads_tumour_counts_not_normal(testdata: Path) -> None:
    result = read_variants(
        testdata / "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.strelka2.snpeff.vcf.gz",
        SampleConfig(allelic_support={"pass_only": False}),
    )
    first = result.variants[0]  # 16:63549 A>G; tumour AU 15, GU 4 (tier 1); normal DP 2
    assert first.key == "16:63549:A>G"
    assert (first.depth, first.alt_depth) == (19, 4)
    assert first.normal_depth == 2


def test_germline_trio_uses_the_first_column(testdata: Path) -> None:
    result = read_variants(
        testdata / "germline/grch37.giab-ashkenazi-trio.chr1-chr2.gatk.bcsq.vcf.gz",
        CONFIG,
        mode="normal",
    )
    assert result.tumor_sample == "HG002"
    assert result.samples == ("HG002", "HG003", "HG004")
    # calls that HG002 does not carry (0/0 or ./.) are not HG002's variants
    assert result.counts.not_in_sample > 0
    assert all(v.genotype and "1" in v.genotype for v in result.variants)


def test_unlabelled_columns_are_rejected_in_somatic_mode() -> None:
    with pytest.raises(InputRejected) as caught:
        choose_samples(["A", "B"], {}, mode="somatic", file="x.vcf")
    assert caught.value.reason_code == "ambiguous_samples"
    assert "##tumor_sample" in caught.value.message


@pytest.mark.parametrize(
    ("columns", "tumour", "normal"),
    [
        (["NORMAL", "TUMOR"], "TUMOR", "NORMAL"),
        (["patient1_T", "patient1_N"], "patient1_T", "patient1_N"),
        (
            ["TCGA-AG-3891-10A-01W", "TCGA-AG-3891-01A-01W"],
            "TCGA-AG-3891-01A-01W",
            "TCGA-AG-3891-10A-01W",
        ),
        (["blood", "sampleX"], "sampleX", "blood"),
    ],
)
def test_column_names_decide_tumour_and_normal(
    columns: list[str], tumour: str, normal: str
) -> None:
    choice = choose_samples(columns, {}, mode="somatic")
    assert (choice.tumor, choice.normal) == (tumour, normal)
    assert choice.tumor_index == columns.index(tumour)


def test_normal_mode_prefers_the_normal_sample_header() -> None:
    choice = choose_samples(["T1", "N1"], {"normal_sample": "N1"}, mode="normal")
    assert choice.tumor == "N1" and choice.normal is None


def test_gatk40_sample_header_lines_name_the_tumour(tmp_path: Path) -> None:
    vcf = tmp_path / "m2.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n"
        "##SAMPLE=<ID=NORMAL,SampleName=patient7_blood>\n"
        "##SAMPLE=<ID=TUMOR,SampleName=patient7_biopsy>\n"
        "##contig=<ID=1,length=249250621>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tpatient7_blood\tpatient7_biopsy\n"
    )
    result = read_variants(vcf, CONFIG)
    assert (result.tumor_sample, result.normal_sample) == ("patient7_biopsy", "patient7_blood")
    assert result.sample_reason.startswith("##tumor_sample header")
