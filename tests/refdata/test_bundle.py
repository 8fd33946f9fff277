from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.errors import BundleError
from oncodrop.refdata.bundle import Bundle, GeneLocus, Hotspot, PanelGene


@pytest.fixture
def bundle_copy(demo_bundle: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo bundle (for tampering)."""
    return Path(shutil.copytree(demo_bundle, tmp_path / "bundle"))


def test_open_verified_exposes_manifest_identity(demo_bundle: Path) -> None:
    bundle = Bundle.open(demo_bundle, verify=True)
    assert bundle.name == "oncodrop-demo"
    assert bundle.demo is True
    assert bundle.label == "demo, not for clinical use"
    assert bundle.manifest["builds"] == ["grch37"]
    described = bundle.describe()
    assert described["version"] == bundle.version
    assert len(described["manifest_sha256"]) == 64


def test_evidence_is_typed_and_cached(demo_bundle: Path) -> None:
    bundle = Bundle.open(demo_bundle)
    evidence = bundle.evidence()
    assert evidence is bundle.evidence()
    assert all(isinstance(e, EvidenceItem) for e in evidence)
    eid1409 = next(e for e in evidence if e.evidence_id == "EID1409")
    assert eid1409.evidence_type is EvidenceType.PREDICTIVE
    assert eid1409.therapies == ("Vemurafenib",)
    assert (eid1409.chrom, eid1409.start, eid1409.rating) == ("7", 140453136, 5)


def test_knowledge_accessors_return_model_types(demo_bundle: Path) -> None:
    bundle = Bundle.open(demo_bundle)
    roles = bundle.gene_roles()
    assert roles["BRAF"] == "oncogene" and roles["TP53"] == "tumour_suppressor"
    assert set(roles.values()) <= {"oncogene", "tumour_suppressor", "both"}
    assert Hotspot("BRAF", 600, "p.V600E", 830) in bundle.hotspots()
    assert any(
        h.gene == "KRAS" and h.codon == 12 and h.hgvsp is None
        for h in bundle.hotspots()
    )
    assert bundle.panels() == ("cpsr_default",)
    panel = bundle.panel("cpsr_default")
    assert PanelGene("BRCA1", "LoF", "AD/AR") in panel
    assert "BRCA2" in bundle.acmg_sf_genes()
    assert bundle.primary_site("Lung Non-small Cell Carcinoma") == "Lung"
    assert bundle.primary_site("skin melanoma") == "Skin"  # table lookup ignores case


def test_unknown_panel_error_names_the_available_ones(demo_bundle: Path) -> None:
    with pytest.raises(BundleError, match="available: cpsr_default"):
        Bundle.open(demo_bundle).panel("tso500")


def test_per_build_files(demo_bundle: Path) -> None:
    bundle = Bundle.open(demo_bundle)
    contexts, names, matrix = bundle.signatures("grch37")
    assert len(contexts) == 96 and contexts[0] == "A[C>A]A"
    assert "SBS1" in names and matrix.shape == (96, len(names))
    assert np.allclose(
        matrix.sum(axis=0), 1.0, atol=1e-3
    )  # each signature is a distribution
    genes = {g.symbol: g for g in bundle.genes("grch37")}
    assert isinstance(genes["BRAF"], GeneLocus) and genes["BRAF"].chrom == "7"
    assert bundle.fasta("grch37") and bundle.clinvar("grch37")
    assert bundle.gff3("grch37") is None


def test_missing_build_is_a_bundle_error_saying_what_to_do(demo_bundle: Path) -> None:
    with pytest.raises(BundleError, match="no genome build 'grch38'.*--build grch38"):
        Bundle.open(demo_bundle).genes("grch38")


def test_verify_names_a_changed_file(bundle_copy: Path) -> None:
    with open(bundle_copy / "knowledge/hotspots.tsv", "a") as fh:
        fh.write("KRAS\t146\t\t1\tedited\n")
    Bundle.open(bundle_copy)  # without verify the edit goes unnoticed
    with pytest.raises(
        BundleError, match="knowledge/hotspots.tsv does not match its sha256"
    ):
        Bundle.open(bundle_copy, verify=True)


def test_verify_names_a_missing_and_an_unlisted_file(bundle_copy: Path) -> None:
    (bundle_copy / "extra.txt").write_text("not in the manifest")
    with pytest.raises(BundleError, match="extra.txt is not listed"):
        Bundle.open(bundle_copy, verify=True)
    (bundle_copy / "extra.txt").unlink()
    (bundle_copy / "clinvar/clinvar.grch37.vcf.gz.tbi").unlink()
    with pytest.raises(BundleError, match="clinvar.grch37.vcf.gz.tbi .* is missing"):
        Bundle.open(bundle_copy, verify=True)


def test_open_is_lazy_and_a_bad_table_fails_on_first_use(bundle_copy: Path) -> None:
    evidence = bundle_copy / "knowledge/evidence.tsv"
    lines = evidence.read_text().splitlines()
    fields = lines[1].split("\t")
    fields[10] = "five"  # rating
    lines[1] = "\t".join(fields)
    evidence.write_text("\n".join(lines) + "\n")
    bundle = Bundle.open(bundle_copy)
    with pytest.raises(BundleError, match="evidence.tsv: line 2, column 'rating'"):
        bundle.evidence()


def test_missing_or_broken_manifest_is_reported(
    tmp_path: Path, bundle_copy: Path
) -> None:
    with pytest.raises(BundleError, match="does not exist.*refdata build"):
        Bundle.open(tmp_path / "nowhere")
    manifest = bundle_copy / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["version"]
    manifest.write_text(json.dumps(data))
    with pytest.raises(BundleError, match="field 'version'"):
        Bundle.open(bundle_copy)
    data["version"], data["layout"] = "2099.1", 99
    manifest.write_text(json.dumps(data))
    with pytest.raises(BundleError, match="layout 99 is newer"):
        Bundle.open(bundle_copy)
    manifest.write_text("{not json")
    with pytest.raises(BundleError, match="line 1: not valid JSON"):
        Bundle.open(bundle_copy)
