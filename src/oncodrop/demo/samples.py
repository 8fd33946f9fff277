"""The demo's input tarballs, generated from the demo bundle so everything is consistent.

- ``demo_melanoma-a1b2c3-somatic``: BRAF V600E + TP53 R273H, UV-like passengers (SBS7a/SBS1),
  CDKN2A homozygous deletion in the CNA segments; tumour site Skin.
- ``demo_breast-4d5e6f-somatic``: PIK3CA E542K + TP53 R175H, APOBEC-like passengers
  (SBS2/SBS13/SBS1) with a kataegis shower, ERBB2 amplification; tumour site Breast.
- both tumours also carry a few passenger indels (``MELANOMA_INDELS``, ``BREAST_INDELS``), as
  MSS tumours do: a coding indel share far below 0.10, so the MSI estimate calls MSS.
- ``demo_breast-4d5e6f-normal``: the same patient's normal with BRCA2 c.5946del (pathogenic),
  CHEK2 c.1100del (pathogenic) and the common TP53 P72R (benign).
- two broken drops: a tarball with a ``../evil`` member, and a misnamed tarball.
Every sample is synthetic: no patient's data.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pysam

from oncodrop.demo import drivers as d
from oncodrop.demo.bundle import PGX_GENES
from oncodrop.demo.indels import IndelPlan, draw_indels
from oncodrop.demo.passengers import context_sites, draw_passengers, kataegis_cluster
from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant
from oncodrop.intake.pack import pack_sample
from oncodrop.refdata.bundle import Bundle

BUILD: Build = "grch37"
_SITES: dict[Path, dict[str, list[tuple[str, int, str]]]] = {}  # context index per FASTA, built once
MELANOMA_INDELS = IndelPlan(coding=8, coding_microsatellite=2, intronic=6, intronic_microsatellite=3)
"""Known MSI answer: 8 coding indels among 367 coding variants (share 0.02 < 0.10), 2 of
them in microsatellites (0.06/Mb over 34 Mb, < 1.0): MSS."""
BREAST_INDELS = IndelPlan(coding=5, coding_microsatellite=1, intronic=4, intronic_microsatellite=2)
"""Known MSI answer: 5 coding indels among 207 coding variants (share 0.02), 1 in a
microsatellite: MSS."""


@dataclass(frozen=True, slots=True)
class DemoSample:
    """One demo drop and what the demo expects to happen to it."""

    key: str
    path: Path
    expect: str  # "SUCCEEDED" | "REJECTED"
    story: str


def _config(site: str | None, *, kind: str, purity: float | None = None) -> str:
    lines = ["# oncodrop sample config (demo, synthetic data)", "[sample]", f'genome_build = "{BUILD}"']
    if site:
        lines.append(f'tumor_site = "{site}"')
    lines += ["", "[assay]", 'type = "WES"', "target_size_mb = 34.0"]
    if kind == "somatic":
        lines += ["", "[tumor]", f"purity = {purity or 0.7}", "ploidy = 2.0"]
        lines += ["", "[allelic_support]", "tumor_dp_min = 20", "tumor_af_min = 0.05"]
    else:
        lines += ["", "[germline]", 'panel = "cpsr_default"']
    return "\n".join(lines) + "\n"


def _segments(path: Path, rows: list[tuple[str, int, int, int, int]]) -> Path:
    """PCGR 2.x allele-specific segments (Chromosome Start End nMajor nMinor)."""
    text = "Chromosome\tStart\tEnd\tnMajor\tnMinor\n" + "".join(f"{c}\t{s}\t{e}\t{a}\t{b}\n" for c, s, e, a, b in rows)
    path.write_text(text)
    return path


def _somatic(
    out: Path, name: str, bundle: Bundle, drivers: list[d.Driver], mixture: dict[str, float], site: str,
    segments: list[tuple[str, int, int, int, int]], rng: np.random.Generator, n_passengers: int,
    indels: IndelPlan, indel_rng: np.random.Generator, kataegis_gene: str | None = None,
) -> Path:  # fmt: skip
    fasta_path = bundle.fasta(BUILD)
    assert fasta_path is not None, "the demo bundle has no GRCh37 FASTA"
    pgx_only = {g.symbol for g in PGX_GENES}
    genes = tuple(g for g in bundle.genes(BUILD) if g.symbol not in pgx_only)  # passengers: CIViC genes
    with pysam.FastaFile(str(fasta_path)) as fasta:
        _check_refs(fasta, drivers)
        variants: list[Variant] = [drv.variant(depth=int(rng.integers(80, 200)), vaf=0.35, normal_depth=60)
                                   for drv in drivers]  # fmt: skip
        avoid = frozenset((drv.chrom, drv.pos) for drv in drivers)
        sites = _SITES.get(fasta_path) or _SITES.setdefault(fasta_path, context_sites(fasta, genes))
        variants += draw_passengers(n_passengers, mixture, bundle.signatures(BUILD), fasta, genes, rng,
                                    avoid=avoid, sites=sites)  # fmt: skip
        if kataegis_gene:
            gene = next(g for g in genes if g.symbol == kataegis_gene)
            variants += kataegis_cluster(fasta, gene, 8, rng)
        variants += draw_indels(indels, fasta, genes, indel_rng, existing=variants)
    work = out / f".{name}"
    work.mkdir(parents=True, exist_ok=True)
    vcf = write_synthetic_vcf(work / f"{name}.vcf.gz", _unique(variants), samples=("TUMOR", "NORMAL"), build=BUILD)
    config = work / f"{name}.toml"
    config.write_text(_config(site, kind="somatic"))
    cna = _segments(work / f"{name}.cna.tsv", segments)
    return pack_sample(out / f"{name}.tar.gz", vcf, config, cna, index=Path(f"{vcf}.tbi"))


def _normal(out: Path, name: str, bundle: Bundle, rng: np.random.Generator) -> Path:
    drivers = [d.BRCA2_6174DELT, d.CHEK2_1100DELC, d.TP53_P72R]
    fasta_path = bundle.fasta(BUILD)
    assert fasta_path is not None
    with pysam.FastaFile(str(fasta_path)) as fasta:
        _check_refs(fasta, drivers)
    variants = [drv.variant(depth=int(rng.integers(30, 60)), vaf=1.0 if drv.genotype == "1/1" else 0.5)
                for drv in drivers]  # fmt: skip
    work = out / f".{name}"
    work.mkdir(parents=True, exist_ok=True)
    vcf = write_synthetic_vcf(work / f"{name}.vcf.gz", variants, samples=("NORMAL",), build=BUILD)
    config = work / f"{name}.toml"
    config.write_text(_config(None, kind="normal"))
    return pack_sample(out / f"{name}.tar.gz", vcf, config, index=Path(f"{vcf}.tbi"))


def _evil(out: Path, name: str) -> Path:
    """A tarball with a path-traversal member: must be REJECTED, never unpacked."""
    path = out / f"{name}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member, data in (("sample.toml", b"[sample]\n"), ("../evil", b"should never be written\n")):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _check_refs(fasta: pysam.FastaFile, drivers: list[d.Driver]) -> None:
    for drv in drivers:
        found = fasta.fetch(drv.chrom, drv.pos - 1, drv.pos - 1 + len(drv.ref)).upper()
        if found != drv.ref:
            raise RuntimeError(f"demo bundle FASTA has {found} at {drv.chrom}:{drv.pos}, expected {drv.ref} "
                               f"({drv.gene} {drv.hgvsp}); rebuild the demo bundle")  # fmt: skip


def _unique(variants: list[Variant]) -> list[Variant]:
    seen: set[tuple[str, int]] = set()
    out = []
    for v in variants:
        if (v.chrom, v.pos) not in seen:
            seen.add((v.chrom, v.pos))
            out.append(v)
    return out


def make_demo_samples(out: Path, bundle_path: Path, *, seed: int = 7) -> list[DemoSample]:
    """Write the demo tarballs into ``out`` (not the bucket); returns them with expectations."""
    out.mkdir(parents=True, exist_ok=True)
    bundle = Bundle.open(bundle_path)
    rng = np.random.default_rng(seed)
    # the indels' own stream, a child of the same seeded generator: drawing them leaves ``rng``'s
    # stream, and so every SNV, depth and VAF drawn from it, as it was before the demo had indels
    indel_rng = rng.spawn(1)[0]
    melanoma = _somatic(
        out, "demo_melanoma-a1b2c3-somatic", bundle, [d.BRAF_V600E, d.TP53_R273H],
        {"SBS7a": 0.55, "SBS7b": 0.25, "SBS1": 0.1, "SBS5": 0.1}, "Skin",
        [("9", 21800000, 22100000, 0, 0), ("7", 140000000, 141000000, 2, 1)], rng, n_passengers=450,
        indels=MELANOMA_INDELS, indel_rng=indel_rng,
    )  # fmt: skip
    breast = _somatic(
        out, "demo_breast-4d5e6f-somatic", bundle, [d.PIK3CA_E542K, d.TP53_R175H],
        {"SBS2": 0.35, "SBS13": 0.3, "SBS1": 0.2, "SBS5": 0.15}, "Breast",
        [("17", 37700000, 37950000, 9, 3), ("17", 7500000, 7700000, 1, 0)], rng, n_passengers=250,
        indels=BREAST_INDELS, indel_rng=indel_rng, kataegis_gene="BRCA1",
    )  # fmt: skip
    normal = _normal(out, "demo_breast-4d5e6f-normal", bundle, rng)
    evil = _evil(out, "demo_broken-0bad00-somatic")
    misnamed = out / "tumour_results_final.tar.gz"
    misnamed.write_bytes(breast.read_bytes())
    return [
        DemoSample(melanoma.name, melanoma, "SUCCEEDED", "melanoma, BRAF V600E (Tier I), UV signature"),
        DemoSample(breast.name, breast, "SUCCEEDED", "breast, PIK3CA E542K + ERBB2 amplification, APOBEC"),
        DemoSample(normal.name, normal, "SUCCEEDED", "germline: BRCA2 and CHEK2 frameshifts (pathogenic)"),
        DemoSample(evil.name, evil, "REJECTED", "tarball with a ../evil member (unsafe)"),
        DemoSample(misnamed.name, misnamed, "REJECTED", "name breaks {sample_batch}-{id6}-{kind}.tar.gz"),
    ]
