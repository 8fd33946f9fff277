"""``oncodrop refdata build``: download the public sources and compile a reference bundle.

Steps, each a function of files in and files out: fetch every source (``download.fetch``),
compile CIViC into evidence (``civic``), gene roles and hotspots (``knowledge``), per genome
build: ClinVar VCF + index, COSMIC matrix from the SigProfilerAssignment wheel, GFF3 ->
genes.tsv and the transcript table the reporter loads instead of parsing the GFF3
(``transcripts``; or CIViC gene spans on GRCh37 when the GFF3 is skipped), FASTA -> bgzip + faidx;
then the manifest. Sources marked optional in ``sources.SOURCES`` may be skipped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from oncodrop.domain.genome import Build
from oncodrop.errors import ConfigError
from oncodrop.refdata.assemble import (
    CURATED,
    CURATED_SOURCE,
    default_version,
    finish,
    staging,
    write_knowledge,
)
from oncodrop.refdata.civic import CompileReport, compile_release
from oncodrop.refdata.download import DOWNLOAD_RETRY, Downloaded, fetch
from oncodrop.refdata.genes import genes_from_civic, genes_from_gff3, write_genes
from oncodrop.refdata.genome import bgzip_copy, compile_fasta, compile_vcf
from oncodrop.refdata.knowledge import (
    hotspots_from_cancerhotspots,
    read_panel,
    roles_from_oncokb,
)
from oncodrop.refdata.manifest import SourceRecord
from oncodrop.refdata.panelapp import PANELAPP_URL, fetch_panel, write_panelapp_panel
from oncodrop.refdata.signatures import extract_from_wheel
from oncodrop.refdata.sources import SOURCES, SOURCES_BY_NAME, Source, parse_overrides, resolve_url
from oncodrop.refdata.transcripts import TABLE_NAME as TRANSCRIPT_TABLE
from oncodrop.refdata.transcripts import parse_gff3, write_transcript_table
from oncodrop.retry import RetryPolicy
from oncodrop.settings import RefdataSettings

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    out: Path
    builds: tuple[Build, ...] = ("grch38",)
    overrides: Mapping[str, str] = field(default_factory=dict)
    skip: frozenset[str] = frozenset()
    name: str = "oncodrop"
    version: str = ""
    policy: RetryPolicy = DOWNLOAD_RETRY
    panelapp: tuple[tuple[int, str], ...] = ()  # (PanelApp panel id, our panel name)
    panelapp_url: str = PANELAPP_URL

    @classmethod
    def from_settings(cls, refdata: RefdataSettings) -> BuildOptions:
        """The build the ``[refdata]`` settings ask for (``out`` must be set)."""
        if refdata.out is None:
            raise ConfigError("refdata.out is not set: pass --out DIR or set ONCODROP_REFDATA__OUT")
        return cls(
            out=refdata.out, builds=refdata.builds, overrides=parse_overrides(refdata.source_urls),
            skip=frozenset(refdata.skip), name=refdata.name, version=refdata.version,
            panelapp=tuple(parse_panel(spec) for spec in refdata.panelapp), panelapp_url=refdata.panelapp_url,
        )  # fmt: skip


def parse_panel(spec: str) -> tuple[int, str]:
    """``243`` or ``243:hereditary_breast`` -> (243, name); default name ``panelapp_<id>``."""
    panel_id, _, name = spec.partition(":")
    if not panel_id.isdigit():
        raise ConfigError(f"--panelapp {spec!r}: expected a PanelApp panel id, e.g. 243 or 243:breast_ovarian")
    return int(panel_id), name or f"panelapp_{panel_id}"


@dataclass(frozen=True, slots=True)
class BuildResult:
    path: Path
    civic: CompileReport
    downloads: tuple[Downloaded, ...]


def build_bundle(
    options: BuildOptions, progress: Progress = lambda _m: None
) -> BuildResult:
    """Build a full bundle at ``options.out``; raises ``ConfigError``, ``BundleError`` or
    ``TransientError`` (network gave up) and leaves no partial bundle behind."""
    _check(options)
    with (
        tempfile.TemporaryDirectory(prefix="oncodrop-refdata-") as tmp,
        staging(options.out) as root,
    ):
        fetched = _Fetcher(Path(tmp), options, progress)
        civic = fetched.get("civic_evidence")
        assert civic is not None  # required source
        progress("compiling CIViC evidence")
        release = compile_release(
            civic.path,
            _path(fetched.get("civic_variants")),
            _path(fetched.get("civic_profiles")),
        )
        roles_file = fetched.get("oncokb_genes")
        roles = roles_from_oncokb(roles_file.path) if roles_file else ()
        hotspots_file = fetched.get("cancerhotspots")
        hotspots = (
            hotspots_from_cancerhotspots(hotspots_file.path) if hotspots_file else ()
        )
        write_knowledge(root, release, roles, hotspots, "cancerhotspots.org v2")
        panel_sources = _panelapp_panels(options, root / "knowledge", progress)
        wheel = fetched.get("sigprofiler_wheel")
        source_of: dict[str, str] = {
            "knowledge/evidence.tsv": "civic_evidence",
            "knowledge/sites.tsv": "civic_evidence",
            "knowledge/gene_roles.tsv": "oncokb_genes",
            "knowledge/hotspots.tsv": "cancerhotspots",
            "knowledge/": "oncodrop_curated",
            "signatures/": "sigprofiler_wheel",
            "clinvar/": "clinvar",
        }
        for build in options.builds:
            progress(f"compiling {build} files")
            if wheel:
                extract_from_wheel(wheel.path, build, root / "signatures")
            clinvar = fetched.get("clinvar", build)
            if clinvar:
                compile_vcf(clinvar.path, root / "clinvar" / f"clinvar.{build}.vcf.gz")
            genome = root / "genome" / build
            gff3 = fetched.get("ensembl_gff3", build)
            if gff3:
                bgzip_copy(gff3.path, genome / "genes.gff3.gz")
                write_genes(
                    genome / "genes.tsv", genes_from_gff3(genome / "genes.gff3.gz")
                )
                write_transcript_table(genome / TRANSCRIPT_TABLE, parse_gff3(genome / "genes.gff3.gz"))
                source_of[f"genome/{build}/genes"] = "ensembl_gff3"
                source_of[f"genome/{build}/{TRANSCRIPT_TABLE}"] = "ensembl_gff3"
            elif build == "grch37":
                write_genes(
                    genome / "genes.tsv", genes_from_civic(release.variants, build)
                )
                source_of[f"genome/{build}/genes.tsv"] = "civic_variants"
            fasta = fetched.get("ensembl_fasta", build)
            if fasta:
                compile_fasta(fasta.path, genome / "genome.fa.gz")
                source_of[f"genome/{build}/genome.fa"] = "ensembl_fasta"
        progress("writing manifest")
        sources = fetched.records()
        sources["oncodrop_curated"] = CURATED_SOURCE
        sources.update(panel_sources)
        source_of.update({f"knowledge/panels/{name}.tsv": f"panelapp_{pid}" for pid, name in options.panelapp})
        finish(
            root,
            name=options.name,
            version=options.version or default_version(),
            builds=options.builds,
            sources=sources,
            source_of=source_of,
            extra={"civic_compile": _describe(release.report)},
        )
        return BuildResult(options.out, release.report, fetched.downloads())


class _Fetcher:
    """Fetch every needed source once, up front, so a missing one fails before compiling."""

    def __init__(self, folder: Path, options: BuildOptions, progress: Progress) -> None:
        self._files: dict[tuple[str, str], Downloaded] = {}
        self._sources: dict[str, Source] = {}
        for source in SOURCES:
            if source.name in options.skip:
                continue
            for build in options.builds if source.per_build else ("",):
                url = resolve_url(source, build, options.overrides)
                if not url:
                    if not source.optional:
                        raise ConfigError(
                            f"source {source.name} has no URL; pass --source-url"
                        )
                    continue
                progress(f"fetching {source.name} {build}".rstrip())
                name = Path(url.split("?")[0]).name or source.name
                target = folder / source.name / (build or "all") / name
                self._files[(source.name, build)] = fetch(
                    url, target, policy=options.policy
                )
                self._sources[source.name] = source

    def get(self, name: str, build: str = "") -> Downloaded | None:
        return self._files.get((name, build))

    def downloads(self) -> tuple[Downloaded, ...]:
        return tuple(self._files.values())

    def records(self) -> dict[str, SourceRecord]:
        today = datetime.now(UTC).date().isoformat()
        records: dict[str, SourceRecord] = {}
        for (name, build), item in self._files.items():
            source = self._sources[name]
            key = f"{name}.{build}" if build else name
            records[key] = SourceRecord(
                version=source.version,
                url=item.url,
                date=today,
                sha256=item.sha256,
                licence=source.licence,
                note=source.note,
            )
        return records


def _check(options: BuildOptions) -> None:
    unknown = sorted(set(options.skip) - set(SOURCES_BY_NAME))
    if unknown:
        raise ConfigError(
            f"--skip {', '.join(unknown)}: unknown source; known: {', '.join(SOURCES_BY_NAME)}"
        )
    required = [s.name for s in SOURCES if not s.optional and s.name in options.skip]
    if required:
        raise ConfigError(f"--skip {', '.join(required)}: these sources are required")
    if not options.builds:
        raise ConfigError("at least one --build is needed (grch37 or grch38)")


def _path(item: Downloaded | None) -> Path | None:
    return item.path if item else None


def _describe(report: CompileReport) -> dict[str, object]:
    return {"rows_read": report.rows_read, "items_written": report.items_written,
            "skipped": dict(report.skipped)}  # fmt: skip


def _panelapp_panels(options: BuildOptions, knowledge: Path, progress: Progress) -> dict[str, SourceRecord]:
    """Genomics England PanelApp panels as bundle panels; gene mechanisms (LoF/GoF) come from
    our curated default panel, since PanelApp does not state them."""
    if not options.panelapp:
        return {}
    mechanisms = {g.symbol: g.mechanism for g in read_panel(CURATED / "panels" / "cpsr_default.tsv")}
    records = {}
    for panel_id, name in options.panelapp:
        progress(f"fetching PanelApp panel {panel_id} as {name}")
        panel = fetch_panel(panel_id, mechanisms, base_url=options.panelapp_url)
        write_panelapp_panel(knowledge, name, panel)
        records[f"panelapp_{panel_id}"] = SourceRecord(
            version=str(panel.version), url=f"{options.panelapp_url}/panels/{panel_id}/",
            note=f"{panel.name}: {len(panel.genes)} genes", licence="PanelApp terms of use",
        )  # fmt: skip
    return records
