"""Write every file of a somatic report folder, provenance last (it lists the others' checksums).

``report.html``, ``{sample}.tiers.tsv``, ``{sample}.maf``, ``{sample}.summary.json``,
``{sample}.xlsx`` and ``provenance.json``. Over ``request.compress_rows_over`` rows the tiers
TSV and the MAF are ``.tsv.gz``/``.maf.gz`` (bgzip, ``.tbi`` when indexable: ``tables``); they
are written first, so the HTML, the workbook and the summary name the files that exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncodrop.digest import file_sha256
from oncodrop.domain.headline import Headline
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
    oncogenic_entries,
    summary_json_name,
    write_summary,
)
from oncodrop.report.write.tables import TableFile, write_maf_table, write_tiers_table
from oncodrop.report.write.tsv import tiers_tsv_name
from oncodrop.report.write.xlsx import write_xlsx, xlsx_name


def maf_name(sample_id: str) -> str:
    return f"{sample_id}.maf"


def output_names(sample_id: str, tables: tuple[TableFile, ...] = ()) -> tuple[str, ...]:
    """The report folder's files (besides ``provenance.json``), sorted; ``tables`` are the
    tiers TSV and MAF as written (compressed ones, with their index when one was made)."""
    names = {HTML_NAME, tiers_tsv_name(sample_id), maf_name(sample_id), summary_json_name(sample_id),
             xlsx_name(sample_id)}  # fmt: skip
    for table in tables:
        names.discard(table.path.name.removesuffix(".gz"))
        names.update(p.name for p in table.files())
    return tuple(sorted(names))


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """The files of a report folder, its headline and how long each writer took."""

    files: tuple[Path, ...]
    headline: Headline
    timings: dict[str, float]


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
    paths: list[Path] = []
    spent: dict[str, float] = {}

    def timed(name: str, write: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        made = write()
        spent[name] = round(time.perf_counter() - start, 4)
        return made

    threshold = request.compress_rows_over
    tsv: TableFile = timed("write_tsv", lambda: write_tiers_table(content, out, threshold))
    maf: TableFile = timed("write_maf", lambda: write_maf_table(content, out / maf_name(sample), threshold))
    paths += [*tsv.files(), *maf.files()]
    tables = (tsv, maf)
    writers: dict[str, Callable[[], Path]] = {
        "write_html": lambda: write_html(content, head, out, tables),
        "write_summary": lambda: write_summary(
            build_summary(content, head.summary_line, [*output_names(sample, tables), PROVENANCE_NAME],
                          oncogenic=False),
            sample, out, oncogenic_entries(content)),
        "write_xlsx": lambda: write_xlsx(content, head.summary_line, out, tsv.name),
    }  # fmt: skip
    for name, write in writers.items():
        paths.append(timed(name, write))
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
