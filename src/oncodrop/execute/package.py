"""The output tarball: reproducible bytes, and reading one member back.

Same files in, same bytes out: members are sorted, owners are fixed, every member carries one
time (:func:`output_mtime`), and the gzip header carries no name or time. So two runs on the
same input object and bundle give byte-identical report members, and a re-packed tarball of the
same folder is byte-identical as a whole.

The members' time is ``SOURCE_DATE_EPOCH`` when the environment sets it (the reproducible-builds
convention), else the input object's last-modified time: unpacked, the report's files are dated
when their sample was uploaded, not 1970 or 2000, and re-running the same upload gives the same
dates.
"""

from __future__ import annotations

import gzip
import os
import tarfile
from datetime import datetime
from pathlib import Path, PurePosixPath

FIXED_MTIME = 946_684_800  # 2000-01-01T00:00:00Z: only when neither of output_mtime's sources is known
FILE_MODE = 0o644
DIR_MODE = 0o755
COMPRESS_LEVEL = 6


def output_mtime(input_modified: datetime | None, environ: dict[str, str] | None = None) -> int:
    """The one time every output member carries: ``SOURCE_DATE_EPOCH`` (a non-negative integer)
    if set, else the input's last-modified time, else ``FIXED_MTIME``."""
    raw = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        return int(raw)
    if input_modified is not None:
        return max(0, int(input_modified.timestamp()))
    return FIXED_MTIME


def _tarinfo(name: str, *, mtime: int, size: int = 0, is_dir: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = DIR_MODE if is_dir else FILE_MODE
    info.size = 0 if is_dir else size
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def member_paths(src: Path) -> list[Path]:
    """Regular files and folders under ``src`` in a stable order (POSIX path, bytewise)."""
    return sorted(
        (p for p in src.rglob("*") if p.is_dir() or p.is_file()),
        key=lambda p: p.relative_to(src).as_posix().encode(),
    )


def write_reproducible_tarball(src: Path, dest: Path, root_name: str, *, mtime: int = FIXED_MTIME) -> Path:
    """Pack ``src`` as ``root_name/…`` into a gzip tarball at ``dest``, every member dated ``mtime``.

    Symlinks and special files are left out: an output tarball holds plain files only.
    """
    with (
        dest.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=COMPRESS_LEVEL) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.addfile(_tarinfo(root_name, mtime=mtime, is_dir=True))
        for path in member_paths(src):
            if path.is_symlink():
                continue
            name = f"{root_name}/{path.relative_to(src).as_posix()}"
            if path.is_dir():
                tar.addfile(_tarinfo(name, mtime=mtime, is_dir=True))
            else:
                with path.open("rb") as fh:
                    tar.addfile(_tarinfo(name, mtime=mtime, size=path.stat().st_size), fh)
    return dest


def read_member(tarball: Path, name: str, max_bytes: int = 16 * 1024 * 1024) -> bytes | None:
    """The bytes of member ``name`` (a regular file), or None if the tarball has no such file
    or cannot be read. Used to look at an existing output's provenance, never to unpack."""
    try:
        with tarfile.open(tarball, mode="r:gz") as tar:
            info = tar.getmember(name)
            if not info.isreg() or info.size > max_bytes:
                return None
            fh = tar.extractfile(info)
            return fh.read() if fh else None
    except (KeyError, tarfile.TarError, OSError, EOFError):
        return None


def member_names(tarball: Path) -> list[str]:
    """Member names in archive order (for checks and tests)."""
    with tarfile.open(tarball, mode="r:gz") as tar:
        return tar.getnames()


def root_name_for(output_key: str) -> str:
    """``in/B-a1b2c3-somatic-output.tar.gz`` -> ``B-a1b2c3-somatic-output``."""
    name = PurePosixPath(output_key).name
    return name.removesuffix(".tar.gz")

