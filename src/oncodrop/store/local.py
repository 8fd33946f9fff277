"""A folder as an object store (embedded mode): keys are POSIX paths relative to the root.

- ``etag`` is the sha256 of the content, cached per (path, size, mtime_ns) so a poll does not
  re-hash unchanged files.
- ``put_file`` writes a hidden temp file in the target folder, fsyncs it and renames it into
  place, so a reader never sees a partial object; once the object is in place, temp files an
  earlier writer of the same key left behind (killed mid-copy) are removed. Hidden names (a path part starting with
  ``.``) are never listed and cannot be used as keys.
- ``get_file`` copies; inputs are never moved or modified.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from oncodrop.digest import file_sha256
from oncodrop.errors import ConfigError, InputRejected, ReasonCode, TransientError
from oncodrop.store.base import ObjectInfo

_CHUNK = 1 << 20
_HASH_RETRIES = 3


def _remove_leftovers(target: Path) -> None:
    """Temp files of ``target`` (``mkstemp``'s ``.{name}.XXXXXXXX.part``) left by a writer that
    was killed mid-copy: the key now holds a complete object, so they are nobody's."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.part")
    for leftover in target.parent.iterdir():
        if pattern.fullmatch(leftover.name):
            leftover.unlink(missing_ok=True)


def _modified(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime_ns / 1e9, tz=UTC)


def _is_hidden(part: str) -> bool:
    return part.startswith(".")


class LocalStore:
    """``ObjectStore`` over a local folder (see module docstring for the guarantees)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ConfigError(
                f"store folder {self.root} does not exist; create it or fix the store URL"
            )
        self.url = self.root.as_uri()
        self._etags: dict[str, tuple[int, int, str]] = {}

    def path_of(self, key: str) -> Path:
        """The file behind ``key``; ``InputRejected('bad_key')`` if the key is unsafe."""
        pure = PurePosixPath(key)
        if (
            not key
            or "\\" in key
            or "\x00" in key
            or pure.is_absolute()
            or any(part in ("..", "") or _is_hidden(part) for part in key.split("/"))
        ):
            raise InputRejected(
                ReasonCode.BAD_KEY,
                f"object key {key!r} is not a plain relative path inside the store "
                "(no '..', no leading '/', no hidden parts); rename the object",
                file=key,
            )
        path = self.root.joinpath(*pure.parts)
        if not path.resolve().is_relative_to(self.root):
            raise InputRejected(
                ReasonCode.BAD_KEY, f"object key {key!r} leads outside the store through a link", file=key
            )
        return path

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every visible object whose key starts with ``prefix``, in key order (as S3 lists)."""
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not _is_hidden(d)]
            rel = Path(dirpath).relative_to(self.root).as_posix()
            keys += [
                name if rel == "." else f"{rel}/{name}"
                for name in filenames
                if not _is_hidden(name)
            ]
        for key in sorted(k for k in keys if k.startswith(prefix)):
            info = self._info(key, self.root / key)
            if info is not None:
                yield info

    def head(self, key: str) -> ObjectInfo | None:
        return self._info(key, self.path_of(key))

    def get_file(self, key: str, dest: Path) -> ObjectInfo:
        """Copy the object to ``dest`` and return what was copied (etag of the copied bytes)."""
        src = self.path_of(key)
        try:
            with open(src, "rb") as fin, open(dest, "wb") as fout:
                st = os.fstat(fin.fileno())
                shutil.copyfileobj(fin, fout, _CHUNK)
            etag = file_sha256(dest)  # the bytes that arrived, not the ones we meant to copy
        except FileNotFoundError as exc:
            raise InputRejected(
                ReasonCode.MISSING_OBJECT,
                f"object {key!r} is not in {self.url}; upload it again",
                file=key,
            ) from exc
        except OSError as exc:
            raise TransientError(f"cannot copy {key!r} from {self.url}: {exc.strerror}") from exc
        return ObjectInfo(key=key, size=dest.stat().st_size, etag=etag, modified=_modified(st))

    def put_file(self, src: Path, key: str) -> ObjectInfo:
        """Atomically place a copy of ``src`` under ``key`` (temp file + fsync + rename)."""
        target = self.path_of(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fout, open(src, "rb") as fin:
                    shutil.copyfileobj(fin, fout, _CHUNK)
                    fout.flush()
                    os.fsync(fout.fileno())
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            _remove_leftovers(target)
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise TransientError(f"cannot write {key!r} to {self.url}: {exc.strerror}") from exc
        info = self.head(key)
        if info is None:  # pragma: no cover - removed by someone else right after the rename
            raise TransientError(f"{key!r} vanished from {self.url} right after writing it")
        return info

    def link(self, key: str, expires_s: int = 12 * 3600) -> str:
        """A ``file://`` URL (local files do not expire; ``expires_s`` is ignored)."""
        return self.path_of(key).as_uri()

    def _info(self, key: str, path: Path) -> ObjectInfo | None:
        """Stat + etag; None if the file is gone. Re-hashes only when size or mtime changed."""
        for _ in range(_HASH_RETRIES):
            try:
                before = path.lstat()
                if not stat.S_ISREG(before.st_mode):
                    return None  # links, folders, devices are not objects
                cached = self._etags.get(key)
                if cached and cached[:2] == (before.st_size, before.st_mtime_ns):
                    return ObjectInfo(key, before.st_size, cached[2], _modified(before))
                etag = file_sha256(path)
                after = path.lstat()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise TransientError(f"cannot read {key!r} in {self.url}: {exc.strerror}") from exc
            if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
                self._etags[key] = (after.st_size, after.st_mtime_ns, etag)
                return ObjectInfo(key, after.st_size, etag, _modified(after))
        raise TransientError(f"{key!r} in {self.url} keeps changing while being read; try later")
