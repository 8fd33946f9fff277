"""Where a reader checks a variant or an evidence item: public database addresses.

Every address is built from an identifier the VCF or the bundle already carries (dbSNP rs,
COSMIC COSV/COSM, CIViC EID, ClinVar variation id, PubMed id) or from the variant's own
coordinates (gnomAD). The report stays self-contained: these are plain ``href``s, fetched only
when a reader clicks. One table of rules, one function per kind of record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncodrop.domain.evidence import EvidenceItem
from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant

GNOMAD_DATASETS: dict[str, str] = {"grch37": "gnomad_r2_1", "grch38": "gnomad_r4"}
"""gnomAD browser dataset per build (v2.1 is the last GRCh37 release)."""

URLS: dict[str, str] = {
    "dbSNP": "https://www.ncbi.nlm.nih.gov/snp/{id}",
    "ClinVar": "https://www.ncbi.nlm.nih.gov/clinvar/variation/{id}/",
    "ClinVar search": "https://www.ncbi.nlm.nih.gov/clinvar/?term={id}",
    "COSMIC": "https://cancer.sanger.ac.uk/cosmic/search?q={id}",
    "gnomAD": "https://gnomad.broadinstitute.org/variant/{id}?dataset={dataset}",
    "CIViC": "https://civicdb.org/links/evidence_items/{id}",
    "PubMed": "https://pubmed.ncbi.nlm.nih.gov/{id}/",
}
"""Address templates by database, filled with an identifier that has passed its pattern."""

_RS = re.compile(r"rs[0-9]+")
_COSMIC = re.compile(r"COS[VM][0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_ALLELE = re.compile(r"[ACGT]+")


@dataclass(frozen=True, slots=True)
class Link:
    """One outbound link: what the reader sees and where it goes."""

    label: str
    url: str


def variant_links(variant: Variant, build: Build, clinvar_id: str | None = None) -> tuple[Link, ...]:
    """dbSNP, ClinVar (the variation when its id is known, else a search by rs id), COSMIC and
    gnomAD links for ``variant``; an identifier that does not look like one gives no link."""
    links: list[Link] = []
    rs = variant.dbsnp if variant.dbsnp and _RS.fullmatch(variant.dbsnp) else None
    if rs:
        links.append(Link(rs, URLS["dbSNP"].format(id=rs)))
    if clinvar_id and _DIGITS.fullmatch(clinvar_id):
        links.append(Link("ClinVar", URLS["ClinVar"].format(id=clinvar_id)))
    elif rs:
        links.append(Link("ClinVar", URLS["ClinVar search"].format(id=rs)))
    if variant.cosmic and _COSMIC.fullmatch(variant.cosmic):
        links.append(Link(variant.cosmic, URLS["COSMIC"].format(id=variant.cosmic)))
    gnomad = gnomad_id(variant)
    if gnomad and build in GNOMAD_DATASETS:
        links.append(Link("gnomAD", URLS["gnomAD"].format(id=gnomad, dataset=GNOMAD_DATASETS[build])))
    return tuple(links)


def gnomad_id(variant: Variant) -> str | None:
    """gnomAD's ``chrom-pos-ref-alt`` for a plain-allele variant on a nuclear chromosome (gnomAD
    v2 has no mitochondrial calls and v4 names the contig ``M``, so MT gets no link)."""
    if not (_ALLELE.fullmatch(variant.ref) and _ALLELE.fullmatch(variant.alt)):
        return None
    if not (variant.chrom.isdigit() or variant.chrom in {"X", "Y"}):
        return None
    return f"{variant.chrom}-{variant.pos}-{variant.ref}-{variant.alt}"


def evidence_url(item: EvidenceItem) -> str | None:
    """The CIViC page of an evidence item (``EID1409``); None for other sources."""
    number = item.evidence_id.removeprefix("EID")
    if item.source.casefold() != "civic" or number == item.evidence_id or not _DIGITS.fullmatch(number):
        return None
    return URLS["CIViC"].format(id=number)


def citation_url(citation: str) -> str | None:
    """PubMed address for ``PMID:123``; None for other citation kinds (shown as plain text)."""
    prefix, _, number = citation.partition(":")
    if prefix.strip().upper() != "PMID" or not _DIGITS.fullmatch(number.strip()):
        return None
    return URLS["PubMed"].format(id=number.strip())
