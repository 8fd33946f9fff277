"""Writing a bundle folder: the steps shared by the real build and the demo build.

Both builds end the same way: knowledge tables in our formats, our curated germline tables,
then ``manifest.json`` with a checksum for every file. A bundle is assembled in a staging folder
next to its destination and renamed into place at the end, so a failed build never leaves a
folder that ``Bundle.open`` would accept.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from oncodrop.errors import ConfigError
from oncodrop.refdata.bundle import Hotspot
from oncodrop.refdata.civic import CivicRelease
from oncodrop.refdata.evidence_table import write_evidence
from oncodrop.refdata.knowledge import (
    GeneRole,
    read_panel,
    write_hotspots,
    write_panel,
    write_roles,
    write_sites,
)
from oncodrop.refdata.manifest import (
    BundleManifest,
    SourceRecord,
    catalogue_files,
    utc_now,
    write_manifest,
)

CURATED = Path(__file__).parent / "curated"  # package data (see pyproject package-data)
CURATED_SOURCE = SourceRecord(
    version="2026.11",
    note="germline panel cpsr_default (informed by CPSR panel 0, MIT) and ACMG SF v3.2 gene list, "
    "curated by oncodrop",
    licence="MIT",
)


def write_knowledge(
    root: Path,
    release: CivicRelease,
    roles: Iterable[GeneRole],
    hotspots: Iterable[Hotspot],
    hotspot_source: str,
) -> None:
    """``knowledge/``: evidence, disease sites, gene roles, hotspots, panels and ACMG SF genes."""
    knowledge = root / "knowledge"
    write_evidence(knowledge / "evidence.tsv", release.evidence)
    write_sites(knowledge / "sites.tsv", release.diseases)
    write_roles(knowledge / "gene_roles.tsv", roles)
    write_hotspots(knowledge / "hotspots.tsv", hotspots, hotspot_source)
    for panel in sorted((CURATED / "panels").glob("*.tsv")):
        write_panel(
            knowledge / "panels" / panel.name, read_panel(panel), "oncodrop curated"
        )
    shutil.copyfile(CURATED / "acmg_sf.tsv", knowledge / "acmg_sf.tsv")


def default_version() -> str:
    return datetime.now(UTC).strftime("%Y.%m.%d")


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh staging folder renamed to ``out`` when the block succeeds, removed otherwise."""
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise ConfigError(
            f"{out} exists and is not empty; choose a new --out folder or remove it"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.with_name(f".{out.name}.partial")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
        if out.exists():
            out.rmdir()
        stage.rename(out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def finish(
    root: Path,
    *,
    name: str,
    version: str,
    builds: tuple[str, ...],
    sources: Mapping[str, SourceRecord],
    source_of: Mapping[str, str],
    demo: bool = False,
    label: str = "",
    extra: Mapping[str, object] | None = None,
) -> BundleManifest:
    """Checksum every file and write ``manifest.json`` (``extra``: additional top-level keys)."""
    manifest = BundleManifest.model_validate(
        {
            **dict(extra or {}),
            "name": name,
            "version": version,
            "demo": demo,
            "label": label,
            "builds": builds,
            "created": utc_now(),
            "sources": dict(sources),
            "files": catalogue_files(root, dict(source_of)),
        }
    )
    write_manifest(root, manifest)
    return manifest
