"""The S3 store against a real moto_server over HTTP (boto3 talks to it as it would to AWS)."""

from __future__ import annotations

import hashlib
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import boto3
import moto_fixture
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from oncodrop.errors import ConfigError, InputRejected, TransientError
from oncodrop.settings import Settings
from oncodrop.store import open_store
from oncodrop.store.s3 import Encryption, MiB, S3Store, aws_errors, open_s3, s3_client

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)

BRCA = "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"
COAD = "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz"


@pytest.fixture
def bucket(moto_endpoint: str) -> str:
    name = f"onco-{uuid.uuid4().hex[:12]}"
    s3_client(moto_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def store(bucket: str, moto_endpoint: str) -> S3Store:
    return open_s3(f"s3://{bucket}", endpoint_url=moto_endpoint)


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_put_object_is_listed_headed_and_fetched_with_its_s3_etag(
    store: S3Store, testdata: Path, tmp_path: Path
) -> None:
    src = testdata / BRCA
    put = store.put_file(src, "run1/brca-0a1b2c-somatic.tar.gz")
    assert put.etag == md5(src) and put.size == 5682  # single-part ETag is the MD5, quotes stripped
    assert store.head("run1/brca-0a1b2c-somatic.tar.gz") == put
    assert list(store.list("run1/")) == [put]
    got = store.get_file(put.key, tmp_path / "in.tar.gz")
    assert (tmp_path / "in.tar.gz").read_bytes() == src.read_bytes()
    assert got.etag == put.etag and got.size == put.size
    assert [p.name for p in tmp_path.iterdir()] == ["in.tar.gz"]  # no temp file left behind


def test_a_prefix_store_sees_keys_relative_to_its_prefix(
    bucket: str, moto_endpoint: str, testdata: Path
) -> None:
    inbox = open_s3(f"s3://{bucket}/inbox/", endpoint_url=moto_endpoint)
    assert inbox.url == f"s3://{bucket}/inbox"
    inbox.put_file(testdata / BRCA, "brca-0a1b2c-somatic.tar.gz")
    whole = open_s3(f"s3://{bucket}", endpoint_url=moto_endpoint)
    assert [o.key for o in whole.list()] == ["inbox/brca-0a1b2c-somatic.tar.gz"]
    assert [o.key for o in inbox.list()] == ["brca-0a1b2c-somatic.tar.gz"]


def test_listing_follows_every_page(bucket: str, moto_endpoint: str, testdata: Path) -> None:
    store = S3Store(bucket, client=s3_client(moto_endpoint), page_size=2)
    keys = [f"b{i}-00000{i}-somatic.tar.gz" for i in range(5)]
    for key in reversed(keys):
        store.put_file(testdata / BRCA, key)
    assert [o.key for o in store.list()] == keys  # 3 pages of 2, in key order


def test_a_large_output_is_uploaded_in_parts_and_reads_back_identically(
    bucket: str, moto_endpoint: str, testdata: Path, tmp_path: Path
) -> None:
    store = S3Store(
        bucket, client=s3_client(moto_endpoint), multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB
    )
    big = tmp_path / "big-output.tar.gz"
    chunk = (testdata / COAD).read_bytes()
    big.write_bytes(chunk * (6 * MiB // len(chunk) + 1))  # ~6 MiB of real VCF bytes: 2 parts
    put = store.put_file(big, "x-abcdef-somatic-output.tar.gz")
    assert put.etag.endswith("-2") and put.size == big.stat().st_size
    store.get_file(put.key, tmp_path / "back")
    assert md5(tmp_path / "back") == md5(big)


def test_server_side_encryption_is_passed_through_on_upload(
    bucket: str, moto_endpoint: str, testdata: Path
) -> None:
    client = s3_client(moto_endpoint)
    store = S3Store(bucket, client=client, encryption=Encryption("AES256"))
    store.put_file(testdata / BRCA, "enc-0a1b2c-somatic.tar.gz")
    assert client.head_object(Bucket=bucket, Key="enc-0a1b2c-somatic.tar.gz")["ServerSideEncryption"] == "AES256"


def test_encryption_settings_come_from_the_aws_settings_and_are_validated(
    bucket: str, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCODROP_S3_SSE", "aws:kms")  # the legacy flat names still work
    monkeypatch.setenv("ONCODROP_AWS__S3_SSE_KMS_KEY_ID", "alias/oncodrop")
    store = open_s3(f"s3://{bucket}", Settings.load().aws, endpoint_url=moto_endpoint)
    assert store.encryption.extra_args() == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/oncodrop"}
    monkeypatch.setenv("ONCODROP_S3_SSE", "rot13")
    with pytest.raises(ConfigError, match="aws.s3_sse"):
        Settings.load()
    with pytest.raises(ConfigError, match="aws.s3_sse='rot13'"):
        Encryption("rot13")


def test_open_store_reads_the_endpoint_from_the_settings(
    bucket: str, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, testdata: Path
) -> None:
    monkeypatch.setenv("ONCODROP_S3_ENDPOINT_URL", moto_endpoint)
    store = open_store(f"s3://{bucket}/drop", Settings.load().aws)
    store.put_file(testdata / BRCA, "brca-0a1b2c-somatic.tar.gz")
    assert [o.key for o in store.list()] == ["brca-0a1b2c-somatic.tar.gz"]


def test_a_presigned_link_downloads_the_object_and_carries_its_expiry(
    store: S3Store, testdata: Path
) -> None:
    store.put_file(testdata / BRCA, "brca-0a1b2c-somatic-output.tar.gz")
    url = store.link("brca-0a1b2c-somatic-output.tar.gz", expires_s=600)
    assert "X-Amz-Expires=600" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == (testdata / BRCA).read_bytes()


def test_a_missing_object_is_none_on_head_and_rejected_on_get(store: S3Store, tmp_path: Path) -> None:
    assert store.head("gone-0a1b2c-somatic.tar.gz") is None
    with pytest.raises(InputRejected) as info:
        store.get_file("gone-0a1b2c-somatic.tar.gz", tmp_path / "x")
    assert info.value.reason_code == "missing_object"
    assert info.value.rejection.file == "gone-0a1b2c-somatic.tar.gz"
    assert list(tmp_path.iterdir()) == []


def test_a_missing_bucket_is_a_config_error_naming_it(moto_endpoint: str) -> None:
    store = open_s3("s3://no-such-bucket-oncodrop", endpoint_url=moto_endpoint)
    with pytest.raises(ConfigError, match="no-such-bucket-oncodrop.*NoSuchBucket"):
        list(store.list())


def test_an_unreachable_endpoint_is_transient(moto_endpoint: str) -> None:
    client = boto3.client(
        "s3", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
    )  # fmt: skip
    with pytest.raises(TransientError, match="cannot reach the endpoint"):
        S3Store("bucket", client=client).head("x")


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("SlowDown", 503, TransientError),
        ("InternalError", 500, TransientError),
        ("AccessDenied", 403, ConfigError),
        ("NoSuchKey", 404, InputRejected),
        ("SomethingNew", 502, TransientError),
        ("SomethingNew", 400, ConfigError),
    ],
)
def test_aws_error_codes_map_to_what_the_caller_can_do(
    code: str, status: int, expected: type[Exception]
) -> None:
    response: Any = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    with (
        pytest.raises(expected, match=f"download s3://b/k failed: {code}"),
        aws_errors("download s3://b/k", key="k"),
    ):
        raise ClientError(response, "GetObject")


def test_a_store_url_without_bucket_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="s3://bucket"):
        open_s3("s3:///prefix-only")
