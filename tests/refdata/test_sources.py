from __future__ import annotations

import pytest

from oncodrop.errors import ConfigError
from oncodrop.refdata.sources import (
    SOURCES,
    SOURCES_BY_NAME,
    parse_overrides,
    resolve_url,
)


def test_default_urls_fill_version_and_build() -> None:
    civic = resolve_url(SOURCES_BY_NAME["civic_evidence"], None, {})
    assert civic == (
        "https://civicdb.org/downloads/01-Aug-2024/01-Aug-2024-ClinicalEvidenceSummaries.tsv"
    )
    clinvar = resolve_url(SOURCES_BY_NAME["clinvar"], "grch37", {})
    assert (
        clinvar == "https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh37/clinvar.vcf.gz"
    )
    fasta = resolve_url(SOURCES_BY_NAME["ensembl_fasta"], "grch38", {})
    assert fasta.endswith(
        "/release-113/fasta/homo_sapiens/dna/Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz"
    )


def test_overrides_are_templates_too() -> None:
    overrides = parse_overrides(
        ["clinvar=http://127.0.0.1:8000/{label}/clinvar.{build}.vcf.gz"]
    )
    url = resolve_url(SOURCES_BY_NAME["clinvar"], "grch38", overrides)
    assert url == "http://127.0.0.1:8000/GRCh38/clinvar.grch38.vcf.gz"


def test_bad_overrides_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="expected NAME=URL"):
        parse_overrides(["clinvar"])
    with pytest.raises(ConfigError, match="unknown source 'dbsnp'"):
        parse_overrides(["dbsnp=http://x"])


def test_every_required_source_has_a_default_url() -> None:
    for source in SOURCES:
        if not source.optional:
            assert resolve_url(source, "grch38", {}).startswith("https://"), source.name
