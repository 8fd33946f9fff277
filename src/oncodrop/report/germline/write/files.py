"""Write every file of a germline report folder, provenance last (it lists the others' sums).

``report.html``, ``{sample}.germline.tsv``, ``{sample}.summary.json``, ``{sample}.xlsx`` and
``provenance.json`` (the somatic writer's, so both kinds record the same facts).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from oncodrop.digest import file_sha256
from oncodrop.domain.headline import Headline
from oncodrop.report.germline.write.content import GermlineContent, germline_headline
from oncodrop.report.germline.write.html import HTML_NAME, write_germline_html
from oncodrop.report.germline.write.summary import (
    build_germline_summary,
    germline_summary_name,
    write_germline_summary,
)
from oncodrop.report.germline.write.tsv import germline_tsv_name, write_germline_tsv
from oncodrop.report.germline.write.xlsx import germline_xlsx_name, write_germline_xlsx
from oncodrop.report.write.provenance import write_provenance


def germline_output_names(sample_id: str) -> tuple[str, ...]:
    """The report folder's files besides ``provenance.json``, sorted."""
    return tuple(sorted((HTML_NAME, germline_tsv_name(sample_id), germline_summary_name(sample_id),
                         germline_xlsx_name(sample_id))))  # fmt: skip


def write_germline_files(
    content: GermlineContent,
    out_dir: Path,
    bundle_description: dict[str, Any],
    timings: dict[str, float],
) -> tuple[tuple[Path, ...], Headline]:
    """Write all outputs into ``out_dir``; returns their paths and the headline."""
    head = germline_headline(content)
    start = time.perf_counter()
    summary = build_germline_summary(content, head.summary_line, [*germline_output_names(content.sample_id)])
    paths = [
        write_germline_html(content, head, out_dir),
        write_germline_tsv(content, out_dir),
        write_germline_summary(summary, content.sample_id, out_dir),
        write_germline_xlsx(content, head.summary_line, out_dir),
    ]
    paths.append(write_provenance(
        out_dir,
        reporter=content.reporter,
        sample_id=content.sample_id,
        bundle={k: v for k, v in bundle_description.items() if k != "path"},
        config=content.config.model_dump(mode="json"),
        inputs=content.inputs,
        versions=content.versions,
        outputs={p.name: file_sha256(p) for p in paths},
        timings={**timings, "write_outputs": time.perf_counter() - start},
    ))  # fmt: skip
    return tuple(sorted(paths)), head
