"""The one way oncodrop takes a file's checksum: ``hashlib.file_digest``, lower-case hex.

Every checksum written anywhere (bundle manifests, report provenance, local-store etags,
downloads, the input tarball) comes from here, so "sha256 of a file" means one thing. ``md5``
exists only to compare with an S3 single-part ETag; it is not used for security.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

Algorithm = Literal["sha256", "md5"]

_FACTORIES: dict[str, Callable[[], Any]] = {
    "sha256": hashlib.sha256,
    "md5": lambda: hashlib.md5(usedforsecurity=False),
}


def file_digest(source: Path | str | BinaryIO, algorithm: Algorithm = "sha256") -> str:
    """Hex digest of a file's bytes: a path, or a binary file object read from where it is."""
    factory = _FACTORIES[algorithm]
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            return hashlib.file_digest(fh, factory).hexdigest()
    # typeshed wants ``readinto``; every binary file object we pass (open(), tarfile) has it
    return hashlib.file_digest(cast(Any, source), factory).hexdigest()


def file_sha256(source: Path | str | BinaryIO) -> str:
    """sha256 of a file, as every manifest, provenance record and local etag spells it."""
    return file_digest(source, "sha256")
