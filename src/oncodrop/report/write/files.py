"""Write every file of a somatic report folder, provenance last (it lists the others' checksums).

``report.html``, ``{sample}.tiers.tsv``, ``{sample}.maf``, ``{sample}.summary.json``,
``{sample}.xlsx`` and ``provenance.json``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncodrop.digest import file_sha256
from oncodrop.domain.headline import Headline
from oncodrop.report.maf import barcodes, write_maf
from oncodrop.report.protocol import ReportRequest
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.html import HTML_NAME, write_html
from oncodrop.report.write.provenance import (
    PROVENANCE_NAME,
    write_provenance,
)
from oncodrop.report.write.summary import (
    build_summary,
    headline,
    summary_json_name,
    write_summary,
)
from oncodrop.report.write.tsv import tiers_tsv_name, write_tiers_tsv
from oncodrop.report.write.xlsx import write_xlsx, xlsx_name


def maf_name(sample_id: str) -> str:
    return f"{sample_id}.maf"


def output_names(sample_id: str) -> tuple[str, ...]:
    """The report folder's files (besides ``provenance.json``), sorted."""
    return tuple(sorted((
        HTML_NAME, tiers_tsv_name(sample_id), maf_name(sample_id), summary_json_name(sample_id),
        xlsx_name(sample_id),
    )))  # fmt: skip


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """The files of a report folder, its headline and how long each writer took."""

    files: tuple[Path, ...]
    headline: Headline
    timings: dict[str, float]


def _write_maf(content: ReportContent, path: Path) -> Path:
    stats = content.read_stats
    tumour, normal = barcodes(content.sample_id, stats.tumor_column, stats.normal_column)
    return write_maf(content.findings, path, sample_id=tumour, build=content.build,
                     normal_id=normal)  # fmt: skip


def write_report_files(
    content: ReportContent,
    request: ReportRequest,
    bundle_description: dict[str, Any],
    timings: dict[str, float],
) -> WrittenReport:
    """Write all outputs into ``request.out_dir``; ``timings`` (the steps so far) and each
    writer's time go into ``provenance.json``."""
    out, sample = request.out_dir, content.sample_id
    head = headline(content)
    writers: dict[str, Callable[[], Path]] = {
        "write_html": lambda: write_html(content, head, out),
        "write_tsv": lambda: write_tiers_tsv(content, out),
        "write_maf": lambda: _write_maf(content, out / maf_name(sample)),
        "write_summary": lambda: write_summary(
            build_summary(content, head.summary_line, [*output_names(sample), PROVENANCE_NAME]),
            sample, out),
        "write_xlsx": lambda: write_xlsx(content, head.summary_line, out),
    }  # fmt: skip
    paths: list[Path] = []
    spent: dict[str, float] = {}
    for name, write in writers.items():
        start = time.perf_counter()
        paths.append(write())
        spent[name] = round(time.perf_counter() - start, 4)
    paths.append(write_provenance(
        out,
        reporter=content.reporter,
        sample_id=sample,
        bundle={k: v for k, v in bundle_description.items() if k != "path"},
        config=content.config.model_dump(mode="json"),
        inputs=content.inputs,
        versions=content.versions,
        outputs={p.name: file_sha256(p) for p in paths},
        timings={**timings, **spent},
    ))  # fmt: skip
    return WrittenReport(tuple(sorted(paths)), head, spent)
