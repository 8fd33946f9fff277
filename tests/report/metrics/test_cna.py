from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber, Segment
from oncodrop.errors import InputRejected
from oncodrop.refdata.bundle import GeneLocus
from oncodrop.report.metrics.cna import (
    CnaThresholds,
    gene_copy_numbers,
    genome_alteration,
    parse_segments,
    read_segments,
    segment_call,
)
from oncodrop.sampleconfig import SampleConfig


def _locus(symbol: str, chrom: str, start: int, end: int) -> GeneLocus:
    return GeneLocus(symbol=symbol, chrom=chrom, start=start, end=end, strand="+", gene_id=symbol)


# GRCh37 gene-level spans as CIViC 01-Aug-2024 VariantSummaries gives them (DOCK8: Ensembl GRCh37)
GENES_37 = (
    _locus("ERBB2", "17", 37856333, 37884915),
    _locus("CDKN2A", "9", 21967752, 21994623),
    _locus("TP53", "17", 7571720, 7590856),
    _locus("PTEN", "10", 89622870, 89731687),
    _locus("CCND1", "11", 69455855, 69469242),
    _locus("RICTOR", "5", 38938021, 39074510),
    _locus("PRDM1", "6", 106534195, 106557813),
    _locus("DOCK8", "9", 214854, 465259),
    _locus("NF2", "22", 29999545, 30094589),
)


DEFAULT = CnaThresholds()


def _calls(segments: tuple[Segment, ...], thresholds: CnaThresholds = DEFAULT) -> dict[str, GeneCopyNumber]:
    return {g.gene: g for g in gene_copy_numbers(segments, GENES_37, thresholds)}


@pytest.fixture(scope="module")
def pcgr2_segments(testdata: Path) -> tuple[Segment, ...]:
    return read_segments(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.cna.tsv").segments


@pytest.mark.parametrize(
    ("path", "fmt", "n"),
    [
        ("v2.3.2/T001-BRCA.grch37.cna.tsv", "allele_specific", 252),
        ("v2.3.2/T001-BRCA.grch38.cna.tsv", "allele_specific", 260),
        ("v0.5.3/tumor_sample.BRCA.cna.tsv", "log2_ratio", 394),
        ("v0.5.3/tumor_sample.COAD.cna.tsv", "log2_ratio", 264),
    ],
)
def test_both_pcgr_segment_formats_are_detected_by_header(
    testdata: Path, path: str, fmt: str, n: int
) -> None:
    parsed = read_segments(testdata / "pcgr" / path)
    assert parsed.format == fmt
    assert len(parsed.segments) == n


def test_allele_specific_rows_become_total_and_minor_copy_number(pcgr2_segments: tuple[Segment, ...]) -> None:
    assert pcgr2_segments[0] == Segment("1", 745021, 38117614, total_cn=1.0, minor_cn=0)


def test_pcgr2_breast_example_gene_calls(pcgr2_segments: tuple[Segment, ...]) -> None:
    calls = _calls(pcgr2_segments)
    # 17:37756263-38156253 nMajor 8 nMinor 1
    assert (calls["ERBB2"].call, calls["ERBB2"].total_cn, calls["ERBB2"].loh) == (
        CnaCall.AMPLIFICATION,
        9.0,
        False,
    )
    # 5:37172383-45904962 5+1
    assert calls["RICTOR"].call is CnaCall.AMPLIFICATION
    # 9:16060432-22734126 1+0: one copy left, heterozygosity lost
    assert (calls["CDKN2A"].call, calls["CDKN2A"].loh) == (CnaCall.HETDEL, True)
    # 17:1948601-8604495 2+0: copy-neutral LOH
    assert (calls["TP53"].call, calls["TP53"].total_cn, calls["TP53"].loh) == (CnaCall.NEUTRAL, 2.0, True)
    # 10:67875755-122434167 2+1
    assert calls["PTEN"].call is CnaCall.GAIN
    # 11:17298859-85539617 1+1
    assert (calls["CCND1"].call, calls["CCND1"].loh) == (CnaCall.NEUTRAL, False)
    # 9:57539-1530874 0+0
    assert calls["DOCK8"].call is CnaCall.HOMDEL
    # no chromosome 22 segment in this file: no call rather than a guess
    assert "NF2" not in calls


def test_ploidy_moves_the_baseline(pcgr2_segments: tuple[Segment, ...]) -> None:
    calls = _calls(pcgr2_segments, CnaThresholds(ploidy=4.0))
    assert calls["PTEN"].call is CnaCall.HETDEL  # 3 copies in a tetraploid tumour
    assert calls["RICTOR"].call is CnaCall.GAIN  # 6 < 2 x 4
    assert calls["ERBB2"].call is CnaCall.AMPLIFICATION  # 9 >= 8


def test_log2_breast_erbb2_is_amplified_and_colon_erbb2_is_neutral(testdata: Path) -> None:
    brca = _calls(read_segments(testdata / "pcgr/v0.5.3/tumor_sample.BRCA.cna.tsv").segments)
    # 72 % of ERBB2 lies in 17:37651539-37876898, Segment_Mean 1.7803
    assert (brca["ERBB2"].call, brca["ERBB2"].log2_ratio) == (CnaCall.AMPLIFICATION, 1.7803)
    assert brca["ERBB2"].total_cn is None and not brca["ERBB2"].loh
    assert brca["PRDM1"].call is CnaCall.AMPLIFICATION  # 1.5863
    assert brca["PTEN"].call is CnaCall.NEUTRAL  # -0.1624
    coad = _calls(read_segments(testdata / "pcgr/v0.5.3/tumor_sample.COAD.cna.tsv").segments)
    assert coad["ERBB2"].call is CnaCall.NEUTRAL  # 0.1674


def test_chromosome_22_is_called_unlike_pcgr(testdata: Path) -> None:
    coad = _calls(read_segments(testdata / "pcgr/v0.5.3/tumor_sample.COAD.cna.tsv").segments)
    assert coad["NF2"].chrom == "22" and coad["NF2"].log2_ratio == -0.1036
    homdel = (Segment("22", 29_000_000, 31_000_000, total_cn=0.0, minor_cn=0),)
    assert _calls(homdel)["NF2"].call is CnaCall.HOMDEL


def test_y_is_read_but_not_called() -> None:
    parsed = parse_segments(["Chromosome\tStart\tEnd\tnMajor\tnMinor", "chrY\t1\t5000\t0\t0"], "y.tsv")
    assert parsed.segments[0].chrom == "Y"
    assert gene_copy_numbers(parsed.segments, [_locus("SRY", "Y", 100, 900)], CnaThresholds()) == ()


@pytest.mark.parametrize(("required", "called"), [(50.0, True), (70.0, False)])
def test_gene_needs_the_configured_share_covered_by_one_segment(required: float, called: bool) -> None:
    segments = (
        Segment("1", 1, 1400, total_cn=4.0, minor_cn=1),
        Segment("1", 1401, 5000, total_cn=2.0, minor_cn=1),
    )
    gene = _locus("G", "1", 1001, 2000)  # 40 % in the gain, 60 % in the neutral segment
    calls = gene_copy_numbers(segments, [gene], CnaThresholds(overlap_pct=required))
    assert [c.call for c in calls] == ([CnaCall.NEUTRAL] if called else [])


@pytest.mark.parametrize(
    ("log2", "call"),
    [
        (-0.8, CnaCall.HOMDEL),
        (-0.79, CnaCall.HETDEL),
        (-0.4, CnaCall.HETDEL),
        (-0.39, CnaCall.NEUTRAL),
        (0.79, CnaCall.NEUTRAL),
        (0.8, CnaCall.GAIN),
        (1.3, CnaCall.GAIN),
        (1.33, CnaCall.AMPLIFICATION),
    ],
)
def test_log2_thresholds(log2: float, call: CnaCall) -> None:
    assert segment_call(Segment("1", 1, 2, log2_ratio=log2), CnaThresholds()) is call


@pytest.mark.parametrize(
    ("total", "call"),
    [
        (0, CnaCall.HOMDEL),
        (1, CnaCall.HETDEL),
        (2, CnaCall.NEUTRAL),
        (4, CnaCall.GAIN),
        (5, CnaCall.AMPLIFICATION),
    ],
)
def test_absolute_thresholds(total: int, call: CnaCall) -> None:
    assert segment_call(Segment("1", 1, 2, total_cn=float(total), minor_cn=0), CnaThresholds()) is call


def test_thresholds_come_from_the_sample_config() -> None:
    config = SampleConfig.model_validate(
        {"cna": {"amplification_min_cn": 6, "overlap_pct": 80}, "tumor": {"ploidy": 3.1}}
    )
    t = CnaThresholds.from_config(config)
    assert (t.amplification_min_cn, t.overlap_pct, t.baseline) == (6, 80, 3)


def test_fraction_of_genome_altered_and_in_loh(pcgr2_segments: tuple[Segment, ...], testdata: Path) -> None:
    fga, loh = genome_alteration(pcgr2_segments, CnaThresholds())
    assert fga.value == 0.5688
    assert loh.value == 0.5042
    log2_fga, log2_loh = genome_alteration(
        read_segments(testdata / "pcgr/v0.5.3/tumor_sample.BRCA.cna.tsv").segments, CnaThresholds()
    )
    assert log2_fga.value == 0.0228
    assert log2_loh.note == "not computable: segments carry no allele-specific copy number"
    empty = genome_alteration((), CnaThresholds())
    assert all(not m.computable for m in empty)


HEADER2 = "Chromosome\tStart\tEnd\tnMajor\tnMinor"
HEADER0 = "Sample\tChromosome\tStart\tEnd\tNum_Probes\tSegment_Mean"


@pytest.mark.parametrize(
    ("lines", "line", "field", "message"),
    [
        ([HEADER2, "1\t100\t50\t1\t1"], 2, "End", "before Start"),
        ([HEADER2, "1\t100\t500\tone\t1"], 2, "nMajor", "nMajor must be an integer, found 'one'"),
        ([HEADER2, "1\t100\t500\t1.5\t1"], 2, "nMajor", "must be an integer"),
        ([HEADER2, "1\t1\t9\t1\t1", "chr23\t100\t500\t1\t1"], 3, "Chromosome", "unknown chromosome 'chr23'"),
        ([HEADER2, "1\t100\t500\t1"], 2, None, "4 tab-separated columns, expected 5"),
        ([HEADER0, "S\t1\t100\t500\t10\tNA"], 2, "Segment_Mean", "Segment_Mean must be a number, found 'NA'"),
        ([HEADER2, "1\t100\t500\t-1\t0"], 2, "nMajor", "must not be negative"),
        (["chrom\tstart\tend\tcn"], 1, None, "unknown copy number header"),
        ([], 1, None, "empty"),
    ],
)
def test_malformed_rows_are_rejected_with_line_and_field(
    lines: list[str], line: int, field: str | None, message: str
) -> None:
    with pytest.raises(InputRejected) as info:
        parse_segments(lines, "sample.cna.tsv")
    rejection = info.value.rejection
    assert rejection.reason_code == "bad_cna"
    assert (rejection.file, rejection.line, rejection.field) == ("sample.cna.tsv", line, field)
    assert message in rejection.message


def test_comments_blank_lines_and_chr_prefix_are_accepted() -> None:
    parsed = parse_segments(["# made by a caller", HEADER0, "", "S\tchr7\t10\t20\t3\t-0.2"], "x.tsv")
    assert parsed.segments == (Segment("7", 10, 20, log2_ratio=-0.2),)


def test_overlapping_segments_are_rejected_naming_both() -> None:
    # a base in two segments has two copy numbers: rejected, both segments named
    rows = [HEADER0, "S\t7\t1000\t5000\t3\t0.1", "S\t12\t1\t100\t3\t0.0", "S\t7\t4000\t8000\t3\t1.5"]
    with pytest.raises(InputRejected) as info:
        parse_segments(rows, "s.cna.tsv")
    rejection = info.value.rejection
    assert (rejection.reason_code, rejection.line, rejection.field) == ("bad_cna", 4, "Start")
    assert "line 2 (7:1000-5000) and line 4 (7:4000-8000)" in rejection.message


def test_a_segment_inside_a_long_one_is_an_overlap_too() -> None:
    rows = [HEADER0, "S\t1\t1\t10000\t3\t0.1", "S\t1\t20\t30\t3\t0.0", "S\t1\t500\t600\t3\t0.0"]
    with pytest.raises(InputRejected, match=r"line 2 \(1:1-10000\) and line 3 \(1:20-30\)"):
        parse_segments(rows, "s.cna.tsv")


def test_segments_sharing_only_their_boundary_base_are_accepted() -> None:
    rows = [HEADER0, "S\t1\t1\t100\t3\t0.1", "S\t1\t100\t200\t3\t0.0", "S\t1\t201\t300\t3\t0.0"]
    assert len(parse_segments(rows, "s.cna.tsv").segments) == 3
