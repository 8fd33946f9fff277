"""``report.html`` of a germline report: self-contained, in the look of the somatic report.

The style sheet is the somatic report's own (read from its template, not copied), the charts
are the somatic writer's SVG histograms and variant labels use its ``variant_label``. Order on
the page: P/LP findings first with their evidence, then VUS, then every panel variant in a
table filterable by class and text (inline vanilla JS; rows are server-rendered so the page
reads without JavaScript and in print), panel, QC, settings and provenance, methods.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from jinja2 import PackageLoader
from markupsafe import Markup

from oncodrop.domain.headline import Headline
from oncodrop.report.germline.acmg import (
    ACMG_CRITERIA,
    CLASS_THRESHOLDS,
    CLINVAR_MIN_STARS,
)
from oncodrop.report.germline.model import GermlineClass, GermlineFinding
from oncodrop.report.germline.qc import QC_MEANINGS
from oncodrop.report.germline.write.content import GermlineContent
from oncodrop.report.germline.write.tsv import germline_tsv_name
from oncodrop.report.write import charts, links
from oncodrop.report.write.html import report_environment, tables_script

HTML_NAME = "report.html"
VUS_CARDS = 100  # VUS shown with their evidence; the rest are rows of the filterable table
MAX_TABLE_ROWS = 5_000  # panel-restricted: a whole exome's panel genes stay far below this
BUILD_LABELS = {"grch37": "GRCh37", "grch38": "GRCh38"}
SOMATIC_TEMPLATES = PackageLoader("oncodrop.report.write", "templates")
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)

_ENV = report_environment("oncodrop.report.germline.write")


@functools.cache
def somatic_css() -> Markup:
    """The somatic report's inline style sheet, so both reports look alike."""
    source, _, _ = SOMATIC_TEMPLATES.get_source(_ENV, "report.html.j2")
    match = _STYLE.search(source)
    return Markup(match.group(1) if match else "")


def qc_charts(content: GermlineContent) -> tuple[Markup, Markup]:
    """Allele-balance and depth histograms of the reported variants."""
    balance = [f.qc.allele_balance for f in content.findings if f.qc.allele_balance is not None]
    depths = [float(f.qc.depth) for f in content.findings if f.qc.depth is not None]
    ab = charts.histogram_svg(balance, lo=0.0, hi=1.0, n_bins=20, title="Allele balance",
                              x_label="ALT read fraction")
    top = max(100.0, max(depths, default=0.0))
    dp = charts.histogram_svg(depths, lo=0.0, hi=top, n_bins=25, title="Sequencing depth",
                              x_label="depth (reads)")
    return ab, dp


def finding_links(finding: GermlineFinding, content: GermlineContent) -> tuple[links.Link, ...]:
    """dbSNP, ClinVar (its variation page when the bundle matched one), gnomAD links."""
    clinvar_id = finding.clinvar.variation_id if finding.clinvar else None
    return links.variant_links(finding.variant, content.build, clinvar_id)


def render_germline_html(content: GermlineContent, headline: Headline) -> str:
    """The report page as a string (pure: same content → same text)."""
    ab_chart, depth_chart = qc_charts(content)
    return _ENV.get_template("germline.html.j2").render(
        c=content,
        css=somatic_css(),
        headline=headline,
        build_label=BUILD_LABELS[content.build],
        classes=list(GermlineClass),
        table=content.findings[:MAX_TABLE_ROWS],
        table_limit=MAX_TABLE_ROWS,
        vus_cards=VUS_CARDS,
        tsv_name=germline_tsv_name(content.sample_id),
        criteria=ACMG_CRITERIA,
        thresholds=[(floor, cls.value) for floor, cls in CLASS_THRESHOLDS],
        clinvar_min_stars=CLINVAR_MIN_STARS,
        qc_meanings=QC_MEANINGS,
        ab_chart=ab_chart,
        depth_chart=depth_chart,
        links=lambda f: finding_links(f, content),
        tables_js=tables_script(),
        config_json=json.dumps(content.config.model_dump(mode="json"), indent=2, sort_keys=True),
    )


def write_germline_html(content: GermlineContent, headline: Headline, out_dir: Path) -> Path:
    path = out_dir / HTML_NAME
    path.write_text(render_germline_html(content, headline), encoding="utf-8")
    return path
