"""``provenance.json`` in the report folder: what made this report, so it can be reproduced.

Input checksums, the effective config, the bundle's identity (``Bundle.describe()``), software
versions and per-step timings. Only file *names* are recorded, never private work paths.
Everything except the ``timings`` object is identical for identical inputs and bundle.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path
from typing import Any

from oncodrop.digest import file_sha256
from oncodrop.report.write.content import InputFile

PROVENANCE_NAME = "provenance.json"

# Software whose version can change a report's content; looked up, never hard-coded.
VERSIONED_PACKAGES: tuple[str, ...] = ("oncodrop", "pysam", "numpy", "scipy", "jinja2", "openpyxl")


def describe_input(role: str, path: Path) -> InputFile:
    return InputFile(role=role, name=path.name, sha256=file_sha256(path), bytes=path.stat().st_size)


def software_versions(extra: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """Installed versions of the packages that shape the report, plus Python, sorted."""
    found: dict[str, str] = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            found[name] = installed_version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    found.update(extra or {})
    return tuple(sorted(found.items()))


def installed_version(name: str) -> str:
    """``importlib.metadata.version(name)``, read from the ``Version:`` line of the package's
    METADATA header; that function parses the whole file with the email parser (~4 ms of a
    report for six packages). Anything unusual goes to that function itself."""
    text = distribution(name).read_text("METADATA") or ""
    for line in text.split("\n\n", 1)[0].splitlines():
        if line.startswith("Version:"):
            return line[len("Version:") :].strip()
    return version(name)


def write_provenance(
    out_dir: Path,
    *,
    reporter: str,
    sample_id: str,
    bundle: dict[str, Any],
    config: dict[str, Any],
    inputs: tuple[InputFile, ...],
    versions: tuple[tuple[str, str], ...],
    outputs: dict[str, str],
    timings: dict[str, float],
) -> Path:
    """Write ``provenance.json``; ``outputs`` maps output file name → sha256."""
    config_json = json.dumps(config, sort_keys=True, separators=(",", ":"))
    document = {
        "reporter": reporter,
        "sample_id": sample_id,
        "bundle": bundle,
        "config": config,
        "config_sha256": hashlib.sha256(config_json.encode()).hexdigest(),
        "inputs": [
            {"role": i.role, "name": i.name, "sha256": i.sha256, "bytes": i.bytes}
            for i in sorted(inputs, key=lambda i: (i.role, i.name))
        ],
        "versions": dict(versions),
        "outputs": dict(sorted(outputs.items())),
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }
    path = out_dir / PROVENANCE_NAME
    path.write_text(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n", "utf-8")
    return path
