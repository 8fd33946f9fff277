"""summary.json: follows the documented JSON Schema, states the headline numbers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema

from oncodrop.domain.classification import Tier
from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber
from oncodrop.domain.metric import Metric
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.summary import (
    build_summary,
    headline,
    oncogenic_entries,
    render_summary_schema,
    summary_json_schema,
    write_summary,
)

SCHEMA_DOC = Path(__file__).resolve().parents[3] / "docs" / "summary-schema.json"


def test_documented_schema_is_the_schema_the_code_writes() -> None:
    assert SCHEMA_DOC.read_text(encoding="utf-8") == render_summary_schema(), (
        "docs/summary-schema.json is stale: regenerate it with "
        "`python -c 'from oncodrop.report.write.summary import render_summary_schema as r; print(r(), end=\"\")' "
        "> docs/summary-schema.json`"
    )


def test_written_summary_validates_against_the_documented_schema(content: ReportContent, tmp_path: Path) -> None:
    head = headline(content)
    path = write_summary(build_summary(content, head.summary_line, ["report.html"]), content.sample_id, tmp_path)
    assert path.name == "TEST-ABC123.summary.json"
    document = json.loads(path.read_text())
    schema = json.loads(SCHEMA_DOC.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert document["counts"]["by_tier"] == {"I": 1, "II": 0, "III": 2, "IV": 1}
    assert document["counts"]["cna_by_tier"] == {"I": 1, "II": 0, "III": 0, "IV": 0}  # ERBB2; TP53 hetdel untiered
    assert document["counts"]["by_class"] == {"SNV": 3, "insertion": 1}
    assert document["tmb"] == {"value": 12.5, "unit": "mutations/Mb", "note": "", "tmb_class": "intermediate"}
    assert document["msi"]["status"] == "MSS"
    assert [f["gene"] for f in document["tier1"]] == ["BRAF"]
    assert document["tier1"][0]["therapies"] == ["Dabrafenib", "Trametinib"]
    assert document["tier1"][0]["best_level"] == "A"
    assert [c["gene"] for c in document["cna"]] == ["ERBB2", "TP53"]
    assert document["bundle"]["demo"] is True


def test_schema_rejects_a_summary_with_an_unknown_tier(content: ReportContent) -> None:
    document = json.loads(build_summary(content, "x", []).model_dump_json())
    document["tier1"][0]["tier"] = "V"
    errors = list(jsonschema.Draft202012Validator(summary_json_schema()).iter_errors(document))
    assert errors and errors[0].path[-1] == "tier"


def test_headline_counts_tiers_and_names_top_signatures(content: ReportContent) -> None:
    head = headline(content)
    assert (head.tier1, head.tier2, head.tmb, head.msi) == (2, 0, 12.5, "MSS")
    assert head.top_signatures[0] == "SBS1"
    assert head.summary_line.startswith(
        "Tier I: 2 (BRAF p.V600E, ERBB2 amplification); Tier II: 0; TMB 12.5 mut/Mb (intermediate); MSI: MSS"
    )
    assert head.summary_line.endswith("[demo, not for clinical use]")


def test_headline_says_na_when_metrics_are_not_computable(content: ReportContent) -> None:
    quiet = replace(
        content,
        tmb=Metric("tmb", None, "mutations/Mb", "not computable: no PASS variants"),
        msi=Metric("msi", None, "indel fraction", "not computable: 0 coding SNVs/indels"),
    )
    head = headline(quiet)
    assert head.tmb is None and head.msi is None
    assert "TMB n/a" in head.summary_line and "MSI n/a" in head.summary_line
    assert json.loads(build_summary(quiet, "", []).model_dump_json())["tmb"]["tmb_class"] is None


def test_headline_counts_tier_i_copy_number_findings(content: ReportContent) -> None:
    """ERBB2 amplification with trastuzumab evidence is a Tier I finding: card, line, Slack."""
    assert content.tier_counts["I"] == 1  # the SNV/indel table alone
    assert content.clinical_findings(Tier.I) == ("BRAF p.V600E", "ERBB2 amplification")
    no_snv = replace(content, findings=tuple(f for f in content.findings if f.tier is not Tier.I))
    head = headline(no_snv)
    assert head.tier1 == 1 and head.summary_line.startswith("Tier I: 1 (ERBB2 amplification)")
    no_cna = replace(content, cna=None)
    assert headline(no_cna).tier1 == 1
    assert build_summary(no_cna, "", []).counts.cna_by_tier == {"I": 0, "II": 0, "III": 0, "IV": 0}


def test_headline_tier_counts_are_the_variant_plus_copy_number_counts_of_the_summary(content: ReportContent) -> None:
    """A consumer adding ``counts.by_tier`` and ``counts.cna_by_tier`` gets the headline's numbers;
    ``by_tier`` keeps counting SNVs/indels only."""
    tier2_cna = (GeneCopyNumber("CDKN2A", "9", 21967751, 21995300, CnaCall.HOMDEL, 0.0, False, tier=Tier.II),
                 GeneCopyNumber("MYC", "8", 128748315, 128753680, CnaCall.GAIN, 4.0, False, tier=Tier.III))  # fmt: skip
    for sample in (content, replace(content, cna=(*(content.cna or ()), *tier2_cna))):
        head = headline(sample)
        counts = build_summary(sample, head.summary_line, []).counts
        assert counts.by_tier == sample.tier_counts
        assert head.tier1 == counts.by_tier["I"] + counts.cna_by_tier["I"]
        assert head.tier2 == counts.by_tier["II"] + counts.cna_by_tier["II"]
    assert (head.tier1, head.tier2) == (2, 1) and counts.cna_by_tier == {"I": 1, "II": 1, "III": 1, "IV": 0}


def test_headline_names_at_most_three_findings(content: ReportContent) -> None:
    many = replace(content, findings=content.findings + tuple(
        replace(f, variant=replace(f.variant, pos=f.variant.pos + i)) for i, f in enumerate(content.tier(Tier.I) * 3, 1)
    ))
    line = headline(many).summary_line
    assert line.startswith("Tier I: 5 (BRAF p.V600E, BRAF p.V600E, BRAF p.V600E, +2 more)")


def test_oncogenic_entries_written_one_at_a_time_give_the_whole_summary_text(
    content: ReportContent, tmp_path: Path
) -> None:
    whole = build_summary(content, "line", ["a"])
    assert len(whole.oncogenic) >= 2  # entries to splice, with the separator between them
    write_summary(whole, "whole", tmp_path)
    bare = build_summary(content, "line", ["a"], oncogenic=False)
    write_summary(bare, "parts", tmp_path, oncogenic_entries(content))
    assert (tmp_path / "parts.summary.json").read_text() == (tmp_path / "whole.summary.json").read_text()
    write_summary(bare, "none", tmp_path, ())
    assert json.loads((tmp_path / "none.summary.json").read_text())["oncogenic"] == []
