from __future__ import annotations

import gzip
import hashlib
import io
import stat
import tarfile
from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.intake import pack_sample, unpack, validate_tarball
from oncodrop.settings import IntakeLimits

from .conftest import Member, TarBuilder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rejected(tarball: Path, workdir: Path, limits: IntakeLimits | None = None) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        unpack(tarball, workdir, limits or IntakeLimits())
    assert not (workdir / "input").exists(), "a failed unpack must leave nothing behind"
    return caught.value


def test_real_sample_unpacks_byte_identical_into_a_private_dir(
    tmp_path: Path, brca: dict[str, Path]
) -> None:
    tarball = pack_sample(tmp_path / "b1-0a1b2c-somatic.tar.gz", **brca)
    manifest = unpack(tarball, tmp_path / "work")
    assert manifest.root == tmp_path / "work" / "input"
    assert stat.S_IMODE(manifest.root.stat().st_mode) == 0o700
    assert manifest.vcf.name == "tumor_sample.BRCA.vcf.gz"
    assert manifest.index is not None and manifest.index.name == "tumor_sample.BRCA.vcf.gz.tbi"
    assert manifest.cna is not None and manifest.cna.name == "tumor_sample.BRCA.cna.tsv"
    for role in ("vcf", "index", "config", "cna"):
        assert _sha(getattr(manifest, role)) == _sha(brca[role])
    assert stat.S_IMODE(manifest.vcf.stat().st_mode) == 0o600


def test_members_inside_one_top_level_folder_are_flattened(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member]
) -> None:
    members = [Member("b1-0a1b2c", type=tarfile.DIRTYPE)]
    members += [Member(f"b1-0a1b2c/{m.name}", m.data) for m in sample_files]
    manifest = unpack(build_tar("t.tar.gz", members), tmp_path / "w")
    assert manifest.vcf == tmp_path / "w" / "input" / "tumor_sample.BRCA.vcf.gz"
    assert manifest.config.read_bytes() == sample_files[1].data


def test_archive_of_a_folders_contents_with_dot_slash_names_unpacks(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member]
) -> None:
    members = [Member("./", type=tarfile.DIRTYPE)]  # as written by `tar -C dir -czf t.tar.gz .`
    members += [Member(f"./{m.name}", m.data) for m in sample_files]
    manifest = unpack(build_tar("t.tar.gz", members), tmp_path / "w")
    assert manifest.config.name == "pcgr_configuration_examples.toml"


def test_macos_metadata_is_skipped_and_listed(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member]
) -> None:
    junk = [Member("._tumor_sample.BRCA.vcf.gz", b"\x00\x05"), Member(".DS_Store", b"x"),
            Member("__MACOSX/._x", b"y")]  # fmt: skip
    manifest = unpack(build_tar("t.tar.gz", sample_files + junk), tmp_path / "w")
    assert manifest.ignored == (".DS_Store", "._tumor_sample.BRCA.vcf.gz", "__MACOSX/._x")
    assert sorted(p.name for p in manifest.root.iterdir()) == [
        "pcgr_configuration_examples.toml", "tumor_sample.BRCA.vcf.gz",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("member", "fragment"),
    [
        (Member("/etc/evil.toml", b"x"), "absolute path"),
        (Member("../evil.toml", b"x"), "'..'"),
        (Member("dir/../../evil.toml", b"x"), "'..'"),
        (Member("link.toml", type=tarfile.SYMTYPE, linkname="/etc/passwd"), "is a link"),
        (
            Member("hard.toml", type=tarfile.LNKTYPE, linkname="tumor_sample.BRCA.vcf.gz"),
            "is a link",
        ),
        (Member("fifo", type=tarfile.FIFOTYPE), "device, fifo"),
        (Member("dev", type=tarfile.CHRTYPE), "device, fifo"),
        (Member("tumor_sample.BRCA.vcf.gz", b"again"), "appears twice"),
    ],
)
def test_hostile_members_are_refused(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member], member: Member, fragment: str
) -> None:
    error = _rejected(build_tar("t.tar.gz", [*sample_files, member]), tmp_path / "w")
    assert error.reason_code == "unsafe_tarball"
    assert fragment in error.message
    assert error.rejection.file == "t.tar.gz"


def test_too_many_members_are_refused(build_tar: TarBuilder, tmp_path: Path) -> None:
    members = [Member(f"f{i}.txt", b"x") for i in range(5)]
    error = _rejected(build_tar("t.tar.gz", members), tmp_path / "w", IntakeLimits(max_members=4))
    assert error.reason_code == "unsafe_tarball"
    assert "more than 4 members" in error.message


def test_compression_bomb_stops_at_the_ratio_limit(build_tar: TarBuilder, tmp_path: Path) -> None:
    bomb = build_tar("t.tar.gz", [Member("x.vcf", b"\0" * (8 * 1024**2))])
    limits = IntakeLimits(max_ratio=100, ratio_floor_bytes=1024**2)
    error = _rejected(bomb, tmp_path / "w", limits)
    assert error.reason_code == "unsafe_tarball"
    # refused from the member's header, before a byte of it is unpacked
    assert "declares 8388608 bytes, more than 100x the compressed tarball" in error.message
    assert "'x.vcf'" in error.message


def test_unpacked_size_limit_is_checked_against_the_header(
    build_tar: TarBuilder, tmp_path: Path
) -> None:
    tarball = build_tar("t.tar.gz", [Member("x.vcf", b"A" * 5000)])
    error = _rejected(tarball, tmp_path / "w", IntakeLimits(max_unpacked_bytes=4096))
    assert "4096-byte unpacked limit" in error.message


def test_compressed_size_limit_is_checked_before_reading(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member]
) -> None:
    tarball = build_tar("t.tar.gz", sample_files)
    error = _rejected(tarball, tmp_path / "w", IntakeLimits(max_compressed_bytes=1000))
    assert error.reason_code == "unsafe_tarball"
    assert "over the 1000-byte limit" in error.message


def test_truncated_upload_is_corrupt_and_names_the_member(
    tmp_path: Path, brca: dict[str, Path]
) -> None:
    whole = pack_sample(tmp_path / "b-000000-somatic.tar.gz", **brca).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    error = _rejected(cut, tmp_path / "w")
    assert error.reason_code == "corrupt_tarball"
    assert "tumor_sample.BRCA" in error.message
    assert "truncated" in error.message


def test_upload_cut_inside_the_gzip_trailer_is_corrupt(
    tmp_path: Path, brca: dict[str, Path]
) -> None:
    whole = pack_sample(tmp_path / "b-000000-somatic.tar.gz", **brca).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[:-5])  # every member is intact; only the gzip checksum is missing
    error = _rejected(cut, tmp_path / "w")
    assert error.reason_code == "corrupt_tarball"
    assert "after member 'tumor_sample.BRCA.vcf.gz.tbi'" in error.message


def test_header_claiming_more_data_than_present_is_corrupt(tmp_path: Path) -> None:
    info = tarfile.TarInfo("x.vcf")
    info.size = 10_000  # the header lies: only 100 bytes follow
    raw = info.tobuf(format=tarfile.PAX_FORMAT) + b"A" * 100
    liar = tmp_path / "liar.tar.gz"
    liar.write_bytes(gzip.compress(raw))
    error = _rejected(liar, tmp_path / "w")
    assert error.reason_code == "corrupt_tarball"
    assert "'x.vcf'" in error.message


@pytest.mark.parametrize(
    "payload", [b"", b"plain text, not gzip", gzip.compress(b"not a tar" * 100)]
)
def test_non_tar_gz_content_is_corrupt(tmp_path: Path, payload: bytes) -> None:
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(payload)
    assert _rejected(bad, tmp_path / "w").reason_code == "corrupt_tarball"


def test_files_spread_over_two_folders_are_a_bad_manifest(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member]
) -> None:
    members = [Member("a/" + sample_files[0].name, sample_files[0].data),
               Member("b/" + sample_files[1].name, sample_files[1].data)]  # fmt: skip
    error = _rejected(build_tar("t.tar.gz", members), tmp_path / "w")
    assert error.reason_code == "bad_manifest"
    assert "found: a, b" in error.message


def test_nested_folders_are_a_bad_manifest(build_tar: TarBuilder, tmp_path: Path) -> None:
    error = _rejected(build_tar("t.tar.gz", [Member("a/b/x.vcf", b"x")]), tmp_path / "w")
    assert error.reason_code == "bad_manifest"
    assert "'a/b/x.vcf' is nested too deep" in error.message


def test_validate_tarball_leaves_nothing_on_disk_and_checks_the_config(
    build_tar: TarBuilder, tmp_path: Path, sample_files: list[Member]
) -> None:
    good = build_tar("good.tar.gz", sample_files)
    manifest = validate_tarball(good)
    assert not manifest.on_disk
    assert manifest.root == good
    assert manifest.vcf.name == "tumor_sample.BRCA.vcf.gz"
    bad = build_tar(
        "bad.tar.gz", [sample_files[0], Member("c.toml", b"[sample]\ntumour_site = 'Breast'\n")]
    )
    with pytest.raises(InputRejected) as caught:
        validate_tarball(bad)
    assert caught.value.reason_code == "bad_config"
    assert "did you mean 'tumor_site'" in caught.value.message


def test_pack_sample_is_reproducible(tmp_path: Path, brca: dict[str, Path]) -> None:
    first = pack_sample(tmp_path / "a-000000-somatic.tar.gz", **brca).read_bytes()
    second = pack_sample(tmp_path / "b-000000-somatic.tar.gz", **brca).read_bytes()
    assert first == second
    with tarfile.open(fileobj=io.BytesIO(first)) as tar:
        assert [m.name for m in tar] == sorted(p.name for p in brca.values())
