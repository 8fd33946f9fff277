"""``report.html``: one self-contained file a tumour board can open anywhere, offline.

Inline CSS, inline vanilla JS and inline SVG (``charts``); no CDN, no fonts, no requests.
Everything is rendered through Jinja2 with autoescaping. Size is bounded for whole-genome
samples: Tier I/II and oncogenic findings are server-rendered HTML (visible without JavaScript
and in print); the all-variants table is a compact JSON array (columns listed once, consequence
terms dictionary-coded, ``variant_table``) that the page sorts, filters and paginates
client-side, so 100,000 variants cost ~60 bytes each. Above ``MAX_TABLE_ROWS`` the table is
capped and says so.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup

from oncodrop.domain.classification import Tier
from oncodrop.domain.genome import CHROMOSOME_LENGTHS, CHROMOSOME_ORDER
from oncodrop.domain.headline import Headline
from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.kataegis import MAX_DISTANCE as KATAEGIS_MAX_DISTANCE
from oncodrop.report.metrics.kataegis import MIN_SNVS as KATAEGIS_MIN_SNVS
from oncodrop.report.write import charts, links
from oncodrop.report.write.content import (
    ReportContent,
    earned_tier,
    evidence_groups,
    variant_label,
)
from oncodrop.report.write.tables import TableFile
from oncodrop.report.write.tally import FindingTally
from oncodrop.report.write.tsv import tiers_tsv_name
from oncodrop.report.write.variant_table import MAX_TABLE_ROWS, coded_table, variant_table

HTML_NAME = "report.html"
EVIDENCE_SHOWN = 8  # evidence rows per finding before "n more" (all of them in the xlsx)
BUILD_LABELS = {"grch37": "GRCh37", "grch38": "GRCh38"}
ACTIONABLE_SHOWN = 200  # Tier I/II findings rendered in full; the rest are in the table and TSV
ONCOGENIC_SHOWN = 500
TIER3_SHOWN = 500  # Tier III rows rendered in the Tier III/IV view (all in the table and TSV)
TIER4_SHOWN = 200
CNA_SHOWN = 500
KATAEGIS_SHOWN = 100

_ENV_OPTIONS: dict[str, Any] = {
    "autoescape": True, "undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True,
    "keep_trailing_newline": True,
}  # fmt: skip


class _TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept between processes (compiling the report page is ~50 ms of every
    report), under Python's own rule for bytecode: only when Python writes ``.pyc`` files (not
    with ``PYTHONDONTWRITEBYTECODE``, as in the image), in ``sys.pycache_prefix`` when set, else
    in Jinja's private per-user folder of the temp dir. A file is used only for the same template
    source, Jinja version and environment options (in its name); one that cannot be read or
    written is no cache, never a failed report."""

    @classmethod
    def create(cls) -> _TemplateCache | None:
        if sys.dont_write_bytecode:
            return None
        tag = hashlib.sha256(f"{jinja2.__version__} {sorted(_ENV_OPTIONS.items())}".encode()).hexdigest()[:12]
        pattern = f"__oncodrop_{tag}_%s.cache"
        try:
            if sys.pycache_prefix:
                folder = Path(sys.pycache_prefix) / "oncodrop-templates"
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                return cls(str(folder), pattern)
            return cls(None, pattern)
        except (OSError, RuntimeError):  # no private folder to be had
            return None

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def report_environment(package: str) -> Environment:
    """The Jinja settings every report template uses (autoescaped, strict), for ``package``'s
    ``templates/`` folder; shared with the germline report."""
    env = Environment(loader=PackageLoader(package, "templates"), bytecode_cache=_TemplateCache.create(),
                      **_ENV_OPTIONS)  # fmt: skip
    env.filters["label"] = variant_label
    return env


_ENV = report_environment("oncodrop.report.write")


def population_af(variant: Variant, short: bool = False) -> str:
    """gnomAD/1000G allele frequency as the page shows it, saying when it is absent (``short``:
    for table cells, ``absent`` / ``n/a``)."""
    if variant.population_af is not None:
        return f"{variant.population_af:.3g}"
    if variant.population_checked:
        return "absent" if short else "absent from gnomAD"
    return "n/a" if short else "not annotated"


def predictions(variant: Variant) -> str:
    """In-silico calls carried in the VCF (``SIFT deleterious(0.01); PolyPhen …``)."""
    return "; ".join(f"{name} {call}" for name, call in variant.predictions)


_ENV.filters["pmid_url"] = links.citation_url
_ENV.filters["evidence_url"] = links.evidence_url
_ENV.filters["evidence_groups"] = evidence_groups
_ENV.filters["earned_tier"] = earned_tier
_ENV.filters["population_af"] = population_af
_ENV.filters["predictions"] = predictions


def _depth_ceiling(depths: Mapping[int, int]) -> int:
    """Histogram upper bound: the 99th percentile rounded up to a round number (min 50);
    ``depths``: depth -> how many variants."""
    n = sum(depths.values())
    if not n:
        return 100
    rank, seen, p99 = min(n - 1, int(0.99 * n)), 0, 0
    for depth in sorted(depths):
        seen += depths[depth]
        if seen > rank:
            p99 = depth
            break
    step = 10 ** max(1, int(math.log10(max(p99, 1))))
    return max(50, int(math.ceil(p99 / step) * step))


def qc_charts(tally: FindingTally) -> tuple[Markup, Markup]:
    """VAF and depth histograms of the reported variants."""
    vaf = charts.binned_histogram_svg(tally.vaf_bins, tally.vaf_reaches_1, lo=0.0, hi=1.0,
                                      title="Variant allele fraction", x_label="tumour VAF")  # fmt: skip
    ceiling, n_bins = float(_depth_ceiling(tally.depths)), 25
    counts = [0] * n_bins
    for d, n in tally.depths.items():
        counts[charts.bin_index(float(d), 0.0, (ceiling - 0.0) / n_bins, n_bins)] += n
    depth = charts.binned_histogram_svg(counts, any(float(d) >= ceiling for d in tally.depths), lo=0.0,
                                        hi=ceiling, title="Sequencing depth", x_label="tumour depth (reads)")  # fmt: skip
    return vaf, depth


def signature_charts(content: ReportContent) -> tuple[Markup, Markup]:
    sig = content.signatures
    if sig.catalogue is None:
        spectrum = charts.empty_chart(f"Spectrum {sig.metric.note}")
    else:
        spectrum = charts.spectrum_svg(
            sig.catalogue.contexts, [int(n) for n in sig.catalogue.counts],
            title="SBS96 mutational spectrum",
        )
    if sig.fit is None:
        return charts.empty_chart(f"Signatures {sig.metric.note}"), spectrum
    exposures = sig.fit.exposures
    bars = charts.exposure_bars_svg(
        [e.name for e in exposures], [e.fraction for e in exposures],
        [e.ci_low for e in exposures], [e.ci_high for e in exposures],
        title="Signature exposures (bootstrap 95% interval)",
    )
    return bars, spectrum


def copy_number_top(values: list[float]) -> float:
    """Top of the absolute copy-number axis: 8, or the next power of two above the highest
    segment (CN 24 → 32), so no segment is drawn capped."""
    highest = max(values, default=0.0)
    return 8.0 if highest <= 8 else float(2 ** math.ceil(math.log2(highest)))


def cna_chart(content: ReportContent) -> Markup:
    """Segments at absolute copy number on a log axis (0 … ≥ the highest CN) when known, else
    at their log2 ratio (−2..2)."""
    absolute = all(c.segment.total_cn is not None for c in content.cna_segments)
    points = [
        (c.segment.chrom, c.segment.start, c.segment.end,
         (c.segment.total_cn if absolute else c.segment.log2_ratio) or 0.0, c.call.value)
        for c in content.cna_segments
    ]  # fmt: skip
    lengths = [(chrom, CHROMOSOME_LENGTHS[content.build][chrom]) for chrom in CHROMOSOME_ORDER
               if chrom in CHROMOSOME_LENGTHS[content.build] and chrom != "MT"]  # fmt: skip
    top = copy_number_top([p[3] for p in points]) if absolute else 2.0
    return charts.genome_segments_svg(
        points, lengths, y_range=(0.0, top) if absolute else (-2.0, 2.0), log_scale=absolute,
        y_label="total copy number" if absolute else "log2 copy ratio", title="Copy-number segments",
    )  # fmt: skip


@functools.cache
def tables_script() -> Markup:
    """The inline script that makes every server-rendered table sortable and filterable
    (``templates/tables.js``, shared with the germline report)."""
    source, _, _ = PackageLoader("oncodrop.report.write", "templates").get_source(_ENV, "tables.js")
    return Markup(source)


def render_html(content: ReportContent, headline: Headline, tables: tuple[TableFile, ...] = ()) -> str:
    """The report page as a string (pure: same content → same text). ``tables`` are the tiers
    TSV and MAF as written; compressed ones are named with their ``.gz`` and said why."""
    return _ENV.get_template("report.html.j2").render(**_page(content, headline, tables))


def _page(content: ReportContent, headline: Headline, tables: tuple[TableFile, ...]) -> dict[str, Any]:
    """The template's variables."""
    tally = content.finding_tally()
    vaf_chart, depth_chart = qc_charts(tally)
    exposure_chart, spectrum_chart = signature_charts(content)
    actionable = (*content.tier(Tier.I), *content.tier(Tier.II))
    if content.rows is not None:  # a streamed report: rows as ``table_row_json`` spilled them
        table = coded_table(content.rows.texts("table", MAX_TABLE_ROWS), content.rows.count)
    else:
        table = variant_table(content.findings)
    return {
        "c": content,
        "build_label": BUILD_LABELS[content.build],
        "evidence_shown": EVIDENCE_SHOWN,
        "limits": {"actionable": ACTIONABLE_SHOWN, "oncogenic": ONCOGENIC_SHOWN, "cna": CNA_SHOWN,
                "kataegis": KATAEGIS_SHOWN},
        "links": lambda v: links.variant_links(v, content.build),
        "tiers": ("I", "II", "III", "IV"),
        "tier_views": ((Tier.III, TIER3_SHOWN, tally.tier_counts["III"]), (Tier.IV, TIER4_SHOWN, tally.tier_counts["IV"])),
        "oncogenic": tally.oncogenic_shown,
        "oncogenic_total": tally.oncogenic_count,
        "tables_js": tables_script(),
        "headline": headline,
        "actionable": actionable,
        "table": table,
        "tsv_name": tables[0].name if tables else tiers_tsv_name(content.sample_id),
        "compressed": [t for t in tables if t.compressed],
        "vaf_chart": vaf_chart,
        "depth_chart": depth_chart,
        "exposure_chart": exposure_chart,
        "spectrum_chart": spectrum_chart,
        "cna_chart": cna_chart(content) if content.cna_segments else None,
        "kataegis_rule": (KATAEGIS_MIN_SNVS, KATAEGIS_MAX_DISTANCE),
        "config_json": json.dumps(content.config.model_dump(mode="json"), indent=2, sort_keys=True),
    }


def write_html(content: ReportContent, headline: Headline, out_dir: Path, tables: tuple[TableFile, ...] = ()) -> Path:
    """``render_html``'s text, written as the template yields it (never one string: ~10 MB for a
    whole genome, twice over once encoded)."""
    path = out_dir / HTML_NAME
    with path.open("w", encoding="utf-8") as out:
        out.writelines(_ENV.get_template("report.html.j2").generate(**_page(content, headline, tables)))
    return path
