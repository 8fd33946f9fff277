"""Pharmacogenomics: ClinVar drug-response alleles the person carries in CPIC genes.

A germline report states, for each gene of ``CPIC_GENES``, the alleles of the person's VCF that
the bundle's ClinVar lists with significance *drug response* (e.g. DPYD c.1905+1G>A, *2A:
"Fluorouracil response", expert panel), with zygosity, review stars and the drugs whose CPIC
guideline the gene informs. It is a pointer to the guideline, not a star-allele call or a
metaboliser phenotype: haplotypes (UGT1A1*28's TA repeat, TPMT*3A's two SNVs in cis) and
copy number are not resolved, and an absent allele is not a normal-function result unless
the VCF covers the gene. Requires a ClinVar VCF and the genes' spans in the bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.germline.clinvar import ClinvarDb
from oncodrop.report.germline.model import ClinvarRecord
from oncodrop.report.germline.regions import panel_regions
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

CPIC_GENES: dict[str, tuple[str, str]] = {
    "DPYD": ("fluorouracil, capecitabine", "CPIC fluoropyrimidines and DPYD (2017, update 2024)"),
    "TPMT": ("mercaptopurine, azathioprine, thioguanine", "CPIC thiopurines and TPMT/NUDT15 (2018)"),
    "NUDT15": ("mercaptopurine, azathioprine, thioguanine", "CPIC thiopurines and TPMT/NUDT15 (2018)"),
    "UGT1A1": ("irinotecan (DPWG), atazanavir (CPIC)", "CPIC atazanavir and UGT1A1 (2015); DPWG irinotecan"),
}
"""Gene -> (drugs, guideline) for the oncology-relevant CPIC genes the section covers."""
DRUG_RESPONSE = "drug response"


@dataclass(frozen=True, slots=True)
class PgxFinding:
    """One carried allele with a ClinVar drug-response entry in a CPIC gene."""

    gene: str
    variant: Variant
    zygosity: str  # heterozygous | homozygous | unknown
    clinvar: ClinvarRecord
    drugs: str
    guideline: str


@dataclass(frozen=True, slots=True)
class PgxReport:
    """The section: findings, the genes looked at, and what could not be assessed."""

    findings: tuple[PgxFinding, ...]
    genes_assessed: tuple[str, ...]
    note: str  # empty when every gene was assessed


def _zygosity(genotype: str | None) -> str:
    if not genotype:
        return "unknown"
    alleles = [a for a in genotype.replace("|", "/").split("/") if a != "."]
    if len(alleles) >= 2 and all(a == alleles[0] for a in alleles) and alleles[0] != "0":
        return "homozygous"
    return "heterozygous" if any(a not in ("0",) for a in alleles) else "unknown"


def drug_response_alleles(
    variants: Sequence[Variant], clinvar: ClinvarDb, genes: dict[str, tuple[str, str]] = CPIC_GENES
) -> tuple[PgxFinding, ...]:
    """The variants whose exact ClinVar allele says *drug response* in one of ``genes``."""
    out = []
    for v in variants:
        record = clinvar.lookup(v)
        if record is None or DRUG_RESPONSE not in record.significance.lower():
            continue
        gene = record.gene or (v.consequence.gene if v.consequence else None)
        if gene not in genes:
            continue
        drugs, guideline = genes[gene]
        out.append(PgxFinding(gene, v, _zygosity(v.genotype), record, drugs, guideline))
    return tuple(sorted(out, key=lambda f: (f.gene, f.variant.chrom, f.variant.pos)))


def pharmacogenomics(vcf: Path, config: SampleConfig, bundle: Bundle, build: str,
                     clinvar: ClinvarDb | None) -> PgxReport:
    """Read the VCF over the CPIC genes' spans and keep the ClinVar drug-response alleles."""
    if clinvar is None:
        return PgxReport((), (), "not assessed: the bundle holds no ClinVar VCF for this build")
    try:
        loci = bundle.genes(build)
    except BundleError:  # no gene spans for this build: say so, do not fail the report
        loci = ()
    regions = panel_regions(loci, CPIC_GENES)
    if not regions.loci:
        return PgxReport((), (), f"not assessed: the bundle's gene model lacks {', '.join(CPIC_GENES)}")
    read = read_variants(vcf, config, mode="normal", regions=regions.regions)
    findings = drug_response_alleles(read.variants, clinvar)
    assessed = tuple(sorted({g.symbol for g in regions.loci}))
    note = f"not assessed (not in the bundle's gene model): {', '.join(regions.missing)}" if regions.missing else ""
    return PgxReport(findings, assessed, note)
