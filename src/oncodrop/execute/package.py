"""The output tarball: reproducible bytes, and reading one member back.

Same files in, same bytes out: members are sorted, owners and times are fixed, and the gzip
header carries no name or time. So two runs on the same input and bundle give byte-identical
report members, and a re-packed tarball of the same folder is byte-identical as a whole.
"""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path, PurePosixPath

FIXED_MTIME = 946_684_800  # 2000-01-01T00:00:00Z: tools warn about epoch-0 members
FILE_MODE = 0o644
DIR_MODE = 0o755
COMPRESS_LEVEL = 6


def _tarinfo(name: str, *, size: int = 0, is_dir: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = DIR_MODE if is_dir else FILE_MODE
    info.size = 0 if is_dir else size
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def member_paths(src: Path) -> list[Path]:
    """Regular files and folders under ``src`` in a stable order (POSIX path, bytewise)."""
    return sorted(
        (p for p in src.rglob("*") if p.is_dir() or p.is_file()),
        key=lambda p: p.relative_to(src).as_posix().encode(),
    )


def write_reproducible_tarball(src: Path, dest: Path, root_name: str) -> Path:
    """Pack ``src`` as ``root_name/…`` into a gzip tarball at ``dest``.

    Symlinks and special files are left out: an output tarball holds plain files only.
    """
    with (
        dest.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=COMPRESS_LEVEL) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.addfile(_tarinfo(root_name, is_dir=True))
        for path in member_paths(src):
            if path.is_symlink():
                continue
            name = f"{root_name}/{path.relative_to(src).as_posix()}"
            if path.is_dir():
                tar.addfile(_tarinfo(name, is_dir=True))
            else:
                with path.open("rb") as fh:
                    tar.addfile(_tarinfo(name, size=path.stat().st_size), fh)
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

