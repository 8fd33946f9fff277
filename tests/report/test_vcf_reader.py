"""Reading real VCFs: PCGR inputs, filters, thresholds, multi-allelics, build, regions."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig, SampleSection

ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))
PASS = SampleConfig()
PCGR_TAGS = SampleConfig(
    allelic_support=AllelicSupportSection(tumor_dp_tag="TDP", tumor_af_tag="TVAF")
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("v2.3.2/T001-BRCA.grch37.vcf.gz", 196),
        ("v2.3.2/T001-BRCA.grch38.vcf.gz", 196),
        ("v2.3.2/T001-COAD.grch37.vcf.gz", 3317),
        ("v2.3.2/T001-COAD.grch38.vcf.gz", 3313),
        ("v0.5.3/tumor_sample.BRCA.vcf.gz", 195),
        ("v0.5.3/tumor_sample.COAD.vcf.gz", 3316),
    ],
)
def test_pcgr_example_vcfs_keep_every_pass_record(testdata: Path, name: str, expected: int) -> None:
    result = read_variants(testdata / "pcgr" / name, PCGR_TAGS)
    assert len(result.variants) == expected
    assert result.counts.kept == expected
    assert result.annotation is None  # PCGR's inputs are unannotated


def test_coad_has_the_snv_and_indel_mix_pcgr_documents(testdata: Path) -> None:
    result = read_variants(testdata / "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz", PCGR_TAGS)
    classes = [v.variant_class for v in result.variants]
    assert classes.count("SNV") == 2670
    assert classes.count("deletion") == 541
    assert classes.count("insertion") == 103


def test_pcgr_info_tags_give_tumour_depth_and_vaf(testdata: Path) -> None:
    result = read_variants(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz", PCGR_TAGS)
    first = result.variants[0]
    assert first.key == "1:1900265:C>T"
    assert first.depth == 144  # INFO TDP
    assert first.vaf == pytest.approx(0.222222, abs=1e-6)  # INFO TVAF
    assert first.alt_depth == 32
    assert first.line == 18  # 17 header lines before it


def test_tumour_af_threshold_drops_low_vaf_calls_and_counts_them(testdata: Path) -> None:
    config = SampleConfig(
        allelic_support=AllelicSupportSection(
            tumor_dp_tag="TDP", tumor_af_tag="TVAF", tumor_af_min=0.1, tumor_dp_min=40
        )
    )
    result = read_variants(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz", config)
    assert result.variants  # the checks below are about something
    assert all(v.vaf is not None and v.vaf >= 0.1 for v in result.variants)
    assert all(v.depth is not None and v.depth >= 40 for v in result.variants)
    counts = result.counts
    assert counts.filtered_by_depth + counts.filtered_by_vaf == counts.filtered_by_thresholds
    assert counts.filtered_by_thresholds > 0
    assert counts.kept + counts.filtered_by_thresholds == 196


def test_normal_vaf_ceiling_removes_germline_like_calls(testdata: Path) -> None:
    config = SampleConfig(allelic_support=AllelicSupportSection(normal_af_max=0.05))
    result = read_variants(testdata / "callers-vcf2maf/test_varscan.vcf", config)
    assert result.counts.filtered_by_normal_vaf > 0
    assert any(v.normal_vaf is not None for v in result.variants)  # kept calls with a normal VAF exist
    assert all(v.normal_vaf is None or v.normal_vaf <= 0.05 for v in result.variants)


def test_pass_only_drops_filtered_records_and_dot_counts_as_pass(testdata: Path) -> None:
    mutect = read_variants(testdata / "callers-vcf2maf/test_mutect.vcf", PASS)
    assert len(mutect.variants) == 5
    assert mutect.counts.filtered_by_filter == 495
    merged = read_variants(testdata / "callers-vcf2maf/test_merged.vcf", PASS)
    assert merged.counts.filtered_by_filter == 0  # FILTER is '.' throughout
    vep = read_variants(
        testdata / "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz", PASS
    )
    assert len(vep.variants) == 1264


def test_failed_filters_are_kept_with_their_names_when_not_pass_only(testdata: Path) -> None:
    result = read_variants(testdata / "callers-vcf2maf/test_mutect.vcf", ALL)
    assert len(result.variants) == 500
    failed = [v for v in result.variants if not v.filter_pass]
    assert len(failed) == 495
    assert failed[0].filters == ("REJECT",)


def test_multiallelic_records_split_per_alt_with_per_allele_depths(testdata: Path) -> None:
    result = read_variants(testdata / "callers-vcf2maf/test.vcf", PASS)
    apc = [v for v in result.variants if v.pos == 112174757]
    # four records at APC 5:112174757; the tumour carries G, GGA and GCA (0/2, 1/2, 0/1, 0/2)
    assert sorted(v.alt for v in apc) == ["G", "GCA", "GGA"]
    by_alt = {v.alt: v for v in apc}
    assert by_alt["GGA"].alt_depth == 8 and by_alt["GGA"].depth == 20
    assert by_alt["G"].alt_depth == 12  # from "1/2:0,12,8"
    assert result.counts.multiallelic_records == 4
    assert result.counts.duplicates >= 1


def test_every_allele_is_kept_or_counted_in_one_bucket(testdata: Path) -> None:
    for name in (
        "callers-vcf2maf/test.vcf",
        "callers-vcf2maf/test_delly.vcf",
        "callers-vcf2maf/test_radia.vcf",
        "callers-vcf2maf/test_mutect.vcf",
    ):
        counts = read_variants(testdata / name, PASS).counts
        assert counts.alleles > 0 and counts.kept > 0, name
        assert counts.alleles == counts.kept + counts.dropped, name


def test_symbolic_and_breakend_alleles_are_skipped(testdata: Path) -> None:
    result = read_variants(testdata / "callers-vcf2maf/test_delly.vcf", ALL)
    assert result.counts.skipped_symbolic == 12
    assert len(result.variants) == 3  # the plain alleles beside the SVs
    assert all(not v.alt.startswith("<") and "[" not in v.alt for v in result.variants)


def test_chr_prefix_and_build_from_contig_lengths(testdata: Path) -> None:
    result = read_variants(
        testdata / "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz",
        PASS,
        mode="normal",
    )
    assert result.build == "grch38"
    assert result.build_evidence == "##contig lengths"
    assert {v.chrom for v in result.variants} >= {"1", "13", "17"}
    assert not any(v.chrom.startswith("chr") for v in result.variants)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("callers-vcf2maf/test_b38.vcf", "grch38"),
        ("callers-vcf2maf/test_mutect.vcf", "grch37"),  # ##reference GRCh37.74
        ("callers-vcf2maf/test_pindel.vcf", "grch37"),  # ##reference=HG19
        ("pcgr/vep-annotated/test.vep85.vcf", "grch37"),
        ("germline/grch37.giab-ashkenazi-trio.chr1-chr2.gatk.bcsq.vcf.gz", "grch37"),
        ("pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz", None),  # header says nothing
    ],
)
def test_build_is_detected_from_the_header(testdata: Path, name: str, build: str | None) -> None:
    assert read_variants(testdata / name, ALL, mode="normal").build == build


def test_config_build_fills_in_when_header_is_silent(testdata: Path) -> None:
    config = SampleConfig(sample=SampleSection(genome_build="grch38"))
    assert read_variants(testdata / "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz", config).build == "grch38"


def test_config_build_contradicting_the_header_is_rejected(testdata: Path) -> None:
    config = SampleConfig(sample=SampleSection(genome_build="grch37"))
    with pytest.raises(InputRejected) as caught:
        read_variants(testdata / "callers-vcf2maf/test_b38.vcf", config)
    assert caught.value.reason_code == "build_mismatch"
    assert caught.value.rejection.field == "sample.genome_build"


def test_regions_through_the_index_match_streaming(testdata: Path, tmp_path: Path) -> None:
    dragen = (
        testdata / "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz"
    )
    brca = [("17", 43044295, 43125483), ("chr13", 32315474, 32400266), ("TP53_absent", 1, 2)]
    indexed = read_variants(dragen, PASS, mode="normal", regions=brca)
    assert indexed.used_index
    plain = tmp_path / "dragen.vcf"  # same records, no index: streaming path
    import gzip

    plain.write_bytes(gzip.decompress(dragen.read_bytes()))
    streamed = read_variants(plain, PASS, mode="normal", regions=brca)
    assert not streamed.used_index
    assert [v.key for v in indexed.variants] == [v.key for v in streamed.variants]
    assert {v.chrom for v in indexed.variants} == {"13", "17"}
    assert len([v for v in indexed.variants if v.chrom == "17"]) > 10  # BRCA1 has 32 records


def test_region_reading_copes_with_unsorted_contigs(testdata: Path) -> None:
    dragen = (
        testdata / "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz"
    )
    result = read_variants(
        dragen, PASS, mode="normal", regions=[("2", 1, 250_000_000), ("10", 1, 140_000_000)]
    )
    chroms = {v.chrom for v in result.variants}
    assert chroms == {"2", "10"}


def test_chrm_is_read_as_mt(tmp_path: Path) -> None:
    vcf = tmp_path / "mito.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chrM,length=16569>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chrM\t3243\t.\tA\tG\t.\tPASS\t.\n"
    )
    (variant,) = read_variants(vcf, PASS).variants
    assert variant.key == "MT:3243:A>G"


def test_coad_braf_v600e_site_in_both_builds(testdata: Path) -> None:
    for name, key in (
        ("T001-COAD.grch37.vcf.gz", "7:140453136:A>T"),
        ("T001-COAD.grch38.vcf.gz", "7:140753336:A>T"),
    ):
        variants = read_variants(testdata / "pcgr/v2.3.2" / name, PCGR_TAGS).variants
        braf = next(v for v in variants if v.key == key)
        assert (braf.depth, braf.vaf) == (54, pytest.approx(0.314815, abs=1e-6))


def test_vcf2maf_pik3ca_e545k_site_with_tumour_and_normal_depths(testdata: Path) -> None:
    variants = read_variants(testdata / "callers-vcf2maf/test.vcf", PASS).variants
    e545k = next(v for v in variants if v.key == "3:178936091:G>A")
    assert (e545k.depth, e545k.alt_depth, e545k.normal_depth, e545k.normal_vaf) == (43, 22, 11, 0.0)
