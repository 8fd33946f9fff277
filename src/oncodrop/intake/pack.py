"""Building a well-formed input tarball (``oncodrop submit``, the demo, tests).

The tarball is reproducible (sorted members, zero mtimes/owners, mode 0644, no gzip name or
timestamp), so packing the same files twice gives the same bytes and the same ETag, which
lets the ledger recognise a re-upload. The config is validated before anything is written.
"""

from __future__ import annotations

import gzip
import os
import tarfile
from pathlib import Path

from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.intake.config import load_config
from oncodrop.intake.manifest import build_manifest


def pack_sample(
    out: Path, vcf: Path, config: Path, cna: Path | None = None, index: Path | None = None
) -> Path:
    """Write ``out`` (a ``.tar.gz``) holding the given files at the top level; returns ``out``.

    Raises InputRejected (``bad_manifest`` for wrong file names, ``bad_config`` for an invalid
    config) before writing; the file appears atomically (written aside, then renamed).
    """
    files = [p for p in (vcf, config, cna, index) if p is not None]
    for path in files:
        if not path.is_file():
            raise InputRejected(ReasonCode.BAD_MANIFEST, f"{path} is not a file", file=path.name)
    names = [p.name for p in files]
    if len(set(names)) != len(names):
        raise InputRejected(ReasonCode.BAD_MANIFEST, f"two inputs share a file name: {', '.join(names)}")
    build_manifest(out.parent, names, source=out.name)
    load_config(config, sample_id_default="sample")
    partial = out.with_name(f".{out.name}.partial")
    try:
        with (
            open(partial, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for path in sorted(files, key=lambda p: p.name):
                _add(tar, path)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _add(tar: tarfile.TarFile, path: Path) -> None:
    info = tarfile.TarInfo(path.name)
    info.size = path.stat().st_size
    info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = 0o644, 0, 0, 0, "", ""
    with open(path, "rb") as handle:
        tar.addfile(info, handle)
