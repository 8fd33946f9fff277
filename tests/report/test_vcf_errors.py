"""Malformed VCFs become InputRejected("bad_vcf") naming the file and the line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pysam
import pytest

from oncodrop.errors import InputRejected
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig


def _lines(testdata: Path) -> list[str]:
    return (testdata / "callers-vcf2maf/test.vcf").read_text().splitlines()


def _with_first_record(lines: list[str], column: int, value: str) -> list[str]:
    out = list(lines)
    i = next(n for n, line in enumerate(out) if not line.startswith("#"))
    fields = out[i].split("\t")
    fields[column] = value
    out[i] = "\t".join(fields)
    return out


def _rejected(path: Path) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        read_variants(path, SampleConfig())
    assert caught.value.reason_code == "bad_vcf"
    assert caught.value.rejection.file == path.name
    return caught.value


def test_missing_file_is_rejected_by_name(tmp_path: Path) -> None:
    error = _rejected(tmp_path / "absent.vcf.gz")
    assert "absent.vcf.gz" in error.message


def test_non_numeric_pos_names_the_line(testdata: Path, tmp_path: Path) -> None:
    bad = tmp_path / "badpos.vcf"
    bad.write_text("\n".join(_with_first_record(_lines(testdata), 1, "12x")) + "\n")
    error = _rejected(bad)
    assert error.rejection.line == 6  # 5 header lines, first record on line 6
    assert "POS" in error.message


def test_ref_with_non_acgtn_is_rejected_at_its_line(testdata: Path, tmp_path: Path) -> None:
    bad = tmp_path / "badref.vcf"
    bad.write_text("\n".join(_with_first_record(_lines(testdata), 3, "QZ")) + "\n")
    error = _rejected(bad)
    assert error.rejection.line == 6
    assert error.rejection.field == "REF"


def test_missing_fileformat_header_is_rejected_at_line_one(testdata: Path, tmp_path: Path) -> None:
    bad = tmp_path / "badhdr.vcf"
    bad.write_text("hello\n" + "\n".join(_lines(testdata)[1:]) + "\n")
    assert _rejected(bad).rejection.line == 1


def test_truncated_bgzip_is_rejected(testdata: Path, tmp_path: Path) -> None:
    source = (
        testdata / "callers-snpeff/grch38.seqc2-hcc1395-50pc.bcbio-ensemble-somatic.snpeff.vcf.gz"
    ).read_bytes()
    bad = tmp_path / "truncated.vcf.gz"
    bad.write_bytes(source[: len(source) // 2])
    error = _rejected(bad)
    assert "truncated" in error.message


def test_htslib_messages_stay_out_of_stderr(
    testdata: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    read_variants(testdata / "callers-vcf2maf/test.vcf", SampleConfig())  # AD Number=G, no contigs
    assert capfd.readouterr().err == ""


def test_gzip_plain_and_bgzip_read_the_same(testdata: Path, tmp_path: Path) -> None:
    source = testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz"
    plain = tmp_path / "brca.vcf"
    plain.write_bytes(gzip.decompress(source.read_bytes()))
    a = read_variants(source, SampleConfig()).variants
    b = read_variants(plain, SampleConfig()).variants
    assert a == b


def test_a_record_with_four_columns_names_line_and_field(testdata: Path, tmp_path: Path) -> None:
    lines = _lines(testdata)
    i = next(n for n, line in enumerate(lines) if not line.startswith("#"))
    lines[i + 1] = "\t".join(lines[i + 1].split("\t")[:4])
    bad = tmp_path / "short.vcf"
    bad.write_text("\n".join(lines) + "\n")
    error = _rejected(bad)
    assert (error.rejection.line, error.rejection.field) == (7, "columns")
    assert "4 tab-separated columns" in error.message


def test_a_bgzipped_record_with_non_numeric_pos_names_field_pos(testdata: Path, tmp_path: Path) -> None:
    plain = tmp_path / "badpos.vcf"
    plain.write_text("\n".join(_with_first_record(_lines(testdata), 1, "abc")) + "\n")
    bad = tmp_path / "badpos.vcf.gz"
    pysam.tabix_compress(str(plain), str(bad))
    error = _rejected(bad)
    assert (error.rejection.line, error.rejection.field) == (6, "POS")
    assert "abc" not in error.message  # record content is never quoted


def test_plain_gzip_instead_of_bgzip_is_rejected_not_retried(testdata: Path, tmp_path: Path) -> None:
    bad = tmp_path / "plain.vcf.gz"
    with gzip.open(bad, "wt") as fh:
        fh.write("\n".join(_lines(testdata)) + "\n")
    assert "bgzip" in _rejected(bad).message


def test_a_bad_record_after_records_outside_the_regions_names_its_own_line(testdata: Path, tmp_path: Path) -> None:
    # a plain VCF has no index, so regions are applied while streaming: the records skipped
    # before the bad one still count towards its line number
    lines = _lines(testdata)
    first = next(n for n, line in enumerate(lines) if not line.startswith("#"))
    records = [line for line in lines[first:] if line]
    assert len(records) >= 3
    bad = records[2].split("\t")
    bad[1] = "12x"
    path = tmp_path / "badpos-regions.vcf"
    path.write_text("\n".join([*lines[:first], records[0], records[1], "\t".join(bad)]) + "\n")
    with pytest.raises(InputRejected) as caught:
        read_variants(path, SampleConfig(), regions=[("MT", 1, 2)])
    assert caught.value.rejection.line == first + 3
