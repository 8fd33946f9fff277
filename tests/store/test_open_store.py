"""``open_store`` picks the backend from the URL scheme."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import ConfigError
from oncodrop.store import open_store
from oncodrop.store.local import LocalStore


def test_file_url_opens_a_local_store(tmp_path: Path) -> None:
    opened = open_store(tmp_path.as_uri())
    assert isinstance(opened, LocalStore) and opened.root == tmp_path.resolve()
    assert opened.url == tmp_path.resolve().as_uri()


def test_file_url_with_a_host_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file:///absolute/folder"):
        open_store(f"file://fileserver{tmp_path}")


def test_missing_store_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        open_store((tmp_path / "nope").as_uri())


def test_s3_url_is_routed_to_the_s3_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("boto3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    opened = open_store("s3://oncodrop-inbox/incoming")
    assert type(opened).__name__ == "S3Store"
    assert opened.url == "s3://oncodrop-inbox/incoming"


def test_unknown_scheme_names_the_supported_ones() -> None:
    with pytest.raises(ConfigError, match=r"unsupported scheme 'ftp'.*file://, s3://"):
        open_store("ftp://host/bucket")
