"""``manifest.json``: what a bundle is, where each file came from, and each file's checksum.

The manifest makes a bundle self-describing and tamper-evident: every report names the bundle
(name, version, sha256 of the manifest) and ``Bundle.open(verify=True)`` re-checks every file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oncodrop.digest import file_sha256
from oncodrop.errors import BundleError

MANIFEST_NAME = "manifest.json"
LAYOUT = 1  # bump when the folder layout or a table's columns change incompatibly
DEMO_LABEL = "demo, not for clinical use"


class SourceRecord(BaseModel):
    """One upstream source as it was fetched (or, for the demo, which tables it came from)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    version: str
    url: str = ""
    date: str = ""
    sha256: str = ""
    licence: str = ""
    note: str = ""


class FileRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str
    bytes: int = Field(ge=0)
    source: str = ""


class BundleManifest(BaseModel):
    """The parsed ``manifest.json`` (layout in docs/bundle.md)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    version: str
    layout: int = LAYOUT
    demo: bool = False
    label: str = ""
    builds: tuple[str, ...] = ()
    created: str = ""
    sources: dict[str, SourceRecord] = {}
    files: dict[str, FileRecord] = {}


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def catalogue_files(root: Path, source_of: dict[str, str]) -> dict[str, FileRecord]:
    """Checksum every file under ``root`` except the manifest; ``source_of`` maps a relative
    path prefix (``knowledge/evidence.tsv`` or ``genome/``) to the source it came from; the
    longest matching prefix wins."""
    records: dict[str, FileRecord] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == MANIFEST_NAME:
            continue
        matching = [prefix for prefix in source_of if rel.startswith(prefix)]
        source = source_of[max(matching, key=len)] if matching else ""
        records[rel] = FileRecord(
            sha256=file_sha256(path), bytes=path.stat().st_size, source=source
        )
    return records


def write_manifest(root: Path, manifest: BundleManifest) -> Path:
    """Write ``manifest.json`` (sorted keys, stable bytes for identical content)."""
    target = root / MANIFEST_NAME
    text = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


def read_manifest(root: Path) -> BundleManifest:
    """Parse ``manifest.json``; ``BundleError`` saying what is wrong and what to do."""
    target = root / MANIFEST_NAME
    if not root.is_dir():
        raise BundleError(
            f"reference bundle {root} does not exist; build one with "
            "`oncodrop refdata build --out DIR` (or `--demo` for the offline demo bundle)"
        )
    if not target.is_file():
        raise BundleError(
            f"{target} is missing: {root} is not a reference bundle (rebuild it)"
        )
    try:
        manifest = BundleManifest.model_validate(
            json.loads(target.read_text(encoding="utf-8"))
        )
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"{target}: line {exc.lineno}: not valid JSON ({exc.msg})"
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BundleError(f"{target}: field {where!r}: {first['msg']}") from exc
    if manifest.layout > LAYOUT:
        raise BundleError(
            f"{target}: bundle layout {manifest.layout} is newer than this oncodrop reads "
            f"({LAYOUT}); upgrade oncodrop or rebuild the bundle with this version"
        )
    return manifest


def verify_files(root: Path, manifest: BundleManifest) -> None:
    """Check that every listed file exists with its recorded size and sha256, and that no
    unlisted file was added; ``BundleError`` names the first offending file."""
    for rel, record in sorted(manifest.files.items()):
        path = root / rel
        if not path.is_file():
            raise BundleError(
                f"bundle file {rel} listed in manifest.json is missing from {root}"
            )
        if path.stat().st_size != record.bytes or file_sha256(path) != record.sha256:
            raise BundleError(
                f"bundle file {rel} does not match its sha256 in manifest.json: it was changed "
                "or corrupted; rebuild the bundle"
            )
    listed = set(manifest.files)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel != MANIFEST_NAME and rel not in listed:
            raise BundleError(
                f"bundle file {rel} is not listed in manifest.json; remove it or rebuild"
            )
