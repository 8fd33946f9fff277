"""report.html gives a reader the context to check a call: evidence grouped by tumour type with
counts that match, database links, population AF, gene role, predictions, a Tier III/IV view,
QC counts, one cosine rounding and a copy-number axis that does not cap."""

from __future__ import annotations

import re
from dataclasses import replace

from oncodrop.domain.classification import Finding, Tier
from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber, Segment
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.report.tiers import assign_cna_tier, best_evidence_tier
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


def _variant_cards(html: str) -> str:
    """The actionable section up to its first copy-number card (the fixture's ERBB2 is Tier I)."""
    section = _section(html, "actionable")
    return section.split('<div class="finding cna-finding"')[0]


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
    card = _variant_cards(_html(_with_braf(content, braf)))
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
    card = _variant_cards(_html(_with_braf(content, braf)))
    more = int(re.search(r"(\d+) more item\(s\) at this tier", card).group(1))  # type: ignore[union-attr]
    assert (tier.value, more) == ("I", 2)
    assert card.count('<td><span class="tier tier-I">I</span></td>') == more + 1
    assert card.count('<td><span class="tier tier-II">II</span></td>') == 2  # colorectal A, pan-cancer C


ERBB2_BREAST = EvidenceItem(
    evidence_id="EID3", gene="ERBB2", profile="ERBB2 Amplification", disease="Breast Cancer", primary_site="Breast",
    therapies=("Trastuzumab",), evidence_type=EvidenceType.PREDICTIVE, direction="Supports",
    significance="Sensitivity/Response", level="A", rating=5, citation="PMID:11248153", mutation_class="amplification",
)  # fmt: skip
ERBB2_GASTRIC = replace(ERBB2_BREAST, evidence_id="EID4", disease="Stomach Adenocarcinoma", primary_site="Stomach",
                        therapies=("Trastuzumab", "Cisplatin"), level="B")  # fmt: skip
CDKN2A_PAN = replace(ERBB2_BREAST, evidence_id="EID5", gene="CDKN2A", profile="CDKN2A Deletion", disease="Cancer",
                     primary_site="Pan-cancer", therapies=("Palbociclib",), level="D", mutation_class="deletion")  # fmt: skip


def _breast(content: ReportContent) -> ReportContent:
    """A breast sample: BRAF Tier I and TP53 Tier II variants; ERBB2 amplification Tier I and
    CDKN2A homozygous deletion Tier II, their items matched as ``match_cna`` reports them (gene
    level) and tiered by the engine's rule."""
    site = "Breast"
    erbb2 = (EvidenceMatch(ERBB2_GASTRIC, MatchLevel.GENE), EvidenceMatch(ERBB2_BREAST, MatchLevel.GENE))
    cdkn2a = (EvidenceMatch(CDKN2A_PAN, MatchLevel.GENE),)
    cna = (
        GeneCopyNumber("CDKN2A", "9", 21967751, 21995300, CnaCall.HOMDEL, 0.0, False, evidence=cdkn2a,
                       tier=assign_cna_tier(cdkn2a, site)[0]),
        GeneCopyNumber("ERBB2", "17", 37844167, 37886679, CnaCall.AMPLIFICATION, 9.0, False, evidence=erbb2,
                       tier=assign_cna_tier(erbb2, site)[0]),
        GeneCopyNumber("TP53", "17", 7565097, 7590856, CnaCall.HETDEL, 1.0, True),
    )  # fmt: skip
    tp53 = replace(content.findings[1], tier=Tier.II, tier_reason="test tier II")
    findings = (content.findings[0], tp53, *content.findings[2:])
    return replace(_with_braf(content, content.findings[0], site=site), findings=findings, cna=cna)


def _cna_card(section: str, gene: str) -> str:
    start = section.index(f'<div class="finding cna-finding" id="actionable-cna-{gene}"')
    end = section.find('<div class="finding', start + 1)
    return section[start:end] if end != -1 else section[start:]  # fmt: skip


def test_a_tier_i_amplification_is_a_card_among_the_actionable_findings(content: ReportContent) -> None:
    """Issue 11: the headline's Tier I count includes ERBB2's amplification, so the Actionable
    section shows it as a card like a variant's: badge, call, copy number, reason, evidence by
    tumour type, each row earning the card's tier."""
    breast = _breast(content)
    html = _html(breast)
    section = _section(html, "actionable")
    assert "<h2>Actionable findings (Tier I and II)</h2>" in section
    card = _cna_card(section, "ERBB2")
    assert '<span class="tier tier-I">I</span>\n      <b>ERBB2 amplification</b>' in card
    assert "· copy number · 17:37844167-37886679 · total CN 9" in card
    assert ("AMP level A/B: strong evidence in this tumour type: level A Predictive (Sensitivity/Response) for "
            "Breast Cancer [Breast], EID3 copy-number event") in card  # fmt: skip
    same = card.index("This tumour type (Breast) or pan-cancer · 1 evidence item(s)")
    other = card.index("Other tumour types · 1")
    assert same < card.index("<td>Trastuzumab</td>") < other < card.index("<td>Trastuzumab + Cisplatin</td>")
    rows = card.split("<tr")[2:]
    rows = [r for r in rows if "<td>" in r]
    assert len(rows) == 2 and all("<td>copy-number event</td>" in r for r in rows)
    assert '<td><span class="tier tier-I">I</span></td>' in rows[0]  # not capped as a gene-level match
    assert '<td><span class="tier tier-II">II</span></td>' in rows[1]  # level B, another tumour type
    assert '<a href="https://civicdb.org/links/evidence_items/3" rel="noreferrer">EID3</a>' in card
    assert '<a href="#cna-ERBB2">' in card
    cna = _section(html, "cna")
    # the table stays, and links back to the card
    assert '<tr id="cna-ERBB2" style="scroll-margin-top:48px"><td><a href="#actionable-cna-ERBB2">ERBB2</a></td>' in cna


def test_actionable_cards_follow_the_headline_tier_by_tier(content: ReportContent) -> None:
    """Tier I variants then Tier I copy-number calls, then Tier II: the order the headline names
    them, and as many Tier I/II cards as it counts."""
    breast = _breast(content)
    head = headline(breast)
    section = _section(_html(breast), "actionable")
    titles = re.findall(r'<div class="head"><span class="tier tier-(I+)">I+</span>\s*<b>([^<]+)</b>', section)
    assert titles == [("I", "BRAF p.V600E"), ("I", "ERBB2 amplification"), ("II", "TP53 p.R273H"),
                      ("II", "CDKN2A homozygous deletion")]  # fmt: skip
    assert [t for tier, t in titles if tier == "I"] == list(breast.clinical_findings(Tier.I))
    assert [t for tier, t in titles if tier == "II"] == list(breast.clinical_findings(Tier.II))
    assert (head.tier1, head.tier2) == (2, 2)
    cdkn2a = _cna_card(section, "CDKN2A")
    assert "AMP level C/D: case studies or preclinical evidence" in cdkn2a
    assert "This tumour type (Breast) or pan-cancer · 1 evidence item(s)" in cdkn2a
    assert "No Tier I or Tier II" not in section


def test_no_actionable_message_only_without_tiered_variants_and_copy_number_calls(content: ReportContent) -> None:
    breast = _breast(content)
    quiet_variants = tuple(replace(f, tier=Tier.III) if f.tier in (Tier.I, Tier.II) else f for f in breast.findings)
    cna_only = _section(_html(replace(breast, findings=quiet_variants)), "actionable")
    assert "No Tier I or Tier II" not in cna_only
    assert "ERBB2 amplification" in cna_only and "CDKN2A homozygous deletion" in cna_only
    quiet_cna = tuple(replace(g, tier=Tier.III) if g.tier else g for g in breast.cna or ())
    nothing = _section(_html(replace(breast, findings=quiet_variants, cna=quiet_cna)), "actionable")
    assert ('No Tier I or Tier II variants or copy-number alterations: no variant or copy-number call matched '
            "clinical evidence in bundle oncodrop-demo 2026.11.25.") in nothing  # fmt: skip
    assert 'class="finding' not in nothing
    no_cna_input = _section(_html(replace(breast, findings=quiet_variants, cna=None)), "actionable")
    assert "No Tier I or Tier II variants: no variant matched clinical evidence" in no_cna_input
    variants_only = _section(_html(replace(breast, cna=quiet_cna)), "actionable")
    assert "No Tier I or Tier II" not in variants_only and "cna-finding" not in variants_only
