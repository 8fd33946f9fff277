"""Genotype QC of a germline call: zygosity, depth, allele balance and what looks doubtful.

A heterozygous germline variant sits near 50 % of reads, a homozygous one near 100 %; far
from that, the call may be mosaic, contaminated, a mapping artefact or a somatic clone in
blood (CHIP). ``QC_RULES`` lists each flag with its threshold; ``genotype_qc`` applies them.
Flags never drop a variant: the report shows them next to the classification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oncodrop.domain.variant import Variant
from oncodrop.report.germline.model import GenotypeQc

MIN_DEPTH = 10
MIN_GENOTYPE_QUALITY = 20
HET_BALANCE = (0.25, 0.75)  # expected allele balance range of a heterozygous call
HOM_MIN_BALANCE = 0.85  # a homozygous ALT call below this is doubtful


@dataclass(frozen=True, slots=True)
class QcRule:
    flag: str
    meaning: str
    fails: Callable[[GenotypeQc], bool]


QC_RULES: tuple[QcRule, ...] = (
    QcRule("low_depth", f"fewer than {MIN_DEPTH} reads cover the site",
           lambda q: q.depth is not None and q.depth < MIN_DEPTH),
    QcRule("low_genotype_quality", f"genotype quality below {MIN_GENOTYPE_QUALITY}",
           lambda q: q.genotype_quality is not None and q.genotype_quality < MIN_GENOTYPE_QUALITY),
    QcRule("het_allele_imbalance",
           f"heterozygous call with ALT fraction outside {HET_BALANCE[0]:.2f}–{HET_BALANCE[1]:.2f}"
           " (mosaic, CHIP or artefact?)",
           lambda q: q.zygosity == "heterozygous" and q.allele_balance is not None
           and not HET_BALANCE[0] <= q.allele_balance <= HET_BALANCE[1]),
    QcRule("hom_allele_imbalance", f"homozygous call with ALT fraction below {HOM_MIN_BALANCE:.2f}",
           lambda q: q.zygosity == "homozygous" and q.allele_balance is not None
           and q.allele_balance < HOM_MIN_BALANCE),
    QcRule("no_genotype", "the call has no usable genotype (./. or missing GT)",
           lambda q: q.zygosity == "unknown"),
)  # fmt: skip
QC_MEANINGS: dict[str, str] = {rule.flag: rule.meaning for rule in QC_RULES}


def zygosity(genotype: str | None) -> str:
    """``0/1`` heterozygous, ``1/1`` homozygous, ``1`` hemizygous, else unknown."""
    if not genotype:
        return "unknown"
    alleles = genotype.replace("|", "/").split("/")
    if "." in alleles or not alleles:
        return "unknown"
    if len(alleles) == 1:
        return "hemizygous" if alleles[0] != "0" else "unknown"
    called = [a for a in alleles if a != "0"]
    if not called:
        return "unknown"
    return "homozygous" if len(set(alleles)) == 1 else "heterozygous"


def genotype_qc(variant: Variant) -> GenotypeQc:
    """The QC facts and flags of one germline variant (pure)."""
    facts = GenotypeQc(
        zygosity=zygosity(variant.genotype),
        depth=variant.depth,
        allele_balance=variant.vaf,
        genotype_quality=variant.genotype_quality,
    )
    flags = tuple(rule.flag for rule in QC_RULES if rule.fails(facts))
    return GenotypeQc(facts.zygosity, facts.depth, facts.allele_balance, facts.genotype_quality, flags)
