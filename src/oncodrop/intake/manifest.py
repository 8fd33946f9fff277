"""What an input tarball must hold, and the check that it does.

Exactly one VCF (``.vcf.gz`` or ``.vcf``), optionally its index (``{vcf}.tbi`` / ``{vcf}.csi``),
exactly one ``.toml`` sample config and optionally one CNA segments ``.tsv``. macOS metadata
(``._*`` AppleDouble files, ``.DS_Store``, anything under ``__MACOSX/``) is ignored because
Finder adds it to every archive and it carries no data; everything else unexpected is an error,
so a user who packs the wrong file hears about it instead of getting a report on the wrong data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from oncodrop.errors import InputRejected, ReasonCode

# file-name ending -> role, longest endings first (rules as data)
ROLES: tuple[tuple[str, str], ...] = (
    (".vcf.gz.tbi", "index"),
    (".vcf.gz.csi", "index"),
    (".vcf.gz", "vcf"),
    (".vcf", "vcf"),
    (".toml", "config"),
    (".tsv", "cna"),
)
EXPECTED = (
    "exactly one VCF (.vcf.gz or .vcf), optionally its index ({vcf}.tbi or {vcf}.csi), "
    "exactly one sample config (.toml) and optionally one CNA segments file (.tsv)"
)
JUNK_FOLDER = "__MACOSX"


@dataclass(frozen=True, slots=True)
class InputManifest:
    """The files of one input tarball, by role.

    After ``unpack`` the paths are absolute, inside the private ``root``. From
    ``validate_tarball`` nothing stays on disk: ``root`` is the tarball itself and the paths are
    member names relative to it (``on_disk`` is False).
    """

    root: Path
    vcf: Path
    config: Path
    cna: Path | None = None
    index: Path | None = None
    ignored: tuple[str, ...] = ()  # junk member names that were skipped
    on_disk: bool = True


def is_junk(member: str) -> bool:
    """macOS archive metadata: skipped, never read."""
    parts = PurePosixPath(member).parts
    return bool(parts) and (
        parts[0] == JUNK_FOLDER or parts[-1] == ".DS_Store" or parts[-1].startswith("._")
    )


def role_of(name: str) -> str | None:
    """The role a file name plays (``vcf``, ``index``, ``config``, ``cna``), None if none."""
    lower = name.lower()
    return next((role for ending, role in ROLES if lower.endswith(ending)), None)


def build_manifest(
    root: Path,
    names: Iterable[str],
    *,
    source: str,
    ignored: Iterable[str] = (),
    on_disk: bool = True,
) -> InputManifest:
    """Sort file names (relative to ``root``) into roles; InputRejected("bad_manifest") if the
    set is not exactly what a sample needs. ``source`` names the tarball in messages."""
    by_role: dict[str, list[str]] = {"vcf": [], "index": [], "config": [], "cna": []}
    unexpected: list[str] = []
    for name in sorted(names):
        role = role_of(name)
        (by_role[role] if role else unexpected).append(name)
    problems = _problems(by_role, unexpected)
    if problems:
        found = (
            ", ".join(sorted([*unexpected, *(n for ns in by_role.values() for n in ns)]))
            or "nothing"
        )
        raise InputRejected(
            ReasonCode.BAD_MANIFEST,
            f"{source}: {'; '.join(problems)}. Found: {found}. Expected {EXPECTED}.",
            file=source,
        )
    return InputManifest(
        root=root,
        vcf=root / by_role["vcf"][0],
        config=root / by_role["config"][0],
        cna=root / by_role["cna"][0] if by_role["cna"] else None,
        index=root / by_role["index"][0] if by_role["index"] else None,
        ignored=tuple(sorted(ignored)),
        on_disk=on_disk,
    )


def _problems(by_role: dict[str, list[str]], unexpected: list[str]) -> list[str]:
    problems = [f"unexpected file {name!r}" for name in unexpected]
    vcfs, configs = by_role["vcf"], by_role["config"]
    if len(vcfs) != 1:
        problems.append(f"{len(vcfs)} VCF files instead of one")
    if len(configs) != 1:
        problems.append(f"{len(configs)} .toml config files instead of one")
    if len(by_role["cna"]) > 1:
        problems.append(f"{len(by_role['cna'])} CNA .tsv files instead of at most one")
    indexes = by_role["index"]
    if len(indexes) > 1:
        problems.append(f"{len(indexes)} VCF index files instead of at most one")
    elif indexes and len(vcfs) == 1:
        index, vcf = indexes[0], vcfs[0]
        if index.rsplit(".", 1)[0] != vcf:
            problems.append(f"index {index!r} does not belong to VCF {vcf!r} (expected {vcf}.tbi)")
    return problems
