"""Fixture bundles for the germline reporter, built in each test session from small tables.

The gene spans are Ensembl GRCh38/GRCh37 gene spans rounded outward (fixture use only); the
ClinVar rows are written in ClinVar's own VCF layout. Facts asserted on real data (the
HCC1395BL normal) come from ``../shared/testdata/germline``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pysam
import pytest

from oncodrop.domain.genome import CHROMOSOME_LENGTHS
from oncodrop.refdata.assemble import finish
from oncodrop.refdata.bundle import GeneLocus, Hotspot, PanelGene
from oncodrop.refdata.genes import write_genes
from oncodrop.refdata.knowledge import write_hotspots, write_panel
from oncodrop.refdata.manifest import SourceRecord

GRCH38_GENES = (
    GeneLocus("MLH1", "3", 36993300, 37050950, "+", "ENSG00000076242"),
    GeneLocus("KRAS", "12", 25205200, 25250950, "-", "ENSG00000133703"),
    GeneLocus("NF1", "17", 31094900, 31382150, "+", "ENSG00000196712"),
    GeneLocus("BRCA1", "17", 43044250, 43125500, "-", "ENSG00000012048"),
    GeneLocus("BRCA2", "13", 32315450, 32400300, "+", "ENSG00000139618"),
    GeneLocus("TP53", "17", 7661750, 7687550, "-", "ENSG00000141510"),
)
PANEL = (
    PanelGene("BRCA1", "LoF", "AD"),
    PanelGene("BRCA2", "LoF", "AD"),
    PanelGene("KRAS", "GoF", "AD"),
    PanelGene("MLH1", "LoF", "AD"),
    PanelGene("TP53", "LoF", "AD"),
)
ACMG_SF = ("BRCA1", "BRCA2", "MLH1", "NF1", "TP53")
HOTSPOTS = (Hotspot("TP53", 175, None, 1000), Hotspot("KRAS", 12, None, 5000))


@dataclass(frozen=True)
class ClinvarRow:
    """One ClinVar VCF record (``csq``: an optional VEP CSQ string for PS1/PM5)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    clnsig: str
    revstat: str
    disease: str = "Hereditary_cancer-predisposing_syndrome"
    gene: str = ""
    variation_id: str = "."
    csq: str = ""


CSQ_FORMAT = "Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSc|HGVSp|Protein_position"


def write_clinvar(path: Path, rows: Sequence[ClinvarRow], build: str) -> Path:
    """A bgzipped, tabix-indexed VCF in ClinVar's layout (chromosomes without ``chr``)."""
    lengths = CHROMOSOME_LENGTHS[build]  # type: ignore[index]
    header = [
        "##fileformat=VCFv4.1",
        f"##reference={'GRCh38' if build == 'grch38' else 'GRCh37'}",
        *(f"##contig=<ID={c},length={n}>" for c, n in lengths.items()),
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="Review status">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="Disease name">',
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene symbol:gene id">',
    ]
    if any(r.csq for r in rows):
        header.append(f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
                      f'Ensembl VEP. Format: {CSQ_FORMAT}">')
    header.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    order = {c: i for i, c in enumerate(lengths)}
    lines = []
    for r in sorted(rows, key=lambda r: (order[r.chrom], r.pos)):
        info = f"CLNSIG={r.clnsig};CLNREVSTAT={r.revstat};CLNDN={r.disease}"
        info += f";GENEINFO={r.gene}:1" if r.gene else ""
        info += f";CSQ={r.csq}" if r.csq else ""
        lines.append(f"{r.chrom}\t{r.pos}\t{r.variation_id}\t{r.ref}\t{r.alt}\t.\t.\t{info}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with pysam.BGZFile(str(path), "wb") as fh:
        fh.write(("\n".join(header + lines) + "\n").encode())
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


@dataclass
class BundleSpec:
    build: str = "grch38"
    genes: Sequence[GeneLocus] = GRCH38_GENES
    panels: dict[str, Sequence[PanelGene]] = field(default_factory=lambda: {"cpsr_default": PANEL})
    acmg_sf: Sequence[str] = ACMG_SF
    hotspots: Sequence[Hotspot] = HOTSPOTS
    clinvar: Sequence[ClinvarRow] | None = ()


def build_bundle(root: Path, spec: BundleSpec) -> Path:
    """A bundle folder (with manifest) holding only what the germline reporter reads."""
    if root.exists():
        shutil.rmtree(root)
    knowledge = root / "knowledge"
    for name, genes in spec.panels.items():
        write_panel(knowledge / "panels" / f"{name}.tsv", genes, "test fixture")
    (knowledge / "acmg_sf.tsv").write_text(
        "symbol\tcategory\tsource\n" + "".join(f"{s}\tcancer\tfixture\n" for s in spec.acmg_sf))
    write_hotspots(knowledge / "hotspots.tsv", spec.hotspots, "fixture")
    write_genes(root / "genome" / spec.build / "genes.tsv", spec.genes)
    if spec.clinvar is not None:
        write_clinvar(root / "clinvar" / f"clinvar.{spec.build}.vcf.gz", spec.clinvar, spec.build)
    finish(root, name="germline-fixture", version="1", builds=(spec.build,),
           sources={"fixture": SourceRecord(version="1")}, source_of={"": "fixture"})
    return root


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    """``make_bundle(name, **BundleSpec fields)`` -> bundle folder under tmp_path."""

    def make(name: str = "bundle", **fields: object) -> Path:
        return build_bundle(tmp_path / name, BundleSpec(**fields))  # type: ignore[arg-type]

    return make
