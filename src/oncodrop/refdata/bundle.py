"""The reference bundle reader: the only way reporter code reaches reference data.

Opening is cheap (one small JSON file) because the reporter opens the bundle once per sample;
every table is parsed on first use and cached on the instance. ``verify=True`` re-checksums
every file against ``manifest.json`` (the worker does this once per bundle, not per sample).
Layout and API: docs/bundle.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oncodrop.digest import file_sha256
from oncodrop.domain.evidence import EvidenceItem
from oncodrop.errors import BundleError
from oncodrop.refdata.evidence_table import read_evidence
from oncodrop.refdata.manifest import (
    MANIFEST_NAME,
    BundleManifest,
    read_manifest,
    verify_files,
)
from oncodrop.refdata.sites import primary_site_for
from oncodrop.refdata.transcripts import TABLE_NAME as TRANSCRIPT_TABLE
from oncodrop.refdata.transcripts import TranscriptFacts, load_transcripts
from oncodrop.refdata.tsv import read_rows

BUILD_LABELS = {"grch37": "GRCh37", "grch38": "GRCh38"}
ROLES = frozenset({"oncogene", "tumour_suppressor", "both"})


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A recurrently mutated codon; ``hgvsp`` None means any change at the codon counts."""

    gene: str
    codon: int
    hgvsp: str | None
    count: int


@dataclass(frozen=True, slots=True)
class PanelGene:
    symbol: str
    mechanism: str  # LoF | GoF | both
    inheritance: str  # AD | AR | XL …


@dataclass(frozen=True, slots=True)
class GeneLocus:
    """A gene's span, 1-based inclusive, chromosome without ``chr``."""

    symbol: str
    chrom: str
    start: int
    end: int
    strand: str
    gene_id: str


class Bundle:
    """A reference bundle folder opened for reading."""

    def __init__(self, path: Path, manifest: BundleManifest) -> None:
        self.path = path
        self._manifest = manifest
        self.manifest: dict[str, Any] = manifest.model_dump(mode="json")
        self.name = manifest.name
        self.version = manifest.version
        self.demo = manifest.demo
        self.label = manifest.label
        self.builds: tuple[str, ...] = manifest.builds

    @classmethod
    def open(cls, path: Path, verify: bool = False) -> Bundle:
        """Open the bundle at ``path``; ``BundleError`` if it is missing, malformed or (with
        ``verify``) any file differs from its manifest checksum."""
        root = Path(path)
        manifest = read_manifest(root)
        if verify:
            verify_files(root, manifest)
        return cls(root, manifest)

    def __repr__(self) -> str:
        return (
            f"Bundle({self.name!r}, version={self.version!r}, path={str(self.path)!r})"
        )

    # -- knowledge ----------------------------------------------------------------------------
    @functools.cached_property
    def _evidence(self) -> tuple[EvidenceItem, ...]:
        return read_evidence(self._require("knowledge/evidence.tsv"))

    def evidence(self) -> tuple[EvidenceItem, ...]:
        """All compiled clinical evidence items."""
        return self._evidence

    @functools.cached_property
    def _gene_roles(self) -> dict[str, str]:
        path = self._require("knowledge/gene_roles.tsv")
        roles: dict[str, str] = {}
        for row in read_rows(path, ("symbol", "role")):
            role = row.get("role")
            if role not in ROLES:
                raise BundleError(
                    f"gene_roles.tsv: line {row.line}: role {role!r} is not one of "
                    f"{', '.join(sorted(ROLES))}; rebuild the bundle"
                )
            roles[row.get("symbol")] = role
        return roles

    def gene_roles(self) -> dict[str, str]:
        """Gene symbol -> ``oncogene`` | ``tumour_suppressor`` | ``both`` (a copy)."""
        return dict(self._gene_roles)

    @functools.cached_property
    def _hotspots(self) -> tuple[Hotspot, ...]:
        path = self._require("knowledge/hotspots.tsv")
        return tuple(
            Hotspot(
                gene=row.get("gene"),
                codon=_int(row.get("codon"), path, row.line, "codon"),
                hgvsp=row.get("hgvsp") or None,
                count=_int(row.get("count") or "0", path, row.line, "count"),
            )
            for row in read_rows(path, ("gene", "codon", "hgvsp", "count"))
        )

    def hotspots(self) -> tuple[Hotspot, ...]:
        return self._hotspots

    @functools.cached_property
    def _sites(self) -> dict[str, str]:
        path = self.path / "knowledge/sites.tsv"
        if not path.is_file():
            return {}
        return {
            row.get("disease").lower(): row.get("primary_site")
            for row in read_rows(path, ("disease", "primary_site"))
            if row.get("primary_site")
        }

    def primary_site(self, disease: str) -> str | None:
        """The primary tumour site of a disease term (the bundle's table, then our rules)."""
        return self._sites.get(disease.strip().lower()) or primary_site_for(disease)

    @functools.cached_property
    def _panel_names(self) -> tuple[str, ...]:
        folder = self.path / "knowledge/panels"
        return (
            tuple(sorted(p.stem for p in folder.glob("*.tsv")))
            if folder.is_dir()
            else ()
        )

    def panels(self) -> tuple[str, ...]:
        return self._panel_names

    @functools.cache  # noqa: B019 - one bundle object per process
    def panel(self, name: str) -> tuple[PanelGene, ...]:
        """The genes of a germline panel; ``BundleError`` naming the available panels."""
        if name not in self._panel_names:
            raise BundleError(
                f"panel {name!r} is not in bundle {self.name} {self.version}; available: "
                f"{', '.join(self._panel_names) or 'none'}"
            )
        path = self.path / "knowledge/panels" / f"{name}.tsv"
        return tuple(
            PanelGene(row.get("symbol"), row.get("mechanism"), row.get("inheritance"))
            for row in read_rows(path, ("symbol", "mechanism", "inheritance"))
        )

    @functools.cached_property
    def _acmg_sf(self) -> tuple[str, ...]:
        path = self._require("knowledge/acmg_sf.tsv")
        return tuple(row.get("symbol") for row in read_rows(path, ("symbol",)))

    def acmg_sf_genes(self) -> tuple[str, ...]:
        return self._acmg_sf

    # -- per-build files ----------------------------------------------------------------------
    @functools.cache  # noqa: B019
    def signatures(
        self, build: str
    ) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
        """COSMIC SBS reference: (96 contexts like ``A[C>A]A``, signature names, 96xK matrix)."""
        label = self._label(build)
        path = self._require(f"signatures/COSMIC_v3.4_SBS_{label}.txt")
        return read_signature_matrix(path)

    @functools.cache  # noqa: B019
    def genes(self, build: str) -> tuple[GeneLocus, ...]:
        """Gene spans on ``build`` (from the GFF3, or CIViC gene-level coordinates)."""
        self._label(build)
        path = self._require(f"genome/{build}/genes.tsv")
        columns = ("symbol", "chrom", "start", "end", "strand", "gene_id")
        return tuple(
            GeneLocus(
                symbol=row.get("symbol"),
                chrom=row.get("chrom"),
                start=_int(row.get("start"), path, row.line, "start"),
                end=_int(row.get("end"), path, row.line, "end"),
                strand=row.get("strand"),
                gene_id=row.get("gene_id"),
            )
            for row in read_rows(path, columns)
        )

    def gff3(self, build: str) -> Path | None:
        return self._optional(f"genome/{build}/genes.gff3.gz")

    def transcript_table(self, build: str) -> Path | None:
        """The GFF3's transcripts precomputed by ``refdata build`` (``refdata.transcripts``);
        None in bundles built before it existed."""
        return self._optional(f"genome/{build}/{TRANSCRIPT_TABLE}")

    def transcripts(self, build: str) -> Mapping[str, TranscriptFacts] | None:
        """Transcript id -> facts of the build's gene model: the precomputed table, else the
        GFF3 parsed (older bundles), else None; read once per process, not per sample."""
        return load_transcripts(self.transcript_table(build), self.gff3(build))

    def fasta(self, build: str) -> Path | None:
        return self._optional(f"genome/{build}/genome.fa.gz")

    def clinvar(self, build: str) -> Path | None:
        return self._optional(f"clinvar/clinvar.{build}.vcf.gz")

    def describe(self) -> dict[str, Any]:
        """What a report's provenance records about the bundle it used."""
        return {
            "name": self.name,
            "version": self.version,
            "demo": self.demo,
            "label": self.label,
            "builds": list(self.builds),
            "path": str(self.path),
            "manifest_sha256": file_sha256(self.path / MANIFEST_NAME),
            "sources": {k: v.version for k, v in self._manifest.sources.items()},
        }

    # -- helpers ------------------------------------------------------------------------------
    def _label(self, build: str) -> str:
        if build not in BUILD_LABELS or (self.builds and build not in self.builds):
            raise BundleError(
                f"bundle {self.name} {self.version} has no genome build {build!r}; it holds "
                f"{', '.join(self.builds) or 'none'}; build one with "
                f"`oncodrop refdata build --build {build}`"
            )
        return BUILD_LABELS[build]

    def _require(self, rel: str) -> Path:
        path = self.path / rel
        if not path.is_file():
            raise BundleError(
                f"bundle {self.name} at {self.path} lacks {rel}; rebuild it"
            )
        return path

    def _optional(self, rel: str) -> Path | None:
        path = self.path / rel
        return path if path.is_file() else None


def read_signature_matrix(
    path: Path,
) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Parse a COSMIC SBS matrix (``Type`` + one column per signature, 96 rows)."""
    rows = list(read_rows(path, ("Type",)))
    with open(path, encoding="utf-8") as fh:
        names = tuple(fh.readline().rstrip("\r\n").split("\t")[1:])
    if len(rows) != 96 or not names:
        raise BundleError(
            f"{path.name}: expected 96 mutation-context rows and at least one signature column, "
            f"found {len(rows)} rows and {len(names)} signatures"
        )
    contexts = tuple(row.get("Type") for row in rows)
    try:  # float() ignores the whitespace row.get would strip: ~8,000 calls fewer per report
        matrix = np.array(
            [list(map(float, map(row.fields.get, names, [""] * len(names)))) for row in rows],
            dtype=float,
        )
    except ValueError as exc:
        raise BundleError(
            f"{path.name}: a signature value is not a number ({exc})"
        ) from exc
    return contexts, names, matrix


def _int(text: str, path: Path, line: int, column: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BundleError(
            f"{path.name}: line {line}, column {column!r}: {text!r} is not an integer; "
            "rebuild the bundle"
        ) from None
