"""The documented germline summary schema is the one the code writes."""

from __future__ import annotations

from pathlib import Path

from oncodrop.report.germline.write.summary import render_germline_summary_schema

DOC = Path(__file__).resolve().parents[4] / "docs" / "germline-summary-schema.json"


def test_docs_schema_matches_the_summary_models() -> None:
    assert DOC.read_text(encoding="utf-8") == render_germline_summary_schema(), (
        "regenerate docs/germline-summary-schema.json from render_germline_summary_schema()")


def test_schema_requires_the_class_lists_and_names_the_five_classes() -> None:
    text = render_germline_summary_schema()
    for name in ('"pathogenic"', '"vus"', '"secondary"', '"LP"', '"LB"', '"class_source"'):
        assert name in text
