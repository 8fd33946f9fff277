"""report.html gives a reader the context to check a call: evidence grouped by tumour type with
counts that match, database links, population AF, gene role, predictions, a Tier III/IV view,
QC counts, one cosine rounding and a copy-number axis that does not cap."""

from __future__ import annotations

import re
from dataclasses import replace

from oncodrop.domain.classification import Finding
from oncodrop.domain.copynumber import CnaCall, Segment
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.report.tiers import best_evidence_tier
from oncodrop.report.write.content import CalledSegment, ReportContent, evidence_groups
from oncodrop.report.write.html import cna_chart, copy_number_top, render_html
from oncodrop.report.write.summary import headline

BRAF_EVIDENCE = EvidenceItem(
    evidence_id="EID1", gene="BRAF", profile="BRAF V600E", disease="Melanoma", primary_site="Skin",
    therapies=("Vemurafenib",), evidence_type=EvidenceType.PREDICTIVE, direction="Supports",
    significance="Sensitivity/Response", level="A", rating=5, citation="PMID:22663011", hgvsp="p.V600E",
)  # fmt: skip


def _html(content: ReportContent) -> str:
    return render_html(content, headline(content))


def _section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}">')
    return html[start:html.index("</section>", start)]


def _braf(content: ReportContent) -> Finding:
    return content.findings[0]


def _with_braf(content: ReportContent, braf: Finding, site: str | None = "Skin") -> ReportContent:
    config = content.config.model_copy(update={"sample": content.config.sample.model_copy(update={"tumor_site": site})})
    return replace(content, findings=(braf, *content.findings[1:]), config=config)


def _item(eid: str, disease: str, site: str, therapy: str, level: str = "A") -> EvidenceMatch:
    evidence = replace(BRAF_EVIDENCE, evidence_id=eid, disease=disease, primary_site=site,
                       therapies=(therapy,), level=level)  # fmt: skip
    return EvidenceMatch(evidence, MatchLevel.HGVSP)


MELANOMA = _item("EID10", "Melanoma", "Skin", "Vemurafenib")
COLORECTAL = _item("EID20", "Colorectal Cancer", "Colon/Rectum", "Encorafenib + Cetuximab")
PAN_CANCER = _item("EID30", "Cancer", "Pan-cancer", "Dabrafenib", level="C")


def test_evidence_is_grouped_same_tumour_type_first_then_others_labelled(content: ReportContent) -> None:
    braf = replace(_braf(content), evidence=(COLORECTAL, MELANOMA, PAN_CANCER))
    groups = evidence_groups(braf, "Skin")
    assert [g.label for g in groups] == ["This tumour type (Skin) or pan-cancer", "Other tumour types"]
    assert [m.evidence.evidence_id for m in groups[0].matches] == ["EID10", "EID30"]
    assert [m.evidence.evidence_id for m in groups[1].matches] == ["EID20"]
    card = _section(_html(_with_braf(content, braf)), "actionable")
    assert card.index("This tumour type (Skin)") < card.index("Vemurafenib") < card.index("Other tumour types")
    assert card.index("Other tumour types") < card.index("Encorafenib + Cetuximab")


def test_without_a_tumour_site_nothing_is_called_another_tumour_type(content: ReportContent) -> None:
    braf = replace(_braf(content), evidence=(COLORECTAL, MELANOMA, PAN_CANCER))
    groups = evidence_groups(braf, None)
    assert [g.label for g in groups] == ["Pan-cancer", "Specific tumour types (no tumour site was set for this sample)"]
    html = _html(_with_braf(content, braf, site=None))
    assert "another tumour type" not in html and "Other tumour types" not in html


def test_more_button_counts_exactly_the_rows_it_hides(content: ReportContent) -> None:
    many = tuple(_item(f"EID{100 + i}", "Melanoma", "Skin", f"Drug{i}") for i in range(11))
    braf = replace(_braf(content), evidence=many)
    card = _section(_html(_with_braf(content, braf)), "actionable")
    assert "11 evidence item(s)" in card
    assert card.count('<tr class="extra">') == 3
    assert '<button type="button" class="more">Show 3 more</button>' in card
    few = _section(_html(_with_braf(content, replace(braf, evidence=many[:8]))), "actionable")
    assert 'class="extra"' not in few and 'class="more"' not in few


def test_each_evidence_row_says_the_tier_it_earns_and_links_civic(content: ReportContent) -> None:
    braf = replace(_braf(content), evidence=(MELANOMA, COLORECTAL))
    card = _section(_html(_with_braf(content, braf)), "actionable")
    rows = card.split("<tr")[2:]
    assert '<span class="tier tier-I">I</span>' in rows[0] and '<span class="tier tier-II">II</span>' in rows[-1]
    assert '<a href="https://civicdb.org/links/evidence_items/10" rel="noreferrer">EID10</a>' in card


def test_oncogenicity_label_is_named_in_the_card(content: ReportContent) -> None:
    card = _section(_html(content), "actionable")
    assert "oncogenicity: Oncogenic (12 points: OS1 +4, OS2 +4, OS3 +4)" in card


def test_card_shows_gene_role_population_af_predictions_and_database_links(content: ReportContent) -> None:
    v = _braf(content).variant
    variant = replace(v, dbsnp="rs113488022", cosmic="COSV56056643", population_af=0.0000123,
                      population_checked=True, predictions=(("SIFT", "deleterious(0)"), ("PolyPhen", "probably_damaging(0.97)")))  # fmt: skip
    braf = replace(_braf(content), variant=variant, gene_role="oncogene")
    card = _section(_html(_with_braf(content, braf)), "actionable")
    assert "gene role: oncogene" in card and "population AF: 1.23e-05" in card
    assert "predictions: SIFT deleterious(0); PolyPhen probably_damaging(0.97)" in card
    for href in ("https://www.ncbi.nlm.nih.gov/snp/rs113488022",
                 "https://www.ncbi.nlm.nih.gov/clinvar/?term=rs113488022",
                 "https://cancer.sanger.ac.uk/cosmic/search?q=COSV56056643",
                 "https://gnomad.broadinstitute.org/variant/7-140453136-A-T?dataset=gnomad_r4"):  # fmt: skip
        assert f'href="{href}"' in card, href
    absent = replace(variant, population_af=None, dbsnp=None, cosmic=None)
    card = _section(_html(_with_braf(content, replace(braf, variant=absent))), "actionable")
    assert "population AF: absent from gnomAD" in card and "snp/rs" not in card


def test_tier_3_and_4_view_lists_each_tier_with_reason(content: ReportContent) -> None:
    view = _section(_html(content), "tier34")
    tier3 = view[view.index('id="tieriii"'):view.index('id="tieriv"')]
    tier4 = view[view.index('id="tieriv"'):]
    assert "Tier III · 2 variant(s)" in tier3 and "TP53 p.R273H" in tier3 and "Likely oncogenic" in tier3
    assert "&lt;script&gt;" in tier3 and "<script>alert" not in view
    assert "Tier IV · 1 variant(s)" in tier4 and "1:5000:C&gt;A" in tier4 and "title=\"test tier IV\"" in tier4


def test_qc_counts_variants_by_type_and_consequence_per_tier(content: ReportContent) -> None:
    qc = _section(_html(content), "qc")
    assert re.search(r"<td>SNV</td><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">0</td>"
                     r"<td class=\"num\">1</td><td class=\"num\">1</td>", qc)  # fmt: skip
    assert '<td>insertion</td><td class="num">1</td>' in qc
    assert '<td>missense_variant</td><td class="num">2</td>' in qc and "<td>not_annotated</td>" in qc


def test_summary_card_cosine_uses_the_section_rounding(content: ReportContent) -> None:
    fit = replace(content.signatures.fit, cosine=0.99512)  # type: ignore[type-var]
    html = _html(replace(content, signatures=replace(content.signatures, fit=fit)))
    assert "cosine 0.995" in _section(html, "headline")
    assert "reconstruction 0.995" in _section(html, "signatures")
    assert "1.00" not in _section(html, "headline")


def test_cna_plot_axis_reaches_the_highest_copy_number(content: ReportContent) -> None:
    segments = (CalledSegment(Segment("17", 37_800_000, 37_900_000, total_cn=24.0), CnaCall.AMPLIFICATION),
                CalledSegment(Segment("17", 1, 20_000_000, total_cn=2.0), CnaCall.NEUTRAL))  # fmt: skip
    assert copy_number_top([24.0, 2.0]) == 32 and copy_number_top([3.0]) == 8
    svg = str(cna_chart(replace(content, cna_segments=segments)))
    assert "<title>17:37800000-37900000 24 (amplification)</title>" in svg
    assert ">32</text>" in svg and "(log scale)" in svg


def test_every_server_rendered_table_has_a_header_for_the_sort_script(content: ReportContent) -> None:
    html = _html(content)
    body = html[html.index("<main>"):html.index("</main>")]
    tables = re.findall(r"<table[^>]*>\s*(<\w+)", body)
    assert tables and all(first == "<thead" for first in tables), tables
    assert "main table:not([data-js-table])" in html  # the script enhances all of them


def test_reason_count_of_items_at_the_tier_matches_the_rows_marked_with_it(content: ReportContent) -> None:
    """The tier reason says "n more item(s) at this tier": n + 1 rows of the card earn it."""
    matches = (MELANOMA, _item("EID11", "Melanoma", "Skin", "Dabrafenib"), _item("EID12", "Melanoma", "Skin", "Trametinib"),
               COLORECTAL, PAN_CANCER)  # fmt: skip
    decided = best_evidence_tier(matches, "Skin")
    assert decided is not None
    tier, reason = decided
    braf = replace(_braf(content), evidence=matches, tier=tier, tier_reason=reason)
    card = _section(_html(_with_braf(content, braf)), "actionable")
    more = int(re.search(r"(\d+) more item\(s\) at this tier", card).group(1))  # type: ignore[union-attr]
    assert (tier.value, more) == ("I", 2)
    assert card.count('<td><span class="tier tier-I">I</span></td>') == more + 1
    assert card.count('<td><span class="tier tier-II">II</span></td>') == 2  # colorectal A, pan-cancer C
