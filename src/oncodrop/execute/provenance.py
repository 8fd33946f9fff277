"""``provenance.json``: what an output was made from, so anyone can check and reproduce it.

It records the input (key, etag, sha256 of the tarball and of each member), the software
(oncodrop version, reporter), the reference bundle (``Bundle.describe()``), the effective sample
config, checksums of the report files, the headline, per-step timings and UTC start/end.
A reporter that writes its own ``provenance.json`` (ours does: software versions, input
files as it saw them) keeps it: it is embedded under ``report``, so the output holds one
``provenance.json`` at its root, as docs and users expect, and nothing is lost.
The pipeline also reads it back from an existing output to stay idempotent.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from oncodrop.digest import file_sha256
from oncodrop.domain.headline import Headline
from oncodrop.refdata.bundle import Bundle

log = logging.getLogger(__name__)

FORMAT = "oncodrop.provenance/v1"
FILE_NAME = "provenance.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputRecord(_Frozen):
    key: str
    etag: str
    sha256: str
    bytes: int
    members: dict[str, str]  # member path inside the input tarball -> sha256


class Provenance(_Frozen):
    format: str = FORMAT
    sample_id: str
    kind: str
    input: InputRecord
    oncodrop_version: str
    reporter: str
    bundle: dict[str, Any]  # Bundle.describe(): name, version, demo, manifest_sha256, sources…
    config: dict[str, Any]  # the effective SampleConfig, model_dump(mode="json")
    outputs: dict[str, str]  # report file (relative to the output root) -> sha256
    report: dict[str, Any] | None = None  # the reporter's own provenance.json, when it wrote one
    headline: Headline
    timings: dict[str, float]  # step -> seconds
    started_at: str  # UTC ISO-8601
    finished_at: str

    def to_json(self) -> bytes:
        return (json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n").encode()


def parse_provenance(data: bytes | None) -> Provenance | None:
    """A provenance read back from an existing output; None if absent or not ours."""
    if data is None:
        return None
    try:
        return Provenance.model_validate_json(data)
    except ValidationError:
        return None


def file_checksums(root: Path, paths: list[Path] | None = None, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of each regular file under ``root`` (or of ``paths``), keyed by relative POSIX path."""
    chosen = paths if paths is not None else [p for p in root.rglob("*") if p.is_file()]
    checksums = {p.relative_to(root).as_posix(): file_sha256(p) for p in sorted(chosen)}
    return {name: digest for name, digest in checksums.items() if name not in exclude}


def read_reporter_provenance(out_dir: Path) -> dict[str, Any] | None:
    """The reporter's own ``provenance.json`` in ``out_dir``, if it wrote a JSON object there."""
    path = out_dir / FILE_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        log.warning("the reporter's %s is not valid JSON; it is replaced without being embedded", FILE_NAME)
        return None
    return data if isinstance(data, dict) else None


def describe_bundle(path: Path) -> dict[str, Any]:
    """The bundle as provenance names it; ``BundleError`` if it cannot be opened."""
    description = Bundle.open(path).describe()
    description.pop("path", None)  # where it sits on this worker is not part of what it is
    return description
