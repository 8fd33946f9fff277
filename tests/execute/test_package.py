from __future__ import annotations

import os
import tarfile
from pathlib import Path

from oncodrop.execute.package import (
    FIXED_MTIME,
    member_names,
    read_member,
    root_name_for,
    write_reproducible_tarball,
)


def _report_dir(base: Path, vcf: Path) -> Path:
    """A folder shaped like a reporter's output, holding real bytes from a public VCF."""
    out = base / "out"
    (out / "logs").mkdir(parents=True)
    (out / "report.html").write_text("<html>BRCA</html>\n")
    (out / "T001.summary.json").write_text('{"tier1": 0}\n')
    (out / "T001.vcf.gz").write_bytes(vcf.read_bytes())
    (out / "logs" / "run.log").write_text("step fetch: 0.1 s\n")
    return out


def test_same_folder_packs_to_identical_bytes_whatever_the_file_times(tmp_path, testdata):
    out = _report_dir(tmp_path, testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz")
    first = write_reproducible_tarball(out, tmp_path / "a.tar.gz", "B-a1b2c3-somatic-output")
    for path in out.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    second = write_reproducible_tarball(out, tmp_path / "b.tar.gz", "B-a1b2c3-somatic-output")
    assert first.read_bytes() == second.read_bytes()


def test_members_are_sorted_under_one_root_with_fixed_owner_mode_and_time(tmp_path, testdata):
    out = _report_dir(tmp_path, testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz")
    tarball = write_reproducible_tarball(out, tmp_path / "o.tar.gz", "B-a1b2c3-somatic-output")
    assert member_names(tarball) == [
        "B-a1b2c3-somatic-output",
        "B-a1b2c3-somatic-output/T001.summary.json",
        "B-a1b2c3-somatic-output/T001.vcf.gz",
        "B-a1b2c3-somatic-output/logs",
        "B-a1b2c3-somatic-output/logs/run.log",
        "B-a1b2c3-somatic-output/report.html",
    ]
    with tarfile.open(tarball) as tar:
        for info in tar.getmembers():
            assert (info.mtime, info.uid, info.gid, info.uname, info.gname) == (FIXED_MTIME, 0, 0, "", "")
            assert info.mode == (0o755 if info.isdir() else 0o644)
    vcf = read_member(tarball, "B-a1b2c3-somatic-output/T001.vcf.gz")
    assert vcf == (testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz").read_bytes()


def test_symlinks_are_left_out_of_the_output(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("x")
    (out / "escape").symlink_to("/etc/passwd")
    tarball = write_reproducible_tarball(out, tmp_path / "o.tar.gz", "r")
    assert member_names(tarball) == ["r", "r/report.html"]


def test_read_member_returns_none_for_missing_member_folder_or_broken_tarball(tmp_path):
    out = tmp_path / "out"
    (out / "logs").mkdir(parents=True)
    tarball = write_reproducible_tarball(out, tmp_path / "o.tar.gz", "r")
    assert read_member(tarball, "r/provenance.json") is None
    assert read_member(tarball, "r/logs") is None
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(tarball.read_bytes()[:20])
    assert read_member(broken, "r/logs") is None


def test_root_folder_is_the_output_key_file_name_without_extension():
    assert root_name_for("proj/run1/B.x-a1b2c3-germline-output.tar.gz") == "B.x-a1b2c3-germline-output"


def test_output_time_is_source_date_epoch_else_the_inputs_modified_time():
    from datetime import UTC, datetime

    from oncodrop.execute.package import output_mtime

    uploaded = datetime(2026, 11, 30, 9, 15, 2, 700_000, tzinfo=UTC)
    assert output_mtime(uploaded, {}) == int(uploaded.timestamp())
    assert output_mtime(uploaded, {"SOURCE_DATE_EPOCH": "1700000000"}) == 1_700_000_000
    assert output_mtime(uploaded, {"SOURCE_DATE_EPOCH": "yesterday"}) == int(uploaded.timestamp())  # ignored
    assert output_mtime(None, {}) == FIXED_MTIME
