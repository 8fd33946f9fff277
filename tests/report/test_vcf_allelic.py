"""Depth and VAF per caller convention, checked against the FORMAT values of real records."""

from __future__ import annotations

import math
from pathlib import Path

import pysam
import pytest

from oncodrop.domain.variant import Variant
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))


def _at(testdata: Path, name: str, key: str) -> Variant:
    result = read_variants(testdata / name, ALL)
    return next(v for v in result.variants if v.key == key)


def test_mutect2_ad_and_af(testdata: Path) -> None:
    v = _at(
        testdata,
        "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.mutect2.snpeff.vcf.gz",
        "16:62340:G>C",
    )
    assert (v.depth, v.alt_depth, v.vaf) == (9, 2, 0.222)  # FORMAT AF is Mutect2's estimate


def test_strelka1_snv_uses_tier1_base_counts(testdata: Path) -> None:
    # TUMOR DP:FDP:SDP:SUBDP:AU:CU:GU:TU = 58:0:0:0:56,57:0,0:2,2:0,0 -> A is ALT
    v = _at(testdata, "callers-vcf2maf/test_strelka.vcf", "1:35944648:G>A")
    assert (v.depth, v.alt_depth) == (58, 56)
    assert v.vaf == pytest.approx(56 / 58, abs=1e-6)
    assert v.normal_depth == 78 and v.normal_vaf == 0.0


def test_strelka2_indel_uses_tir_over_tar_plus_tir(testdata: Path) -> None:
    result = read_variants(
        testdata / "callers-snpeff/grch38.seqc2-hcc1395-50pc.bcbio-ensemble-somatic.snpeff.vcf.gz",
        ALL,
    )
    strelka_indels = [v for v in result.variants if v.variant_class != "SNV" and v.vaf is not None]
    assert strelka_indels
    assert all(0 <= v.vaf <= 1 for v in strelka_indels)


def test_varscan_freq_percent_and_alt_only_ad(testdata: Path) -> None:
    # TUMOR GT:GQ:DP:RD:AD:FREQ:DP4 = 0/1:.:91:56:35:38.46%:...
    v = _at(testdata, "callers-vcf2maf/test_varscan.vcf", "1:1991014:A>G")
    assert (v.depth, v.alt_depth, v.vaf) == (91, 35, 0.3846)
    assert v.normal_vaf == 0.487


def test_mutect1_fa_is_the_allele_fraction(testdata: Path) -> None:
    # TUMOR GT:AD:BQ:DP:FA = 0:175,30:.:206:0.146 (haploid GT "0")
    v = _at(testdata, "callers-vcf2maf/test_mutect.vcf", "1:2453125:C>G")
    assert (v.depth, v.alt_depth, v.vaf) == (206, 30, 0.146)
    assert v.genotype == "0"


def test_somaticsniper_bcount(testdata: Path) -> None:
    result = read_variants(testdata / "callers-vcf2maf/test_sniper.vcf", ALL)
    assert all(v.vaf is not None for v in result.variants)
    first = result.variants[0]
    assert first.key == "1:1233886:C>G"
    assert (first.depth, first.alt_depth) == (7, 4)


def test_samtools_dp4_counts_in_merged_calls(testdata: Path) -> None:
    # TUMOR GT:DP:DP4:BQ:SS:FT = 0/1:6:2,2,1,1:... -> 2 ALT reads of 6
    v = _at(testdata, "callers-vcf2maf/test_merged.vcf", "1:150944742:TG>T")
    assert (v.depth, v.alt_depth) == (6, 2)


def test_radia_number_r_af(testdata: Path) -> None:
    # DNA_TUMOR AD 95,11, AF 0.9,0.1
    v = _at(testdata, "callers-vcf2maf/test_radia.vcf", "1:29651735:C>T")
    assert (v.depth, v.alt_depth, v.vaf) == (106, 11, 0.1)


def test_missing_ref_count_falls_back_to_dp(testdata: Path) -> None:
    # TUMOR GT:AD:DP = 0/1:.,21:54 -> VAF 21/54, not 21/21
    v = _at(testdata, "callers-vcf2maf/test_b38.vcf", "21:34792292:A>C")
    assert (v.depth, v.alt_depth) == (54, 21)
    assert v.vaf == pytest.approx(21 / 54, abs=1e-6)


def test_vardict_and_dragen_ad_af(testdata: Path) -> None:
    vardict = _at(
        testdata,
        "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.vardict.snpeff.vcf.gz",
        "16:60045:C>G",
    )
    assert vardict.alt_depth == 7 and vardict.depth == 16
    dragen = read_variants(
        testdata / "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz",
        ALL,
        mode="normal",
    ).variants[0]
    assert (dragen.key, dragen.depth, dragen.alt_depth, dragen.vaf, dragen.genotype) == (
        "1:69897:T>C",
        11,
        11,
        1.0,
        "1/1",
    )


def test_every_somatic_caller_file_yields_a_vaf_for_every_snv(testdata: Path) -> None:
    for name in (
        "test_mutect.vcf",
        "test_strelka.vcf",
        "test_varscan.vcf",
        "test_muse.vcf",
        "test_sniper.vcf",
        "test_radia.vcf",
        "test.vcf",
        "test_b38.vcf",
    ):
        variants = read_variants(testdata / "callers-vcf2maf" / name, ALL).variants
        snvs = [v for v in variants if v.variant_class == "SNV"]
        assert snvs and all(v.vaf is not None for v in snvs), name


def test_freebayes_ao_ro_per_alt(tmp_path: Path) -> None:
    vcf = tmp_path / "freebayes.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
        '##FORMAT=<ID=RO,Number=1,Type=Integer,Description="Reference count">\n'
        '##FORMAT=<ID=AO,Number=A,Type=Integer,Description="Alternate counts">\n'
        "##contig=<ID=1,length=249250621>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE1\n"
        "1\t1000\t.\tA\tG,T\t50\tPASS\t.\tGT:DP:RO:AO\t1/2:40:10:18,12\n"
    )
    variants = read_variants(vcf, ALL).variants
    assert [(v.alt, v.depth, v.alt_depth, v.vaf) for v in variants] == [
        ("G", 40, 18, 0.45),
        ("T", 40, 12, 0.3),
    ]


STRELKA2_SNV = "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.strelka2.snpeff.vcf.gz"
ENSEMBLE = "callers-snpeff/grch38.seqc2-hcc1395-50pc.bcbio-ensemble-somatic.snpeff.vcf.gz"


def test_strelka2_snv_depth_is_format_dp_and_vaf_the_user_guide_tier1_ratio(testdata: Path) -> None:
    # tumour DP:FDP = 222:6, AU 207,305  GU 8,19 (CU 1, TU 0): tier-1 counts sum to 216.
    # Depth is the caller's DP (222: what IGV/bcftools/MultiQC show), not the count sum;
    # VAF per the Strelka user guide: tier1 ALT / (tier1 ALT + tier1 REF) = 8 / 215.
    v = _at(testdata, STRELKA2_SNV, "16:67056:A>G")
    assert (v.depth, v.alt_depth, v.ref_depth) == (222, 8, 207)
    assert v.vaf == pytest.approx(8 / 215, abs=1e-6)


def test_strelka2_indel_depth_is_format_dp(testdata: Path) -> None:
    # bcbio ensemble, Strelka2 indel layout: DP 71, TAR 47,48, TIR 13,17 (tier 1 first)
    v = _at(testdata, ENSEMBLE, "2:222874674:GAAA>G")
    assert (v.depth, v.alt_depth, v.ref_depth) == (71, 13, 47)
    assert v.vaf == pytest.approx(13 / 60, abs=1e-6)  # Strelka: TIR / (TIR + TAR), tier 1


@pytest.mark.parametrize(
    "name",
    [
        "callers-vcf2maf/test_mutect.vcf",
        "callers-vcf2maf/test_strelka.vcf",
        "callers-vcf2maf/test_varscan.vcf",
        "callers-vcf2maf/test_muse.vcf",
        "callers-vcf2maf/test_sniper.vcf",
        "callers-vcf2maf/test_radia.vcf",
        "callers-vcf2maf/test_merged.vcf",
        "callers-vcf2maf/test.vcf",
        "callers-vcf2maf/test_b38.vcf",
        "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.mutect2.snpeff.vcf.gz",
        STRELKA2_SNV,
        "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.vardict.snpeff.vcf.gz",
    ],
)
def test_depth_is_the_callers_format_dp_wherever_it_has_one(testdata: Path, name: str) -> None:
    """Every caller: depth = the tumour column's FORMAT DP; only where the allele counts
    exceed it (vcf2maf's "AD exceed DP" rule) the counted reads."""
    result = read_variants(testdata / name, ALL)
    dps: dict[str, int] = {}
    with pysam.VariantFile(str(testdata / name)) as vf:
        for rec in vf:
            dp = rec.samples[result.tumor_sample].get("DP") if "DP" in rec.format else None
            for alt in rec.alts or ():
                if isinstance(dp, int):
                    dps.setdefault(f"{rec.chrom.removeprefix('chr')}:{rec.pos}:{rec.ref}>{alt}", dp)
    checked = 0
    for v in result.variants:
        dp = dps.get(v.key)
        if dp is None:
            continue
        counted = (v.ref_depth or 0) + (v.alt_depth or 0)
        if counted <= dp:
            assert v.depth == dp, (v.key, v.depth, dp)
        else:  # e.g. test_merged 9:70087179 Strelka CU 4 + TU 6 reads over DP 7 -> 10
            assert v.depth is not None and v.depth >= counted, (v.key, v.depth, dp)
        checked += 1
    assert checked


def test_remembered_rounding_is_round_to_six_places_including_odd_values() -> None:
    from oncodrop.report.vcf.allelic import _round6

    values = [0.331, 0.33100000023841858, 1 / 3, 2.5e-07, 0.1234565, 1e300, float("inf"), 0.0, -0.0, -0.1234565]
    for value in values * 2:  # the second pass is answered from memory where remembered
        assert repr(_round6(value)) == repr(round(value, 6))
    assert math.isnan(_round6(float("nan")))
