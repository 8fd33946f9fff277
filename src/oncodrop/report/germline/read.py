"""Read the panel-gene variants of a normal VCF, annotating them first when the upload has none.

Reading is restricted to the panel regions (index when present, streaming otherwise). Without
CSQ/ANN/BCSQ the panel records are copied to a small VCF and annotated with bcftools csq from
the bundle's gene model; without a gene model the variants are reported unannotated (ClinVar
and frequency-free criteria still apply) and the report says so.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pysam

from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq
from oncodrop.report.annotation.csq import POPULATION_AF_FIELDS
from oncodrop.report.annotation.gene_model import bundle_gene_model
from oncodrop.report.germline.regions import subset_vcf
from oncodrop.report.vcf import read_variants
from oncodrop.report.vcf.header import HeaderFacts, read_header
from oncodrop.report.vcf.regions import Region
from oncodrop.report.vcf.result import require_build as build_or_reject
from oncodrop.report.vcf.samples import choose_samples
from oncodrop.sampleconfig import SampleConfig


@dataclass(frozen=True, slots=True)
class GermlineRead:
    """The panel variants of one normal VCF and how they were obtained."""

    variants: tuple[Variant, ...]
    build: Build
    sample: str | None
    sample_reason: str
    annotation_source: str  # VEP | snpEff | BCSQ | bcftools-csq | none
    population_data: bool  # the annotation carries a population allele frequency
    used_index: bool
    alleles_read: int  # ALT alleles in the panel regions (after splitting)
    filtered: int  # of those, dropped by FILTER / not in the person's genotype


def header_facts(vcf: Path) -> HeaderFacts:
    """The VCF header, read once before choosing regions (build, annotation)."""
    if not vcf.exists():
        raise InputRejected(ReasonCode.BAD_VCF, f"VCF file {vcf.name} is missing from the upload", file=vcf.name)
    previous = pysam.set_verbosity(0)
    try:
        with pysam.VariantFile(str(vcf)) as handle:
            return read_header(handle, vcf)
    except (OSError, ValueError):
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{vcf.name} is not a readable VCF: it must start with '##fileformat=VCFv4.x' and "
            "have a '#CHROM' line, and a bgzipped file must not be truncated",
            file=vcf.name,
            line=1,
        ) from None
    finally:
        pysam.set_verbosity(previous)


def require_build(facts: HeaderFacts, config: SampleConfig, file: str) -> Build:
    return build_or_reject(facts.build or config.sample.genome_build, file)


def has_population_af(facts: HeaderFacts) -> bool:
    layout = facts.csq_layout
    return layout is not None and any(name in layout.index for name in POPULATION_AF_FIELDS)


def read_panel_variants(
    vcf: Path, facts: HeaderFacts, config: SampleConfig, bundle: Bundle, regions: tuple[Region, ...]
) -> GermlineRead:
    """Variants of the person's column inside ``regions``, annotated (``facts``: its header)."""
    build = require_build(facts, config, vcf.name)
    gff3, fasta = bundle.gff3(build), bundle.fasta(build)
    if facts.annotation is None and gff3 is not None and fasta is not None:
        with tempfile.TemporaryDirectory(prefix="oncodrop-germline-") as work:
            subset = subset_vcf(vcf, regions, Path(work) / "panel.vcf.gz")
            person = choose_samples(facts.samples, facts.meta, mode="normal", file=vcf.name).tumor
            annotated = annotate_with_bcftools_csq(subset, gff3, fasta, out_dir=Path(work),
                                                   sample=person)  # phased: haplotype-aware
            with bundle_gene_model(bundle, build, fasta) as model:
                result = read_variants(annotated, config, mode="normal", regions=regions, transcripts=model)
        source, used_index = "bcftools-csq", has_index(vcf)
    else:
        result = read_variants(vcf, config, mode="normal", regions=regions)
        source, used_index = facts.annotation or "none", result.used_index
    counts = result.counts
    return GermlineRead(
        variants=result.variants,
        build=result.build or build,
        sample=result.tumor_sample,
        sample_reason=result.sample_reason,
        annotation_source=source,
        population_data=has_population_af(facts),
        used_index=used_index,
        alleles_read=counts.alleles,
        filtered=counts.filtered_by_filter + counts.not_in_sample + counts.duplicates,
    )


def has_index(vcf: Path) -> bool:
    """Is there a tabix/CSI index next to ``vcf``?"""
    return any(Path(f"{vcf}{suffix}").exists() for suffix in (".tbi", ".csi"))
