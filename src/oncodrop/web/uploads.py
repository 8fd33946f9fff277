"""Uploads through the console: the same checks as ``oncodrop submit`` (name, tarball safety,
manifest, sample config), on a private temp copy, before anything reaches the store. Bytes
beyond the intake size cap are refused while they arrive."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile

from oncodrop.errors import Rejection
from oncodrop.intake.check import check_tarball
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
