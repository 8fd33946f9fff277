from __future__ import annotations

import csv
import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pysam
import pytest
from local_server import FileServer, serve
from upstream_fixtures import CLINVAR_RECORDS, Upstream, write_upstream

from oncodrop.errors import BundleError, ConfigError
from oncodrop.refdata.build import BuildOptions, BuildResult, build_bundle
from oncodrop.refdata.bundle import Bundle, read_signature_matrix
from oncodrop.refdata.transcripts import parse_gff3
from oncodrop.retry import RetryPolicy

FAST = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.01)


@pytest.fixture(scope="module")
def upstream(
    tmp_path_factory: pytest.TempPathFactory, testdata: Path, reference: Path
) -> Iterator[tuple[FileServer, Upstream]]:
    root = tmp_path_factory.mktemp("upstream")
    with serve(root) as server:
        yield server, write_upstream(root, testdata, reference, server.url)


@pytest.fixture(scope="module")
def full(
    upstream: tuple[FileServer, Upstream], tmp_path_factory: pytest.TempPathFactory
) -> BuildResult:
    server, files = upstream
    server.failures["/cancerGeneList.txt"] = 1  # one 503 on the way: retried
    options = BuildOptions(
        out=tmp_path_factory.mktemp("built") / "bundle",
        builds=("grch37", "grch38"),
        overrides=files.overrides,
        version="2026.11.25",
        policy=FAST,
    )
    return build_bundle(options)


def test_full_build_passes_verification(full: BuildResult) -> None:
    bundle = Bundle.open(full.path, verify=True)
    assert bundle.builds == ("grch37", "grch38")
    assert bundle.version == "2026.11.25"
    assert bundle.demo is False


def test_manifest_records_each_download_with_its_sha256(
    full: BuildResult, upstream
) -> None:
    server, _ = upstream
    sources = Bundle.open(full.path).manifest["sources"]
    served = server.root / "civic/01-Aug-2024/01-Aug-2024-ClinicalEvidenceSummaries.tsv"
    assert (
        sources["civic_evidence"]["sha256"]
        == hashlib.sha256(served.read_bytes()).hexdigest()
    )
    assert sources["civic_evidence"]["url"].startswith("http://127.0.0.1:")
    assert sources["civic_evidence"]["version"] == "01-Aug-2024"
    assert {
        "clinvar.grch37",
        "clinvar.grch38",
        "ensembl_fasta.grch38",
        "sigprofiler_wheel",
    } <= set(sources)
    files = Bundle.open(full.path).manifest["files"]
    assert files["knowledge/evidence.tsv"]["source"] == "civic_evidence"
    assert files["genome/grch38/genome.fa.gz.fai"]["source"] == "ensembl_fasta"


def test_compiled_evidence_has_braf_v600e_level_a_for_melanoma(
    full: BuildResult, testdata: Path
) -> None:
    evidence = Bundle.open(full.path).evidence()
    assert any(
        e.gene == "BRAF" and e.hgvsp == "p.V600E" and e.level == "A" and e.primary_site == "Skin"
        and "Vemurafenib" in e.therapies for e in evidence
    )  # fmt: skip
    assert len(evidence) == full.civic.items_written
    with gzip.open(
        testdata / "civic/01-Aug-2024-ClinicalEvidenceSummaries.tsv.gz",
        "rt",
        newline="",
    ) as fh:
        raw = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    flagged = {r["evidence_id"] for r in raw if r["is_flagged"] == "true"}
    assert full.civic.skipped_for("flagged evidence") == len(flagged)
    assert not {e.evidence_id.removeprefix("EID") for e in evidence} & flagged


def test_gene_roles_and_hotspots_come_from_their_upstream_layouts(
    full: BuildResult,
) -> None:
    bundle = Bundle.open(full.path)
    roles = bundle.gene_roles()
    assert roles == {"BRAF": "oncogene", "KRAS": "oncogene", "TP53": "tumour_suppressor",
                     "BRCA2": "tumour_suppressor", "EZH2": "both"}  # fmt: skip
    hotspots = {(h.gene, h.codon, h.hgvsp): h.count for h in bundle.hotspots()}
    assert hotspots[("BRAF", 600, None)] == 897
    assert hotspots[("BRAF", 600, "p.V600E")] == 833
    assert hotspots[("KRAS", 12, "p.G12C")] == 290
    assert not any(
        gene == "EGFR" for gene, _, _ in hotspots
    )  # the indel row is skipped


def test_per_build_files_are_compiled(
    full: BuildResult, upstream, reference: Path
) -> None:
    _, files = upstream
    bundle = Bundle.open(full.path)
    _, names, matrix = bundle.signatures("grch38")
    _, ref_names, ref_matrix = read_signature_matrix(
        reference / "pcgr/COSMIC_v3.4_SBS_GRCh38.txt"
    )
    assert names == ref_names and np.array_equal(matrix, ref_matrix)
    genes = {g.symbol: g for g in bundle.genes("grch38")}
    assert (genes["BRAF"].chrom, genes["BRAF"].start, genes["BRAF"].strand) == (
        "7",
        1001,
        "-",
    )
    assert genes["TP53"].gene_id == "ENSG00000141510"
    fasta = pysam.FastaFile(str(bundle.fasta("grch38")))
    assert fasta.fetch("17", 100, 160) == files.sequences["17"][100:160]
    with pysam.VariantFile(str(bundle.clinvar("grch37"))) as vcf:
        records = list(vcf.fetch("17", 1000, 3000))
    assert [r.pos for r in records] == [
        pos for chrom, pos, *_ in CLINVAR_RECORDS if chrom == "17"
    ]
    assert bundle.gff3("grch38") is not None
    transcripts = bundle.transcripts("grch38")
    assert transcripts and transcripts == parse_gff3(bundle.gff3("grch38"))  # the table, as parsed
    assert bundle.manifest["files"]["genome/grch38/transcripts.tsv.gz"]["source"] == "ensembl_gff3"


def test_grch37_without_gff3_uses_civic_gene_spans(upstream, tmp_path: Path) -> None:
    _, files = upstream
    options = BuildOptions(
        out=tmp_path / "b37", builds=("grch37",), overrides=files.overrides,
        skip=frozenset({"ensembl_gff3", "ensembl_fasta", "clinvar", "cancerhotspots"}), policy=FAST,
    )  # fmt: skip
    bundle = Bundle.open(build_bundle(options).path, verify=True)
    braf = next(g for g in bundle.genes("grch37") if g.symbol == "BRAF")
    assert braf.chrom == "7" and braf.start <= 140453136 <= braf.end
    assert (
        bundle.manifest["files"]["genome/grch37/genes.tsv"]["source"]
        == "civic_variants"
    )
    assert bundle.fasta("grch37") is None and bundle.hotspots() == ()


def test_legacy_2021_civic_layout_builds(upstream, tmp_path: Path) -> None:
    server, files = upstream
    overrides = dict(files.overrides)
    overrides["civic_evidence"] = (
        server.url + "/civic/nightly/nightly-ClinicalEvidenceSummaries.tsv"
    )
    overrides["civic_variants"] = (
        server.url + "/civic/nightly/nightly-VariantSummaries.tsv"
    )
    options = BuildOptions(
        out=tmp_path / "legacy", builds=("grch37",), overrides=overrides, policy=FAST,
        skip=frozenset({"civic_profiles", "ensembl_gff3", "ensembl_fasta", "clinvar"}),
    )  # fmt: skip
    result = build_bundle(options)
    evidence = Bundle.open(result.path, verify=True).evidence()
    assert any(
        e.gene == "BRAF" and e.hgvsp == "p.V600E" and e.level == "A" for e in evidence
    )
    assert len(evidence) == result.civic.items_written


def test_a_missing_upstream_file_fails_without_leaving_a_bundle(
    upstream, tmp_path: Path
) -> None:
    server, files = upstream
    overrides = dict(files.overrides, civic_variants=server.url + "/civic/gone.tsv")
    out = tmp_path / "broken"
    with pytest.raises(BundleError, match="HTTP 404 .*gone.tsv"):
        build_bundle(
            BuildOptions(out=out, builds=("grch37",), overrides=overrides, policy=FAST)
        )
    assert not out.exists()
    assert not list(tmp_path.glob(".broken*"))


def test_skipping_a_required_source_or_reusing_a_full_folder_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match="civic_evidence: these sources are required"):
        build_bundle(
            BuildOptions(out=tmp_path / "x", skip=frozenset({"civic_evidence"}))
        )
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "file").write_text("keep me")
    with pytest.raises(ConfigError, match="not empty"):
        build_bundle(
            BuildOptions(
                out=occupied, overrides={"civic_evidence": str(occupied / "file")}
            )
        )
    assert (occupied / "file").read_text() == "keep me"


def test_panelapp_panels_become_bundle_panels_with_their_source_in_the_manifest(
    upstream: tuple[FileServer, Upstream], tmp_path: Path
) -> None:
    from test_panelapp import PANEL_243

    server, files = upstream
    panel_dir = server.root / "api/v1/panels/243"
    panel_dir.mkdir(parents=True, exist_ok=True)
    (panel_dir / "index.html").write_text(__import__("json").dumps(PANEL_243))  # served for ".../243/"
    options = BuildOptions(
        out=tmp_path / "b", builds=("grch37",), overrides=files.overrides, policy=FAST,
        skip=frozenset({"ensembl_gff3", "ensembl_fasta", "clinvar", "cancerhotspots"}),
        panelapp=((243, "childhood_solid"),), panelapp_url=f"{server.url}/api/v1",
    )  # fmt: skip
    bundle = Bundle.open(build_bundle(options).path, verify=True)
    assert "childhood_solid" in bundle.panels()
    genes = {g.symbol: g for g in bundle.panel("childhood_solid")}
    assert set(genes) == {"TP53", "DICER1", "FANCA"}  # ELP1 is amber, the region is not a gene
    assert genes["FANCA"].inheritance == "AR"
    assert bundle.manifest["sources"]["panelapp_243"]["version"] == "3.4"
    assert bundle.manifest["files"]["knowledge/panels/childhood_solid.tsv"]["source"] == "panelapp_243"
