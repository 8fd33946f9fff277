"""The object-store seam: a local folder in embedded mode, any S3-compatible bucket in the cloud."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One object version. ``etag`` identifies the content (sha256 for local, S3 ETag for S3)."""

    key: str
    size: int
    etag: str
    modified: datetime


class ObjectStore(Protocol):
    """Storage of inputs and outputs. Implementations translate their library's errors into
    ``oncodrop.errors`` (``TransientError`` for retryable I/O, ``InputRejected`` for a missing
    input object). ``put_file`` must be atomic: no partial object is ever visible under ``key``.
    """

    url: str  # "file:///data/bucket" or "s3://bucket/prefix"

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def head(self, key: str) -> ObjectInfo | None: ...

    def get_file(self, key: str, dest: Path) -> ObjectInfo: ...

    def put_file(self, src: Path, key: str) -> ObjectInfo: ...

    def link(self, key: str, expires_s: int = 12 * 3600) -> str: ...
