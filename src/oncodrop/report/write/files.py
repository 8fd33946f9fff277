"""Write every file of a somatic report folder, provenance last (it lists the others' checksums).

``report.html``, ``{sample}.tiers.tsv``, ``{sample}.maf``, ``{sample}.summary.json``,
``{sample}.xlsx`` and ``provenance.json``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from oncodrop.report.maf import write_maf
from oncodrop.report.protocol import Headline, ReportRequest
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.html import HTML_NAME, write_html
from oncodrop.report.write.provenance import sha256_file, write_provenance
from oncodrop.report.write.summary import build_summary, headline, summary_json_name, write_summary
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


def write_report_files(
    content: ReportContent,
    request: ReportRequest,
    bundle_description: dict[str, Any],
    timings: dict[str, float],
) -> tuple[tuple[Path, ...], Headline]:
    """Write all outputs into ``request.out_dir``; returns their paths and the headline."""
    out = request.out_dir
    head = headline(content)
    start = time.perf_counter()
    paths = [
        write_html(content, head, out),
        write_tiers_tsv(content, out),
        write_maf(
            content.findings, out / maf_name(content.sample_id),
            sample_id=content.sample_id, build=content.build,
        ),
        write_summary(
            build_summary(content, head.summary_line, [*output_names(content.sample_id)]),
            content.sample_id, out,
        ),
        write_xlsx(content, head.summary_line, out),
    ]
    outputs = {p.name: sha256_file(p) for p in paths}
    description = {k: v for k, v in bundle_description.items() if k != "path"}
    paths.append(write_provenance(
        out,
        reporter=content.reporter,
        sample_id=content.sample_id,
        bundle=description,
        config=content.config.model_dump(mode="json"),
        inputs=content.inputs,
        versions=content.versions,
        outputs=outputs,
        timings={**timings, "write_outputs": time.perf_counter() - start},
    ))  # fmt: skip
    return tuple(sorted(paths)), head
