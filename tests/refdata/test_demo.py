from __future__ import annotations

import json
import shutil
from pathlib import Path

import pysam
import pytest

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.genome import GRCH37_LENGTHS
from oncodrop.refdata.bundle import Bundle


@pytest.fixture(scope="module")
def bundle(demo_bundle: Path) -> Bundle:
    return Bundle.open(demo_bundle, verify=True)


def test_demo_manifest_is_labelled_not_for_clinical_use(bundle: Bundle) -> None:
    assert bundle.manifest["demo"] is True
    assert bundle.manifest["label"] == "demo, not for clinical use"
    assert bundle.manifest["sources"]["civic"]["licence"] == "CC0-1.0"
    assert "sigven/pcgr" in bundle.manifest["sources"]["cosmic"]["url"]


def test_demo_bundle_is_small(demo_bundle: Path) -> None:
    size = sum(p.stat().st_size for p in demo_bundle.rglob("*") if p.is_file())
    assert size < 30_000_000


def test_demo_evidence_covers_the_headline_biomarkers(bundle: Bundle) -> None:
    evidence = bundle.evidence()

    def has(gene: str, therapy: str, site: str, **target: object) -> bool:
        return any(
            e.gene == gene and therapy in e.therapies and e.primary_site == site
            and all(getattr(e, k) == v for k, v in target.items())
            for e in evidence
        )  # fmt: skip

    assert has("BRAF", "Vemurafenib", "Skin", hgvsp="p.V600E", level="A")
    assert has("BRAF", "Dabrafenib", "Skin", hgvsp="p.V600E")
    assert has("KRAS", "Sotorasib", "Lung", hgvsp="p.G12C", level="A")
    assert has("EGFR", "Erlotinib", "Lung", exon=19, mutation_class="inframe_deletion")
    assert has("EGFR", "Afatinib", "Lung", hgvsp="p.L858R")
    assert has("PIK3CA", "Alpelisib", "Breast", hgvsp="p.E542K")
    assert has("ERBB2", "Trastuzumab", "Breast", mutation_class="amplification")
    assert has("BRCA2", "Olaparib", "Pancreas", mutation_class="loss_of_function")
    assert has("IDH1", "Ivosidenib", "Biliary Tract", codon=132)
    assert any(
        e.gene == "TP53" and e.evidence_type.value == "Prognostic" for e in evidence
    )
    assert any(e.gene == "CDKN2A" and e.mutation_class == "deletion" for e in evidence)


def test_fasta_has_the_real_reference_base_at_every_demo_variant(
    bundle: Bundle,
) -> None:
    fasta = pysam.FastaFile(str(bundle.fasta("grch37")))
    assert fasta.fetch("7", 140453135, 140453136) == "A"  # BRAF V600E, GRCh37
    checked = 0
    for item in bundle.evidence():
        if item.start and item.ref and set(item.ref) <= set("ACGT"):
            assert (
                fasta.fetch(item.chrom, item.start - 1, item.start - 1 + len(item.ref))
                == item.ref
            )
            checked += 1
    with pysam.VariantFile(str(bundle.clinvar("grch37"))) as vcf:
        for record in vcf:
            assert (
                fasta.fetch(
                    record.chrom, record.pos - 1, record.pos - 1 + len(record.ref)
                )
                == record.ref
            )
            checked += 1
    assert checked > 40


def test_fasta_contigs_are_full_length_grch37_and_mostly_n(bundle: Bundle) -> None:
    fasta = pysam.FastaFile(str(bundle.fasta("grch37")))
    for name, length in zip(fasta.references, fasta.lengths, strict=True):
        assert GRCH37_LENGTHS[name] == length
    assert set(fasta.fetch("7", 1_000_000, 1_000_100)) == {
        "N"
    }  # far from any demo gene
    braf = next(g for g in bundle.genes("grch37") if g.symbol == "BRAF")
    assert set(fasta.fetch("7", braf.start, braf.start + 200)) <= set("ACGT")


def test_clinvar_has_pathogenic_frameshifts_and_benign_records(bundle: Bundle) -> None:
    with pysam.VariantFile(str(bundle.clinvar("grch37"))) as vcf:
        records = list(vcf)
        chek2 = list(vcf.fetch("22", 29091850, 29091860))
    by_gene: dict[str, set[str]] = {}
    for r in records:
        gene = r.info["GENEINFO"].split(":")[0]
        by_gene.setdefault(gene, set()).update(r.info["CLNSIG"])
    for gene in ("BRCA1", "BRCA2", "TP53", "MLH1", "ATM", "CHEK2"):
        assert "Pathogenic" in by_gene[gene], gene
    assert any("Benign" in sig for sig in by_gene.values())
    frameshifts = [r for r in records if "frameshift_variant" in "".join(r.info["MC"])]
    assert {r.info["GENEINFO"].split(":")[0] for r in frameshifts} >= {
        "BRCA1",
        "BRCA2",
        "CHEK2",
    }
    assert [(r.ref, r.alts) for r in chek2] == [("AG", ("A",))]  # CHEK2 c.1100delC


def test_an_outdated_demo_bundle_is_replaced(demo_bundle: Path, tmp_path: Path) -> None:
    old = Path(shutil.copytree(demo_bundle, tmp_path / "old"))
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["demo_inputs"] = "from an older oncodrop"
    (old / "manifest.json").write_text(json.dumps(manifest))
    (old / "knowledge/stale.tsv").write_text("left over\n")
    Bundle.open(build_demo_bundle(old), verify=True)  # stale file gone, manifest fresh


def test_rebuilding_reuses_an_identical_demo_and_a_fresh_build_is_identical(
    demo_bundle: Path, tmp_path: Path
) -> None:
    """(Its speed, re-used and fresh, is measured by benchmarks/speed_targets.py.)"""
    files = sorted(p for p in demo_bundle.rglob("*") if p.is_file())
    assert files
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    assert build_demo_bundle(demo_bundle) == demo_bundle
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in demo_bundle.rglob("*") if p.is_file()}
    assert after == before  # fingerprint matches: not one file rewritten
    fresh = build_demo_bundle(tmp_path / "fresh")
    assert (fresh / "knowledge/evidence.tsv").read_bytes() == (
        demo_bundle / "knowledge/evidence.tsv"
    ).read_bytes()
    assert (fresh / "genome/grch37/genome.fa.gz").read_bytes() == (
        demo_bundle / "genome/grch37/genome.fa.gz"
    ).read_bytes()
