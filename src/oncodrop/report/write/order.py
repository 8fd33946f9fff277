"""Report order: tier first (I before IV), then karyotypic position, then allele.

Every output that lists variants lists them in this order; the streamed reporter reproduces
it from compact keys (``spill``), so the rule lives here once.
"""

from __future__ import annotations

from oncodrop.domain.classification import Finding, Tier

CHROM_ORDER = {str(i): i for i in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25}
TIER_ORDER = {Tier.I: 0, Tier.II: 1, Tier.III: 2, Tier.IV: 3}
TIERS = tuple(TIER_ORDER)  # I, II, III, IV


def genomic_sort_key(chrom: str, pos: int) -> tuple[int, str, int]:
    """Karyotypic order: 1..22, X, Y, MT, then any other contig alphabetically."""
    return (CHROM_ORDER.get(chrom, 100), chrom, pos)


def allele_key(ref: str, alt: str) -> str:
    """The last key of report order: ``REF>ALT``."""
    return f"{ref}>{alt}"


def finding_sort_key(finding: Finding) -> tuple[int, tuple[int, str, int], str]:
    """Tier first (I before IV), then genomic position, then allele: a total order."""
    v = finding.variant
    return (TIER_ORDER[finding.tier], genomic_sort_key(v.chrom, v.pos), allele_key(v.ref, v.alt))
