"""Safe unpacking of an untrusted input tarball into a private work dir.

We never call ``extractall``: members are read one by one from a gzip stream, checked (no
absolute paths, ``..``, links, devices or fifos, duplicates, nested folders), and regular files
are written by us with ``O_EXCL|O_NOFOLLOW`` into a fresh ``0700`` folder while bytes are
counted, so a lying header or a zip bomb stops at the configured limits. Any failure removes
the partial folder. Corrupt input becomes ``corrupt_tarball``; hostile input ``unsafe_tarball``.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.intake.config import load_config
from oncodrop.intake.manifest import InputManifest, build_manifest, is_junk
from oncodrop.settings import IntakeLimits

DEFAULT_LIMITS = IntakeLimits()
MiB = 1024**2
_CHUNK = MiB
_MAX_TRAILING = MiB  # tar pads to 10 KiB records; more is not a tar
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def unpack(tarball: Path, workdir: Path, limits: IntakeLimits = DEFAULT_LIMITS) -> InputManifest:
    """Unpack ``tarball`` into a new private folder ``workdir/input`` and return its manifest.

    Files are flattened into that folder (members may sit at the top level or inside one
    top-level folder). Raises InputRejected (``unsafe_tarball``, ``corrupt_tarball``,
    ``bad_manifest``); the folder is removed on any failure.
    """
    root = workdir / "input"
    workdir.mkdir(parents=True, exist_ok=True)
    root.mkdir(mode=0o700)
    os.chmod(root, 0o700)  # the mode argument is filtered by the umask
    try:
        written, ignored = _extract(tarball, root, limits)
        return build_manifest(root, written, source=tarball.name, ignored=ignored)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def validate_tarball(path: Path, limits: IntakeLimits = DEFAULT_LIMITS) -> InputManifest:
    """Check a tarball before submitting it: safe, complete, and with a valid sample config.

    Unpacks into a temporary folder that is removed again; the returned manifest names the
    members (``on_disk`` False, ``root`` is the tarball).
    """
    with tempfile.TemporaryDirectory(prefix="oncodrop-validate-") as tmp:
        unpacked = unpack(path, Path(tmp), limits)
        load_config(unpacked.config, sample_id_default="sample")
        names = [p.name for p in (unpacked.vcf, unpacked.config, unpacked.cna, unpacked.index) if p]
    return build_manifest(path, names, source=path.name, ignored=unpacked.ignored, on_disk=False)


def _extract(tarball: Path, root: Path, limits: IntakeLimits) -> tuple[list[str], list[str]]:
    """Stream members into ``root``; returns (written file names, skipped junk member names)."""
    compressed = tarball.stat().st_size
    if compressed > limits.max_compressed_bytes:
        raise _unsafe(
            tarball, f"is {compressed} bytes, over the {limits.max_compressed_bytes}-byte limit"
        )
    budget = _Budget(tarball, compressed, limits)
    seen: set[PurePosixPath] = set()
    folders: set[str] = set()
    written: list[str] = []
    ignored: list[str] = []
    for tar, member in _members(tarball):
        path = _checked_path(tarball, member, seen, limits)
        if is_junk(member.name):
            ignored.append(member.name)
            continue
        if member.isdir():
            if not path.parts:  # "./", the archive root of `tar -C dir .`
                continue
            if len(path.parts) > 1:
                raise _nested(tarball, member.name)
            folders.add(path.parts[0])
            continue
        if len(path.parts) > 2:
            raise _nested(tarball, member.name)
        folders.add(path.parts[0] if len(path.parts) == 2 else "")
        budget.admit(member)
        _write(tarball, tar, member, root / path.name, budget)
        written.append(path.name)
    if len(folders) > 1:
        shown = ", ".join(sorted(f or "(top level)" for f in folders))
        raise InputRejected(
            ReasonCode.BAD_MANIFEST,
            f"{tarball.name}: files must sit at the top level or inside one folder, found: {shown}",
            file=tarball.name,
        )
    return written, ignored


def _members(tarball: Path) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    """Yield members of a gzip tar stream, turning read failures into ``corrupt_tarball``.

    The gzip stream is read to its end afterwards so its checksum is verified: a cut-off
    upload fails even when the cut falls after the last member.
    """
    where = "at the start"
    try:
        with gzip.open(tarball, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
            iterator = iter(tar)
            while True:
                try:
                    member = next(iterator)
                except StopIteration:
                    break
                except _READ_ERRORS as exc:
                    raise _corrupt(tarball, where, exc) from exc
                where = f"after member {member.name!r}"
                yield tar, member
            _drain(tarball, gz)
    except _READ_ERRORS as exc:
        raise _corrupt(tarball, where, exc) from exc


def _drain(tarball: Path, gz: gzip.GzipFile) -> None:
    """Read what follows the tar end marker (padding), bounded, to reach the gzip trailer."""
    trailing = 0
    while chunk := gz.read(_CHUNK):
        trailing += len(chunk)
        if trailing > _MAX_TRAILING:
            raise _unsafe(
                tarball, f"has more than {_MAX_TRAILING} bytes after the end of the archive"
            )


def _checked_path(
    tarball: Path, member: tarfile.TarInfo, seen: set[PurePosixPath], limits: IntakeLimits
) -> PurePosixPath:
    """The member's normalised path, after the checks that make extracting it safe."""
    name = member.name
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith(("/", "\\")):
        raise _unsafe(tarball, f"member {name!r} has an absolute path")
    if ".." in path.parts or not (path.parts or member.isdir()):
        raise _unsafe(tarball, f"member {name!r} points outside the archive ('..' or empty name)")
    if member.issym() or member.islnk():
        raise _unsafe(
            tarball, f"member {name!r} is a link (to {member.linkname!r}); links are not allowed"
        )
    if not (member.isreg() or member.isdir()):
        raise _unsafe(tarball, f"member {name!r} is a device, fifo or other special file")
    if path in seen:
        raise _unsafe(tarball, f"member {name!r} appears twice")
    seen.add(path)
    if len(seen) > limits.max_members:
        raise _unsafe(tarball, f"has more than {limits.max_members} members")
    return path


class _Budget:
    """Counts unpacked bytes against the size and compression-ratio caps."""

    def __init__(self, tarball: Path, compressed: int, limits: IntakeLimits) -> None:
        self.tarball, self.compressed, self.limits, self.total = (
            tarball,
            max(compressed, 1),
            limits,
            0,
        )

    def admit(self, member: tarfile.TarInfo) -> None:
        """Refuse a member from its header alone: over the size cap, or declaring a size whose
        ratio to the whole compressed tarball is a bomb's (no byte of it is written)."""
        declared = self.total + member.size
        if declared > self.limits.ratio_floor_bytes and declared / self.compressed > self.limits.max_ratio:
            raise _unsafe(
                self.tarball,
                f"member {member.name!r} declares {member.size} bytes, more than "
                f"{self.limits.max_ratio:g}x the compressed tarball (a compression bomb?)",
            )
        if self.total + member.size > self.limits.max_unpacked_bytes:
            raise _unsafe(
                self.tarball,
                f"member {member.name!r} would exceed the "
                f"{self.limits.max_unpacked_bytes}-byte unpacked limit",
            )

    def spend(self, member: str, nbytes: int) -> None:
        self.total += nbytes
        if self.total > self.limits.max_unpacked_bytes:
            raise _unsafe(
                self.tarball,
                f"member {member!r} exceeds the {self.limits.max_unpacked_bytes}-byte "
                "unpacked limit",
            )
        ratio = self.total / self.compressed
        if self.total > self.limits.ratio_floor_bytes and ratio > self.limits.max_ratio:
            raise _unsafe(
                self.tarball,
                f"member {member!r} expands more than {self.limits.max_ratio:g}x "
                "(a compression bomb?)",
            )


def _write(
    tarball: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, budget: _Budget
) -> None:
    source = tar.extractfile(member)
    if source is None:  # pragma: no cover - regular members always have a file object
        raise _unsafe(tarball, f"member {member.name!r} cannot be read as a file")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        fd = os.open(dest, flags, 0o600)
    except FileExistsError as exc:
        raise _unsafe(
            tarball, f"member {member.name!r} clashes with another file of that name"
        ) from exc
    with os.fdopen(fd, "wb") as out:
        for chunk in _chunks(tarball, member.name, source):
            budget.spend(member.name, len(chunk))
            out.write(chunk)


def _chunks(tarball: Path, name: str, source: IO[bytes]) -> Iterator[bytes]:
    while True:
        try:
            chunk = source.read(_CHUNK)
        except _READ_ERRORS as exc:
            raise _corrupt(tarball, f"in member {name!r}", exc) from exc
        if not chunk:
            return
        yield chunk


def _unsafe(tarball: Path, what: str) -> InputRejected:
    return InputRejected(
        ReasonCode.UNSAFE_TARBALL,
        f"{tarball.name} {what}. Pack only the regular files of one sample (`oncodrop pack` builds a correct tarball).",
        file=tarball.name,
    )


def _corrupt(tarball: Path, where: str, exc: BaseException) -> InputRejected:
    return InputRejected(
        ReasonCode.CORRUPT_TARBALL,
        f"{tarball.name} is not a readable .tar.gz ({where}: {exc}). "
        "The upload may be truncated; create the tarball again and re-upload it.",
        file=tarball.name,
    )


def _nested(tarball: Path, name: str) -> InputRejected:
    return InputRejected(
        ReasonCode.BAD_MANIFEST,
        f"{tarball.name}: member {name!r} is nested too deep; put the files at the top level "
        "or inside a single folder",
        file=tarball.name,
    )
