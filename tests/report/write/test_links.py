"""Database links are built only from identifiers that look like what they claim to be."""

from __future__ import annotations

from dataclasses import replace

from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.domain.variant import Variant
from oncodrop.report.write.links import Link, citation_url, evidence_url, gnomad_id, variant_links

BRAF = Variant("7", 140453136, "A", "T", dbsnp="rs113488022", cosmic="COSV56056643")
ITEM = EvidenceItem(
    evidence_id="EID1409", gene="BRAF", profile="BRAF V600E", disease="Melanoma", primary_site="Skin",
    therapies=("Vemurafenib",), evidence_type=EvidenceType.PREDICTIVE, direction="Supports",
    significance="Sensitivity/Response", level="A", rating=5, citation="PMID:22663011",
)  # fmt: skip


def test_a_somatic_variant_links_dbsnp_clinvar_search_cosmic_and_gnomad_of_its_build() -> None:
    assert variant_links(BRAF, "grch37") == (
        Link("rs113488022", "https://www.ncbi.nlm.nih.gov/snp/rs113488022"),
        Link("ClinVar", "https://www.ncbi.nlm.nih.gov/clinvar/?term=rs113488022"),
        Link("COSV56056643", "https://cancer.sanger.ac.uk/cosmic/search?q=COSV56056643"),
        Link("gnomAD", "https://gnomad.broadinstitute.org/variant/7-140453136-A-T?dataset=gnomad_r2_1"),
    )
    assert variant_links(BRAF, "grch38")[-1].url.endswith("?dataset=gnomad_r4")


def test_a_known_clinvar_variation_links_its_page() -> None:
    links = variant_links(replace(BRAF, dbsnp=None, cosmic=None), "grch38", clinvar_id="13961")
    assert links[0].url == "https://www.ncbi.nlm.nih.gov/clinvar/variation/13961/"


def test_malformed_ids_and_odd_alleles_give_no_link() -> None:
    odd = Variant("MT", 3243, "A", "G", dbsnp="rs12;DROP", cosmic="COSV<b>")
    assert variant_links(odd, "grch38", clinvar_id="12a") == ()
    assert gnomad_id(Variant("1", 10, "A", "<DEL>")) is None
    assert gnomad_id(Variant("GL000192.1", 10, "A", "T")) is None
    assert gnomad_id(Variant("X", 10, "AT", "A")) == "X-10-AT-A"


def test_civic_items_link_civic_and_pubmed_citations_link_pubmed() -> None:
    assert evidence_url(ITEM) == "https://civicdb.org/links/evidence_items/1409"
    assert evidence_url(replace(ITEM, source="ClinVar")) is None
    assert evidence_url(replace(ITEM, evidence_id="CGI-12")) is None
    assert citation_url("PMID:22663011") == "https://pubmed.ncbi.nlm.nih.gov/22663011/"
    assert citation_url("ASCO: abstract 3") is None and citation_url("PMID:12x") is None
