"""The offline demo bundle: small real tables committed in ``demo_data/``, built in seconds.

Contents (GRCh37 only, because the demo VCFs are GRCh37):
* evidence: ~60 real CIViC 01-Aug-2024 evidence rows (CC0) in CIViC's own TSV layout, compiled
  by the same code as a full build;
* gene roles (~100 genes) and hotspot residues (~60), curated for the demo;
* ClinVar: 20 germline rows (pathogenic BRCA1/BRCA2 frameshifts, CHEK2 1100delC, TP53, MLH1,
  MSH2, PTEN, ATM; benign and VUS rows; the drug-response DPYD*2A c.1905+1G>A, rs3918290)
  written as an upstream-style VCF;
* COSMIC v3.4 SBS matrix: the copy in sigven/pcgr (GRCh38-normalised), used for GRCh37 too;
* genes.tsv from CIViC's GRCh37 gene-level coordinates plus ``PGX_GENES`` (DPYD, so the germline
  report's pharmacogenomic section is assessed in the demo), and a synthetic genome
  (``demo_genome.py``) carrying the real reference base at every demo variant position.
The manifest says ``"demo": true`` and ``"label": "demo, not for clinical use"``.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from oncodrop import __version__
from oncodrop.demo.genome import GRCH37_LENGTHS, windows_around, write_demo_fasta
from oncodrop.domain.genome import CHROMOSOME_ORDER, Build
from oncodrop.errors import BundleError
from oncodrop.refdata.assemble import (
    CURATED,
    CURATED_SOURCE,
    finish,
    staging,
    write_knowledge,
)
from oncodrop.refdata.bundle import GeneLocus
from oncodrop.refdata.civic import CivicRelease, compile_release
from oncodrop.refdata.genes import genes_from_civic, write_genes
from oncodrop.refdata.genome import compile_vcf
from oncodrop.refdata.knowledge import read_hotspots, read_roles
from oncodrop.refdata.manifest import DEMO_LABEL, SourceRecord, read_manifest
from oncodrop.refdata.tsv import Row, read_rows

DEMO_DATA = Path(__file__).parent / "data"
DEMO_NAME = "oncodrop-demo"
DEMO_VERSION = "2026.11-demo"
BUILD: Build = "grch37"
# CPIC genes CIViC's spans do not give (Ensembl GRCh37 gene span of DPYD, ENSG00000188641):
# in genes.tsv for the germline pharmacogenomic section only. Demo VCF generators leave them
# out of passenger draws (``samples``), and the synthetic genome only covers their ClinVar rows.
PGX_GENES: tuple[GeneLocus, ...] = (GeneLocus("DPYD", "1", 97543299, 98386615, "-", "entrez:1806"),)
CLINVAR_INFO = ("CLNSIG", "CLNREVSTAT", "CLNDN", "GENEINFO", "MC", "CLNHGVS")
_CLINVAR_HEADER = """##fileformat=VCFv4.1
##source=ClinVar (oncodrop demo subset, GRCh37)
##reference=GRCh37
##ID=<Description="ClinVar Variation ID">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant">
##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status of germline classification for the Variation ID">
##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar's preferred disease name">
##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id">
##INFO=<ID=MC,Number=.,Type=String,Description="comma separated list of molecular consequence in the form of Sequence Ontology ID|molecular_consequence">
##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level (primary assembly, alt, or patch) HGVS expression.">
"""


def build_demo_bundle(out: Path) -> Path:
    """Build the demo bundle at ``out`` and return ``out``. An identical demo already there
    (same fingerprint of the committed tables) is reused; an older demo is replaced."""
    out = Path(out)
    fingerprint = demo_fingerprint()
    previous = _previous_demo(out)
    if previous is not None:
        if previous == fingerprint:
            return out
        shutil.rmtree(out)  # an older demo bundle of ours: replace it
    with staging(out) as root:
        release = compile_release(*_civic_paths())
        write_knowledge(
            root,
            release,
            read_roles(DEMO_DATA / "gene_roles.tsv"),
            read_hotspots(DEMO_DATA / "hotspots.tsv"),
            "demo (curated residues)",
        )
        clinvar_rows = tuple(
            read_rows(DEMO_DATA / "clinvar.tsv", ("chrom", "pos", "ref", "alt"))
        )
        _write_clinvar(root / "clinvar" / f"clinvar.{BUILD}.vcf.gz", clinvar_rows)
        signatures = root / "signatures"
        signatures.mkdir()
        shutil.copyfile(
            DEMO_DATA / "COSMIC_v3.4_SBS_GRCh38.txt",
            signatures / "COSMIC_v3.4_SBS_GRCh37.txt",
        )
        genes = genes_from_civic(release.variants, BUILD)
        order = {c: i for i, c in enumerate(CHROMOSOME_ORDER)}
        loci = sorted((*genes, *PGX_GENES), key=lambda g: (order.get(g.chrom, 99), g.start))
        write_genes(root / "genome" / BUILD / "genes.tsv", loci)
        spans = [(g.chrom, g.start, g.end) for g in genes]  # PGX_GENES: ClinVar rows only (patches)
        patches = _reference_patches(release, clinvar_rows)
        spans += [
            (chrom, pos, pos + len(bases) - 1)
            for (chrom, pos), bases in patches.items()
        ]
        write_demo_fasta(
            root / "genome" / BUILD / "genome.fa.gz", windows_around(spans), patches
        )
        finish(
            root,
            name=DEMO_NAME,
            version=DEMO_VERSION,
            builds=(BUILD,),
            sources=_demo_sources(),
            source_of=_SOURCE_OF,
            demo=True,
            label=DEMO_LABEL,
            extra={"demo_inputs": fingerprint},
        )
    return out


def _previous_demo(out: Path) -> str | None:
    """The input fingerprint of a demo bundle already at ``out`` (None if there is none)."""
    if not (out / "manifest.json").is_file():
        return None
    try:
        existing = read_manifest(out)
    except BundleError:
        return None
    if not existing.demo:
        return None
    return str((existing.model_extra or {}).get("demo_inputs", ""))


def demo_fingerprint() -> str:
    """sha256 over the committed demo and curated tables (and the code version)."""
    digest = hashlib.sha256(__version__.encode())
    for folder in (DEMO_DATA, CURATED):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


_SOURCE_OF = {
    "knowledge/evidence.tsv": "civic",
    "knowledge/sites.tsv": "civic",
    "knowledge/gene_roles.tsv": "demo_tables",
    "knowledge/hotspots.tsv": "demo_tables",
    "knowledge/": "oncodrop_curated",
    "clinvar/": "clinvar",
    "signatures/": "cosmic",
    "genome/grch37/genes.tsv": "civic",
    "genome/": "synthetic_genome",
}


def _demo_sources() -> dict[str, SourceRecord]:
    return {
        "civic": SourceRecord(
            version="01-Aug-2024",
            url="https://civicdb.org/downloads/01-Aug-2024/",
            date="2024-08-01",
            licence="CC0-1.0",
            note="61 evidence rows with their molecular profiles and variants, unmodified; "
            "genes.tsv spans are CIViC's GRCh37 gene-level coordinates",
        ),
        "demo_tables": SourceRecord(
            version=DEMO_VERSION,
            note="gene roles and hotspot residues curated for the demo; hotspot counts are "
            "rounded magnitudes, not cancerhotspots.org values",
        ),
        "oncodrop_curated": CURATED_SOURCE,
        "clinvar": SourceRecord(
            version="demo",
            url="https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh37/",
            licence="public domain (NCBI)",
            note="20 hand-picked germline records in ClinVar's VCF layout (positions from CIViC and "
            "ClinVar; ID '.' where the variation id was not checked)",
        ),
        "cosmic": SourceRecord(
            version="v3.4",
            url="https://github.com/sigven/pcgr (COSMIC_v3.4_SBS_GRCh38.txt)",
            licence="COSMIC signatures as redistributed by SigProfiler (BSD-2) and PCGR (MIT)",
            note="the GRCh38-normalised matrix, used unchanged for the GRCh37 demo",
        ),
        "synthetic_genome": SourceRecord(
            version=DEMO_VERSION,
            note="GRCh37 contig lengths; N except seeded-random bases within 50 kb of demo genes, "
            "with the real reference allele at every demo variant position",
        ),
    }


def _civic_paths() -> tuple[Path, Path, Path]:
    folder = DEMO_DATA / "civic"
    return (
        folder / "ClinicalEvidenceSummaries.tsv",
        folder / "VariantSummaries.tsv",
        folder / "MolecularProfileSummaries.tsv",
    )


def _reference_patches(
    release: CivicRelease, clinvar_rows: tuple[Row, ...]
) -> dict[tuple[str, int], str]:
    """(chrom, pos) -> the real reference base, one per position, from the CIViC evidence and
    the ClinVar rows; two sources disagreeing about a base is a bug in the demo tables."""
    alleles = [
        (item.chrom, item.start, item.ref)
        for item in release.evidence
        if item.build == BUILD and item.chrom in GRCH37_LENGTHS and item.start and item.ref
        and set(item.ref) <= set("ACGT")
    ]  # fmt: skip
    alleles += [(r.get("chrom"), int(r.get("pos")), r.get("ref")) for r in clinvar_rows]
    patches: dict[tuple[str, int], str] = {}
    for chrom, start, ref in alleles:
        for offset, base in enumerate(ref):
            key = (chrom, start + offset)
            if patches.setdefault(key, base) != base:
                raise BundleError(
                    f"demo tables disagree about the GRCh37 base at {chrom}:{start + offset}"
                )
    return patches


def _write_clinvar(target: Path, rows: tuple[Row, ...]) -> None:
    chroms = sorted({r.get("chrom") for r in rows}, key=list(GRCH37_LENGTHS).index)
    lines = [_CLINVAR_HEADER.rstrip("\n")]
    lines += [f"##contig=<ID={c},length={GRCH37_LENGTHS[c]}>" for c in chroms]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    ordered = sorted(
        rows, key=lambda r: (chroms.index(r.get("chrom")), int(r.get("pos")))
    )
    for r in ordered:
        info = ";".join(f"{key}={r.get(key)}" for key in CLINVAR_INFO if r.get(key))
        lines.append("\t".join((r.get("chrom"), r.get("pos"), r.get("id") or ".", r.get("ref"),
                                r.get("alt"), ".", ".", info)))  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        plain = Path(tmp) / "clinvar.vcf"
        plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
        compile_vcf(plain, target)
