"""Uploads through the console: the same checks as ``oncodrop submit`` (name, tarball safety,
manifest, sample config), on a private temp copy, before anything reaches the store. Bytes
beyond the intake size cap are refused while they arrive.

With an S3 store the browser may instead post straight to the bucket (``presign``): the console
checks the name and the declared size, then signs a POST policy for exactly that key and at
most the intake cap. The content is checked when the service admits the object (a bad tarball
becomes a REJECTED sample with its reason, as for any object dropped into the bucket).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from fastapi import HTTPException, UploadFile

from oncodrop.errors import ReasonCode, Rejection
from oncodrop.intake.check import check_tarball
from oncodrop.naming import Ignored, classify_key
from oncodrop.settings import Settings
from oncodrop.store import ObjectInfo, ObjectStore

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class UploadResult:
    key: str
    info: ObjectInfo | None
    rejection: Rejection | None


def key_for(filename: str, prefix: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return f"{prefix}{name}"


async def receive(upload: UploadFile, prefix: str, settings: Settings, store: ObjectStore) -> UploadResult:
    """Copy the upload to a private folder (size-capped), check it, put it in the store if good."""
    key = key_for(upload.filename or "", prefix)
    cap = settings.intake.max_compressed_bytes
    folder = Path(tempfile.mkdtemp(prefix="oncodrop-up-"))  # 0700
    try:
        local = folder / (key.rsplit("/", 1)[-1] or "upload")
        size = 0
        with local.open("wb") as fh:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise HTTPException(413, f"{key} is larger than the intake cap of {cap} bytes "
                                             "(intake.max_compressed_bytes)")  # fmt: skip
                fh.write(chunk)
        rejection = check_tarball(local, key, settings.intake)
        if rejection is not None:
            return UploadResult(key, None, rejection)
        return UploadResult(key, store.put_file(local, key), None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@runtime_checkable
class PostSigner(Protocol):
    """A store a browser can upload to directly (S3: ``S3Store.presigned_post``)."""

    def presigned_post(self, key: str, max_bytes: int, expires_s: int = ...) -> Any: ...


@dataclass(frozen=True, slots=True)
class Presigned:
    key: str
    url: str
    fields: dict[str, str]


def presign(filename: str, prefix: str, size: int, settings: Settings, store: ObjectStore) -> Presigned | Rejection:
    """A signed browser POST for ``prefix/filename`` if its name is good and ``size`` fits the
    cap; otherwise the rejection, worded as ``oncodrop submit`` words it."""
    if not isinstance(store, PostSigner):
        raise HTTPException(409, "the store is not S3: send the file itself to /api/v1/uploads")
    key = key_for(filename, prefix)
    decision = classify_key(key)
    if isinstance(decision, Rejection):
        return decision
    if isinstance(decision, Ignored):
        return Rejection(ReasonCode.BAD_KEY, f"{key} would be ignored ({decision.reason}); "
                                             "name it {sample_batch}-{id6}-{somatic|normal}.tar.gz", file=key, field="key")  # fmt: skip
    cap = settings.intake.max_compressed_bytes
    if size > cap:
        raise HTTPException(413, f"{key} is larger than the intake cap of {cap} bytes (intake.max_compressed_bytes)")
    post = store.presigned_post(key, cap, settings.web.presign_expires_s)
    return Presigned(key, post.url, dict(post.fields))


def post_origin(store: ObjectStore) -> str:
    """The scheme://host[:port] browsers post to for ``store`` (for the page's CSP)."""
    if not isinstance(store, PostSigner):
        return ""
    parts = urlsplit(store.presigned_post("origin-probe", 1, 60).url)
    return f"{parts.scheme}://{parts.netloc}"
