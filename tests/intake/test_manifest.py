from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.intake.manifest import build_manifest, is_junk, role_of

ROOT = Path("/w/input")


def _reject(names: list[str]) -> str:
    with pytest.raises(InputRejected) as caught:
        build_manifest(ROOT, names, source="s-000000-somatic.tar.gz")
    assert caught.value.reason_code == "bad_manifest"
    assert caught.value.rejection.file == "s-000000-somatic.tar.gz"
    return caught.value.message


def test_full_sample_is_sorted_into_roles() -> None:
    manifest = build_manifest(ROOT, ["a.toml", "x.vcf.gz.tbi", "seg.tsv", "x.vcf.gz"], source="t")
    assert (manifest.vcf, manifest.index, manifest.config, manifest.cna) == (
        ROOT / "x.vcf.gz", ROOT / "x.vcf.gz.tbi", ROOT / "a.toml", ROOT / "seg.tsv",
    )  # fmt: skip


def test_uncompressed_vcf_without_index_or_cna_is_enough() -> None:
    manifest = build_manifest(ROOT, ["calls.vcf", "c.toml"], source="t")
    assert manifest.vcf.name == "calls.vcf"
    assert manifest.cna is None and manifest.index is None


def test_csi_index_is_accepted() -> None:
    assert (
        build_manifest(ROOT, ["x.vcf.gz", "x.vcf.gz.csi", "c.toml"], source="t").index
        == ROOT / "x.vcf.gz.csi"
    )


def test_missing_config_lists_what_was_found_and_expected() -> None:
    message = _reject(["x.vcf.gz"])
    assert "0 .toml config files instead of one" in message
    assert "Found: x.vcf.gz" in message
    assert "exactly one VCF (.vcf.gz or .vcf)" in message


def test_two_vcfs_are_rejected() -> None:
    assert "2 VCF files instead of one" in _reject(["a.vcf.gz", "b.vcf", "c.toml"])


def test_unexpected_file_is_named() -> None:
    message = _reject(["x.vcf.gz", "c.toml", "notes.docx"])
    assert "unexpected file 'notes.docx'" in message


def test_index_of_another_vcf_is_rejected() -> None:
    assert "index 'y.vcf.gz.tbi' does not belong to VCF 'x.vcf.gz'" in _reject(
        ["x.vcf.gz", "y.vcf.gz.tbi", "c.toml"]
    )


def test_two_cna_files_are_rejected() -> None:
    assert "2 CNA .tsv files" in _reject(["x.vcf.gz", "c.toml", "a.tsv", "b.tsv"])


def test_empty_tarball_says_nothing_was_found() -> None:
    assert "Found: nothing" in _reject([])


@pytest.mark.parametrize(
    ("name", "junk"),
    [("._x.vcf.gz", True), ("dir/.DS_Store", True), ("__MACOSX/dir/._a", True), ("x.vcf.gz", False),
     ("dir/x.toml", False)],
)  # fmt: skip
def test_macos_metadata_is_recognised(name: str, junk: bool) -> None:
    assert is_junk(name) is junk


def test_roles_are_decided_by_the_longest_ending() -> None:
    names = ("A.VCF.GZ", "a.vcf.gz.tbi", "a.vcf", "c.toml", "s.tsv", "r.md")
    assert [role_of(n) for n in names] == ["vcf", "index", "vcf", "config", "cna", None]
