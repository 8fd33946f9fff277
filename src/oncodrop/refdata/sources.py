"""The upstream sources of a reference bundle, as data.

One row per source: where it lives (URL template), which version we pin, what format the
compile step expects, and whether a build can do without it. ``resolve_url`` fills in the
template; ``--source-url NAME=URL`` replaces it (``{build}`` -> grch38, ``{label}`` -> GRCh38,
``{version}``), which is also how the tests point the build at a local HTTP server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oncodrop.errors import ConfigError
from oncodrop.refdata.bundle import BUILD_LABELS

_ENSEMBL = "https://ftp.ensembl.org/pub"


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: (
        str | Mapping[str, str]
    )  # one template, or one per build ("" = no public TSV URL)
    version: str
    format: str
    licence: str
    per_build: bool = False
    optional: bool = False
    note: str = ""


SOURCES: tuple[Source, ...] = (
    Source("civic_evidence", "https://civicdb.org/downloads/{version}/{version}-ClinicalEvidenceSummaries.tsv",
           "01-Aug-2024", "civic-evidence-tsv", "CC0-1.0"),
    Source("civic_profiles", "https://civicdb.org/downloads/{version}/{version}-MolecularProfileSummaries.tsv",
           "01-Aug-2024", "civic-profiles-tsv", "CC0-1.0",
           note="absent in the legacy nightly layout (pass --skip civic_profiles)", optional=True),
    Source("civic_variants", "https://civicdb.org/downloads/{version}/{version}-VariantSummaries.tsv",
           "01-Aug-2024", "civic-variants-tsv", "CC0-1.0"),
    Source("oncokb_genes", "https://www.oncokb.org/api/v1/utils/cancerGeneList.txt", "latest",
           "oncokb-cancer-gene-list-tsv", "OncoKB terms of use (public cancer gene list)"),
    Source("cancerhotspots", "https://www.cancerhotspots.org/files/hotspots_v2.xls", "v2",
           "cancerhotspots-v2-xls", "ODbL-1.0", optional=True,
           note="the published Excel workbook (SNV-hotspots sheet); a TSV export of that sheet "
                "works too"),
    Source("clinvar", "https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_{label}/clinvar.vcf.gz",
           "latest", "clinvar-vcf", "public domain (NCBI)", per_build=True, optional=True),
    Source("sigprofiler_wheel",
           "https://files.pythonhosted.org/packages/py3/S/SigProfilerAssignment/"
           "SigProfilerAssignment-{version}-py3-none-any.whl",
           "0.1.9", "sigprofiler-wheel", "BSD-2-Clause (COSMIC signatures)"),
    Source("ensembl_gff3", {
        "grch38": _ENSEMBL + "/release-{version}/gff3/homo_sapiens/Homo_sapiens.GRCh38.{version}.gff3.gz",
        "grch37": _ENSEMBL + "/grch37/release-{version}/gff3/homo_sapiens/Homo_sapiens.GRCh37.87.gff3.gz",
    }, "113", "ensembl-gff3", "Ensembl (no restrictions)", per_build=True, optional=True),
    Source("ensembl_fasta", {
        "grch38": _ENSEMBL + "/release-{version}/fasta/homo_sapiens/dna/"
                  "Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz",
        "grch37": _ENSEMBL + "/grch37/release-{version}/fasta/homo_sapiens/dna/"
                  "Homo_sapiens.GRCh37.dna.primary_assembly.fa.gz",
    }, "113", "fasta", "Ensembl (no restrictions)", per_build=True, optional=True),
)  # fmt: skip
SOURCES_BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}


def parse_overrides(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["clinvar=http://…", …]`` -> {name: url}; ``ConfigError`` for unknown names."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not url:
            raise ConfigError(f"--source-url {pair!r}: expected NAME=URL")
        if name not in SOURCES_BY_NAME:
            raise ConfigError(
                f"--source-url {pair!r}: unknown source {name!r}; known: {', '.join(SOURCES_BY_NAME)}"
            )
        overrides[name] = url
    return overrides


def resolve_url(source: Source, build: str | None, overrides: Mapping[str, str]) -> str:
    """The URL to fetch for ``source`` (and ``build`` for per-build sources); "" if none."""
    template = overrides.get(source.name)
    if template is None:
        template = (
            source.url
            if isinstance(source.url, str)
            else source.url.get(build or "", "")
        )
    if not template:
        return ""
    label = BUILD_LABELS.get(build or "", "")
    return template.format(build=build or "", label=label, version=source.version)
