from __future__ import annotations

import hashlib
import io
from pathlib import Path

from oncodrop.digest import file_digest, file_sha256


def test_file_sha256_matches_hashlib_for_a_path_and_a_file_object(tmp_path: Path) -> None:
    data = b"x" * (3 << 20) + b"tail"
    path = tmp_path / "blob"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert file_sha256(path) == expected
    assert file_sha256(str(path)) == expected
    assert file_sha256(io.BytesIO(data)) == expected


def test_md5_is_available_for_s3_etags(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"etag")
    assert file_digest(path, "md5") == hashlib.md5(b"etag").hexdigest()
