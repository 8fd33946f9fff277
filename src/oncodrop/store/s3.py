"""Any S3-compatible bucket as an object store (AWS, MinIO, Ceph, moto): ``s3://bucket[/prefix]``.

- Keys given to and returned by the store are relative to the prefix, as for a local folder.
- ``put_file`` goes through boto3's transfer manager, so large outputs are uploaded in parts;
  S3 makes an object visible only once its PUT (or multipart completion) succeeded, so no
  partial object is ever seen. Server-side encryption (``AES256``, ``aws:kms`` + key id) is
  passed through on every upload.
- ``get_file`` streams one GET into a temp file beside ``dest`` and renames it, and reports
  the ETag of the bytes it actually read (no HEAD-then-GET race).
- ``link`` is a presigned GET URL (SigV4) that expires after ``expires_s``.
- botocore errors become ``oncodrop.errors`` in one place, ``aws_errors`` (the SQS consumer
  uses it too): nothing above this module sees a botocore exception.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from oncodrop.errors import ConfigError, InputRejected, OncodropError, ReasonCode, TransientError
from oncodrop.settings import AwsSettings
from oncodrop.store.base import ObjectInfo

SSE_MODES = ("AES256", "aws:kms", "aws:kms:dsse")
MiB = 1024**2
_CHUNK = MiB

# AWS error code -> what the caller can do about it. Codes not listed fall back on the HTTP
# status: 5xx and 429 are transient, any other 4xx is the operator's configuration.
ERROR_CODES: dict[str, type[OncodropError]] = {
    "NoSuchKey": InputRejected,
    "NotFound": InputRejected,
    "404": InputRejected,
    "NoSuchBucket": ConfigError,
    "AccessDenied": ConfigError,
    "InvalidAccessKeyId": ConfigError,
    "SignatureDoesNotMatch": ConfigError,
    "ExpiredToken": TransientError,  # instance-role credentials are refreshed on the next call
    "AWS.SimpleQueueService.NonExistentQueue": ConfigError,
    "QueueDoesNotExist": ConfigError,
    "SlowDown": TransientError,
    "Throttling": TransientError,
    "ThrottlingException": TransientError,
    "RequestThrottled": TransientError,
    "RequestTimeout": TransientError,
    "InternalError": TransientError,
    "ServiceUnavailable": TransientError,
}


@contextmanager
def aws_errors(action: str, *, key: str | None = None) -> Iterator[None]:
    """Translate botocore exceptions raised inside the block into ``oncodrop.errors``.

    ``action`` says what we were doing ("download s3://b/k"), for a message an operator can use.
    """
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        kind = ERROR_CODES.get(code) or (
            TransientError if status >= 500 or status == 429 or status == 0 else ConfigError
        )
        detail = f"{action} failed: {code or status} {error.get('Message', '')}".strip()
        if kind is InputRejected:
            raise InputRejected(
                ReasonCode.MISSING_OBJECT, f"{detail}; the object is gone, upload it again", file=key
            ) from exc
        if kind is ConfigError:
            raise ConfigError(f"{detail}; check the bucket/queue name, region and credentials") from exc
        raise kind(f"{detail}; will retry") from exc
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise ConfigError(f"{action} failed: no AWS credentials ({exc}); set them in the environment") from exc
    except (BotoConnectionError, ReadTimeoutError) as exc:
        raise TransientError(f"{action} failed: cannot reach the endpoint ({exc}); will retry") from exc
    except BotoCoreError as exc:
        raise TransientError(f"{action} failed: {exc}; will retry") from exc


@dataclass(frozen=True, slots=True)
class Encryption:
    """Server-side encryption asked of S3 on every upload (None: the bucket's default)."""

    mode: str | None = None  # AES256 | aws:kms | aws:kms:dsse
    kms_key_id: str | None = None

    def __post_init__(self) -> None:
        if self.mode is not None and self.mode not in SSE_MODES:
            raise ConfigError(f"aws.s3_sse={self.mode!r} is not one of {', '.join(SSE_MODES)}")
        if self.kms_key_id and not (self.mode or "").startswith("aws:kms"):
            raise ConfigError("aws.s3_sse_kms_key_id is set but aws.s3_sse is not aws:kms; set both or neither")

    def extra_args(self) -> dict[str, str]:
        args = {"ServerSideEncryption": self.mode} if self.mode else {}
        if self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args


# upload argument -> the form field a browser POST sends for it
_POST_FIELD = {"ServerSideEncryption": "x-amz-server-side-encryption",
               "SSEKMSKeyId": "x-amz-server-side-encryption-aws-kms-key-id"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PresignedPost:
    """Where a browser posts a file (``url``) and the form fields to send before the file."""

    url: str
    fields: dict[str, str]


class S3Store:
    """``ObjectStore`` over one bucket (and optional prefix); see the module docstring."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any,
        encryption: Encryption = Encryption(),
        multipart_threshold: int = 64 * MiB,
        multipart_chunksize: int = 16 * MiB,
        page_size: int = 1000,
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.encryption = encryption
        self.page_size = page_size
        self._client = client
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=multipart_chunksize
        )

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under ``prefix``, in key order, ``page_size`` keys per request."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix, PaginationConfig={"PageSize": self.page_size}
        )
        with aws_errors(f"list {self.url}"):
            for page in pages:
                for item in page.get("Contents", []):
                    if item["Key"].endswith("/"):
                        continue  # "folder" placeholder objects of consoles
                    yield ObjectInfo(
                        key=item["Key"][len(self.prefix) :],
                        size=int(item["Size"]),
                        etag=_etag(item["ETag"]),
                        modified=item["LastModified"],
                    )

    def head(self, key: str) -> ObjectInfo | None:
        try:
            with aws_errors(f"head {self._where(key)}", key=key):
                response = self._client.head_object(Bucket=self.bucket, Key=self._full(key))
        except InputRejected:
            return None
        return _info(key, response)

    def get_file(self, key: str, dest: Path) -> ObjectInfo:
        """Download into ``dest`` (complete or not at all); the ETag is that of the bytes read."""
        dest = Path(dest)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out, aws_errors(f"download {self._where(key)}", key=key):
                response = self._client.get_object(Bucket=self.bucket, Key=self._full(key))
                for chunk in response["Body"].iter_chunks(_CHUNK):
                    out.write(chunk)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return _info(key, response)

    def put_file(self, src: Path, key: str) -> ObjectInfo:
        """Upload ``src`` (multipart above the threshold) with the configured encryption."""
        with aws_errors(f"upload {self._where(key)}", key=key):
            self._client.upload_file(
                str(src), self.bucket, self._full(key),
                ExtraArgs=self.encryption.extra_args() or None, Config=self._transfer,
            )  # fmt: skip
        info = self.head(key)
        if info is None:  # pragma: no cover - deleted by someone else right after the upload
            raise TransientError(f"{self._where(key)} vanished right after the upload")
        return info

    def link(self, key: str, expires_s: int = 12 * 3600) -> str:
        """A presigned GET URL valid for ``expires_s`` seconds, and never longer than the
        credentials that sign it: a link signed with a role's temporary credentials dies with
        them, so its stated lifetime is cut to theirs (``signing_lifetime_s``)."""
        lifetime = signing_lifetime_s(self._client)
        if lifetime is not None:
            expires_s = max(1, min(expires_s, lifetime))
        with aws_errors(f"presign {self._where(key)}", key=key):
            return str(
                self._client.generate_presigned_url(
                    "get_object", Params={"Bucket": self.bucket, "Key": self._full(key)}, ExpiresIn=expires_s
                )
            )

    def presigned_post(self, key: str, max_bytes: int, expires_s: int = 900) -> PresignedPost:
        """A browser form that may put exactly ``key`` (1 to ``max_bytes`` bytes, with the
        configured encryption) into the bucket within ``expires_s`` seconds, and nothing else:
        S3 checks the signed policy, so the key and size cannot be changed by the browser."""
        fields = {_POST_FIELD[name]: value for name, value in self.encryption.extra_args().items()}
        conditions: list[Any] = [["content-length-range", 1, max_bytes]]
        conditions += [{name: value} for name, value in fields.items()]
        with aws_errors(f"presign an upload to {self._where(key)}", key=key):
            post = self._client.generate_presigned_post(self.bucket, self._full(key), Fields=fields or None,
                                                        Conditions=conditions, ExpiresIn=expires_s)  # fmt: skip
        return PresignedPost(url=str(post["url"]), fields={str(k): str(v) for k, v in post["fields"].items()})

    def _full(self, key: str) -> str:
        return self.prefix + key

    def _where(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._full(key)}"


def signing_lifetime_s(client: Any) -> int | None:
    """Seconds the client's credentials stay valid (temporary: role, task, instance profile),
    or None for long-lived keys. botocore keeps them on the request signer; reading them
    refreshes them first when they are about to expire."""
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    if credentials is None or not hasattr(credentials, "get_frozen_credentials"):
        return None
    credentials.get_frozen_credentials()  # refresh now if due
    expiry = getattr(credentials, "_expiry_time", None)
    if not isinstance(expiry, datetime):
        return None
    return int((expiry - datetime.now(expiry.tzinfo)).total_seconds())


def s3_client(endpoint_url: str | None = None, *, region: str | None = None) -> Any:
    """A boto3 S3 client with standard retries, SigV4 (presigned links), and path-style
    addressing for non-AWS endpoints (MinIO, Ceph, moto do not resolve bucket subdomains)."""
    return aws_client(
        "s3", endpoint_url, region=region, signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )  # fmt: skip


def aws_client(service: str, endpoint_url: str | None = None, *, region: str | None = None, **config: Any) -> Any:
    """A boto3 client for ``service`` with standard retries (3 attempts unless the operator sets
    ``AWS_MAX_ATTEMPTS``); the region from the environment, else us-east-1."""
    session = boto3.session.Session()
    return session.client(  # type: ignore[call-overload]  # any service by name; the stubs want literals
        service,
        endpoint_url=endpoint_url,
        region_name=region or session.region_name or "us-east-1",
        config=Config(retries={"mode": "standard"}, **config),
    )


def open_s3(
    url: str,
    aws: AwsSettings | None = None,
    *,
    endpoint_url: str | None = None,
    encryption: Encryption | None = None,
    client: Any = None,
) -> S3Store:
    """``s3://bucket[/prefix]`` -> ``S3Store``. Unset arguments come from the ``[aws]`` settings:
    ``s3_endpoint_url``, ``s3_sse``, ``s3_sse_kms_key_id``."""
    aws = aws or AwsSettings()
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"store URL {url!r} must look like s3://bucket or s3://bucket/prefix")
    if encryption is None:
        encryption = Encryption(aws.s3_sse, aws.s3_sse_kms_key_id)
    if client is None:
        client = s3_client(endpoint_url or aws.s3_endpoint_url)
    return S3Store(parts.netloc, parts.path, client=client, encryption=encryption)


def _etag(raw: str) -> str:
    return raw.strip('"')


def _info(key: str, response: dict[str, Any]) -> ObjectInfo:
    modified: datetime = response["LastModified"]
    return ObjectInfo(key=key, size=int(response["ContentLength"]), etag=_etag(response["ETag"]), modified=modified)
