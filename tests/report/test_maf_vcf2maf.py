"""MAF columns per vcf2maf (mskcc/vcf2maf ``vcf2maf.pl``, the GDC MAF reference) on its own
test VCFs: AD-based counts, barcodes from the genotype columns, allele columns from GT."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from oncodrop.domain.variant import Variant
from oncodrop.report.maf import barcodes, genotype_alleles, maf_alleles, maf_row, write_maf
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))


def _rows(testdata: Path, name: str, tmp_path: Path) -> dict[str, dict[str, str]]:
    """MAF rows of a vcf2maf test VCF, keyed by the variant key, barcodes as the writer sets."""
    result = read_variants(testdata / "callers-vcf2maf" / name, ALL)
    tumour, normal = barcodes("S1", result.tumor_sample, result.normal_sample)
    out = write_maf(result.variants, tmp_path / "t.maf", tumour, result.build, normal_id=normal)
    rows = list(csv.DictReader(out.read_text().splitlines()[1:], delimiter="\t"))
    return {v.key: row for v, row in zip(result.variants, rows, strict=True)}


def test_counts_are_the_records_ad_and_depth_its_dp(testdata: Path, tmp_path: Path) -> None:
    # vcf2maf: (t_ref_count, t_alt_count) = AD[0], AD[alt]; t_depth = DP (here 20 = 10 + 10)
    row = _rows(testdata, "test.vcf", tmp_path)["1:11290178:TA>T"]
    assert (row["t_depth"], row["t_ref_count"], row["t_alt_count"]) == ("20", "10", "10")
    # the normal's own AD/DP (0/0:30,5:35), not derived from a VAF
    assert (row["n_depth"], row["n_ref_count"], row["n_alt_count"]) == ("35", "30", "5")
    # DP larger than the AD sum stays the caller's DP: 0/1:11,5:16 and 0/1:778,123:901
    b38 = _rows(testdata, "test_b38.vcf", tmp_path)["21:34792478:C>T"]
    assert (b38["t_depth"], b38["t_ref_count"], b38["t_alt_count"]) == ("901", "778", "123")


def test_barcodes_are_the_vcf_genotype_columns(testdata: Path, tmp_path: Path) -> None:
    row = _rows(testdata, "test.vcf", tmp_path)["17:7579312:C>A"]
    assert (row["Tumor_Sample_Barcode"], row["Matched_Norm_Sample_Barcode"]) == ("TUMOR", "NORMAL")
    # normal 0/0: REF/REF from its GT
    assert (row["Match_Norm_Seq_Allele1"], row["Match_Norm_Seq_Allele2"]) == ("C", "C")
    # no tumour column (sites-only VCF): the sample id; no normal column: none
    assert barcodes("BATCH-abc123", None, None) == ("BATCH-abc123", None)


def test_normal_with_dp_zero_and_missing_ad(testdata: Path, tmp_path: Path) -> None:
    # TUMOR 0/1:.,21:54  NORMAL 0/0:.,.:0 -> n_depth 0 (not empty), missing counts stay empty
    row = _rows(testdata, "test_b38.vcf", tmp_path)["21:34792292:A>C"]
    assert (row["n_depth"], row["n_ref_count"], row["n_alt_count"]) == ("0", "", "")
    assert (row["t_depth"], row["t_ref_count"], row["t_alt_count"]) == ("54", "", "21")


def test_multi_record_site_takes_each_alleles_counts_from_its_own_record(testdata: Path, tmp_path: Path) -> None:
    # 5:112174757 (APC) appears four times. Record 1 GAAGA>G,GGA 0/2:12,0,8 keeps GGA;
    # record 2 GAAGA>G,GCA 1/2:0,12,8 (normal 1/1:0,30,2) keeps G and GCA.
    rows = _rows(testdata, "test.vcf", tmp_path)
    gga, g, gca = (rows[f"5:112174757:GAAGA>{alt}"] for alt in ("GGA", "G", "GCA"))
    assert (gga["t_ref_count"], gga["t_alt_count"], gga["n_alt_count"]) == ("12", "8", "2")
    assert (g["t_ref_count"], g["t_alt_count"], g["n_ref_count"], g["n_alt_count"]) == (
        "0", "12", "0", "30",
    )  # fmt: skip
    assert (gca["t_ref_count"], gca["t_alt_count"]) == ("0", "8")
    # GT 1/2: Allele2 is the row's ALT, Allele1 the other ALT (vcf2maf: first GT allele != var)
    assert (g["Tumor_Seq_Allele1"], g["Tumor_Seq_Allele2"]) == ("CA", "-")
    assert (gca["Tumor_Seq_Allele1"], gca["Tumor_Seq_Allele2"]) == ("-", "CA")
    assert (gga["Tumor_Seq_Allele1"], gga["Tumor_Seq_Allele2"]) == ("AAGA", "GA")
    # normal 1/1 at record 2: both normal alleles are G (trimmed to "-")
    assert (g["Match_Norm_Seq_Allele1"], g["Match_Norm_Seq_Allele2"]) == ("-", "-")


def test_somaticsniper_one_two_genotype_and_bcount(testdata: Path, tmp_path: Path) -> None:
    # TUMOR 1/2, DP 75, BCOUNT (A,C,G,T) 0,11,64,0; NORMAL 2/2 BCOUNT 0,0,70,0
    rows = _rows(testdata, "test_sniper.vcf", tmp_path)
    c, g = rows["2:100916306:A>C"], rows["2:100916306:A>G"]
    assert (c["Tumor_Seq_Allele1"], c["Tumor_Seq_Allele2"], c["t_alt_count"]) == ("G", "C", "11")
    assert (g["Tumor_Seq_Allele1"], g["Tumor_Seq_Allele2"], g["t_alt_count"]) == ("C", "G", "64")
    assert (c["t_ref_count"], c["t_depth"]) == ("0", "75")
    assert (g["Match_Norm_Seq_Allele1"], g["Match_Norm_Seq_Allele2"]) == ("G", "G")


@pytest.mark.parametrize(
    ("genotype", "alleles"),
    [("0/1", ("A", "T")), ("1/1", ("T", "T")), ("1|0", ("A", "T")), ("./.", None), ("0", ("A", "T"))],
)
def test_tumour_allele1_from_gt(genotype: str, alleles: tuple[str, str] | None) -> None:
    # vcf2maf: Allele1 = first GT allele that is not the variant allele, else the second one;
    # a haploid GT counts twice; no GT -> None (the writer then assumes REF/ALT)
    v = Variant(chrom="1", pos=5, ref="A", alt="T", genotype=genotype, alleles=("A", "T"))
    assert genotype_alleles(v, maf_alleles(v), genotype, tumour=True) == alleles


def test_tumour_without_gt_is_ref_alt() -> None:
    v = Variant(chrom="1", pos=5, ref="A", alt="T", alleles=("A", "T"))
    row = maf_row(v, "T", "grch37")
    assert (row["Tumor_Seq_Allele1"], row["Tumor_Seq_Allele2"]) == ("A", "T")
