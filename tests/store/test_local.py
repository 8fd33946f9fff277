"""LocalStore on a real folder, with a real VCF from the shared test data as content."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.store.local import LocalStore

VCF = "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    root = tmp_path / "bucket"
    root.mkdir()
    return LocalStore(root)


@pytest.fixture
def vcf(testdata: Path) -> Path:
    return testdata / VCF


def test_put_then_list_head_and_get_round_trip_a_real_vcf(
    store: LocalStore, vcf: Path, tmp_path: Path
) -> None:
    sha = hashlib.sha256(vcf.read_bytes()).hexdigest()
    put = store.put_file(vcf, "batch1/brca-000001-somatic.tar.gz")
    assert (put.key, put.size, put.etag) == (
        "batch1/brca-000001-somatic.tar.gz",
        vcf.stat().st_size,
        sha,
    )
    assert list(store.list()) == [put]
    assert store.head(put.key) == put
    got = store.get_file(put.key, tmp_path / "copy.vcf.gz")
    assert got.etag == sha and (tmp_path / "copy.vcf.gz").read_bytes() == vcf.read_bytes()


def test_get_file_copies_and_leaves_the_input_untouched(
    store: LocalStore, vcf: Path, tmp_path: Path
) -> None:
    store.put_file(vcf, "in.tar.gz")
    before = os.stat(store.root / "in.tar.gz")
    store.get_file("in.tar.gz", tmp_path / "copy")
    after = os.stat(store.root / "in.tar.gz")
    assert (before.st_mtime_ns, before.st_size, before.st_ino) == (
        after.st_mtime_ns,
        after.st_size,
        after.st_ino,
    )


def test_list_skips_hidden_and_temp_files_and_filters_by_prefix(store: LocalStore) -> None:
    (store.root / "a").mkdir()
    (store.root / "a" / "x-000001-somatic.tar.gz").write_bytes(b"x")
    (store.root / "b.tar.gz").write_bytes(b"b")
    (store.root / ".b.tar.gz.abc.part").write_bytes(b"partial")
    (store.root / ".hidden").mkdir()
    (store.root / ".hidden" / "c.tar.gz").write_bytes(b"c")
    assert [o.key for o in store.list()] == ["a/x-000001-somatic.tar.gz", "b.tar.gz"]
    assert [o.key for o in store.list("a/")] == ["a/x-000001-somatic.tar.gz"]


def test_etag_is_content_hash_and_changes_with_content(store: LocalStore) -> None:
    path = store.root / "k.tar.gz"
    path.write_bytes(b"one")
    first = store.head("k.tar.gz")
    path.write_bytes(b"two!")
    second = store.head("k.tar.gz")
    assert first is not None and second is not None
    assert first.etag == hashlib.sha256(b"one").hexdigest()
    assert second.etag == hashlib.sha256(b"two!").hexdigest()


def test_overwrite_by_put_is_atomic_and_leaves_no_temp_files(
    store: LocalStore, vcf: Path, tmp_path: Path
) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"old")
    store.put_file(small, "out/x-output.tar.gz")
    store.put_file(vcf, "out/x-output.tar.gz")
    assert sorted(p.name for p in (store.root / "out").iterdir()) == ["x-output.tar.gz"]
    assert (store.root / "out" / "x-output.tar.gz").read_bytes() == vcf.read_bytes()


def test_missing_object_is_none_on_head_and_rejected_on_get(
    store: LocalStore, tmp_path: Path
) -> None:
    assert store.head("nope.tar.gz") is None
    with pytest.raises(InputRejected) as err:
        store.get_file("nope.tar.gz", tmp_path / "x")
    assert err.value.reason_code == "missing_object" and err.value.rejection.file == "nope.tar.gz"


@pytest.mark.parametrize(
    "key", ["../escape.tar.gz", "/etc/passwd", "a/../../b", "a//b", ".hidden", "", "a\\b"]
)
def test_keys_escaping_the_root_or_hidden_are_rejected(
    store: LocalStore, key: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"x")
    with pytest.raises(InputRejected, match="not a plain relative path") as err:
        store.put_file(src, key)
    assert err.value.reason_code == "bad_key"


def test_symlink_out_of_the_root_is_neither_listed_nor_readable(
    store: LocalStore, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("patient")
    (store.root / "link.tar.gz").symlink_to(secret)
    assert list(store.list()) == []
    with pytest.raises(InputRejected, match="outside the store"):
        store.get_file("link.tar.gz", tmp_path / "copy")


def test_link_is_a_file_url_of_the_object(store: LocalStore, vcf: Path) -> None:
    store.put_file(vcf, "o/x-output.tar.gz")
    assert store.link("o/x-output.tar.gz") == (store.root / "o" / "x-output.tar.gz").as_uri()


def test_unchanged_file_is_not_rehashed_between_listings(store: LocalStore) -> None:
    path = store.root / "k.tar.gz"
    path.write_bytes(b"aaaa")
    first = store.head("k.tar.gz")
    stamp = path.stat().st_mtime_ns
    path.write_bytes(b"bbbb")  # same size; put the old mtime back: looks unchanged
    os.utime(path, ns=(stamp, stamp))
    cached = store.head("k.tar.gz")
    assert first is not None and cached is not None and cached.etag == first.etag
    assert LocalStore(store.root).head("k.tar.gz").etag == hashlib.sha256(b"bbbb").hexdigest()  # type: ignore[union-attr]


def test_a_put_removes_the_temp_files_a_killed_writer_of_that_key_left(store: LocalStore, tmp_path: Path) -> None:
    # what a worker SIGKILLed mid-copy leaves (mkstemp's name), and hidden files that are not ours
    folder = store.root / "out"
    folder.mkdir()
    (folder / ".x-output.tar.gz.k3_9abzq.part").write_bytes(b"half")
    others = [".x-output.tar.gz.x.k3_9abzq.part", ".y-output.tar.gz.k3_9abzq.part", ".x-output.tar.gz.notes"]
    for name in others:
        (folder / name).write_bytes(b"keep")
    src = tmp_path / "whole"
    src.write_bytes(b"whole")
    store.put_file(src, "out/x-output.tar.gz")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*others, "x-output.tar.gz"])
