"""The large row tables (tiers TSV, MAF): plain text, or bgzip'd with a tabix index when big.

At 1M variants the tiers TSV is ~240 MB and the MAF ~190 MB of very repetitive text. Over
``compress_rows_over`` rows (``[report]`` setting) both are written bgzip-compressed instead
(``{sample}.tiers.tsv.gz``, ``{sample}.maf.gz``: the same text, readable by ``zcat``, pandas
and htslib) and tabix-indexed when htslib can index them, i.e. when the rows are in genomic
order (one block per contig, positions not decreasing). The report's rows are in tier order,
so a table spanning several tiers is compressed but not indexed; ``TableFile.index`` is only
set when the ``.tbi`` was written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pysam

from oncodrop.report.maf import barcodes, maf_alleles, write_maf_header, write_maf_rows
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.tsv import tiers_tsv_name, write_tiers_rows
from oncodrop.settings import DEFAULT_COMPRESS_ROWS_OVER


@dataclass(frozen=True, slots=True)
class TabixLayout:
    """Where tabix finds a row's position (0-based columns) and how many lines head the file."""

    seq_col: int
    start_col: int
    end_col: int
    line_skip: int


@dataclass(frozen=True, slots=True)
class TableFile:
    """One table as written: its file, its tabix index if one was made, and why compressed."""

    path: Path
    rows: int
    compressed: bool = False
    index: Path | None = None
    threshold: int = DEFAULT_COMPRESS_ROWS_OVER

    @property
    def name(self) -> str:
        return self.path.name

    def files(self) -> tuple[Path, ...]:
        return (self.path,) if self.index is None else (self.path, self.index)


def compress(rows: int, threshold: int) -> bool:
    """Over the threshold (a count of data rows), the table is written bgzip'd."""
    return rows > threshold


def table_path(path: Path, compressed: bool) -> Path:
    return path.with_name(path.name + ".gz") if compressed else path


@contextmanager
def open_table(path: Path, compressed: bool) -> Iterator[TextIO]:
    """A text handle on ``path`` (plain) or on ``path`` + ``.gz`` (BGZF blocks, htslib's default level)."""
    if not compressed:
        with path.open("w", encoding="utf-8", newline="") as plain:
            yield plain
        return
    raw: Any = pysam.BGZFile(str(table_path(path, True)), "wb", None)  # BGZF text, not an IOBase
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
    try:
        yield text
    finally:
        text.close()  # flushes and closes the BGZF stream (writes its EOF block)


def position_sorted(positions: Iterable[tuple[str, int]]) -> bool:
    """What tabix needs: each contig in one block, positions not decreasing within it."""
    seen: set[str] = set()
    chrom, last = None, 0
    for c, pos in positions:
        if c != chrom:
            if c in seen:
                return False
            seen.add(c)
            chrom, last = c, pos
        elif pos < last:
            return False
        else:
            last = pos
    return True


def index_table(path: Path, layout: TabixLayout) -> Path | None:
    """Write ``path``.tbi; ``None`` when htslib refuses (the caller checks the order first)."""
    try:
        pysam.tabix_index(str(path), seq_col=layout.seq_col, start_col=layout.start_col,
                          end_col=layout.end_col, line_skip=layout.line_skip, meta_char="#",
                          zerobased=False, force=True)  # fmt: skip
    except (OSError, ValueError):
        return None
    index = path.with_name(path.name + ".tbi")
    return index if index.exists() else None


def finish_table(
    path: Path, rows: int, threshold: int, layout: TabixLayout, positions: Iterable[tuple[str, int]]
) -> TableFile:
    """The ``TableFile`` of a table just written by ``open_table(path, compress(rows, threshold))``."""
    if not compress(rows, threshold):
        return TableFile(path, rows, threshold=threshold)
    written = table_path(path, True)
    index = index_table(written, layout) if position_sorted(positions) else None
    return TableFile(written, rows, compressed=True, index=index, threshold=threshold)


# -- the report's two tables ----------------------------------------------------------------

TIERS_LAYOUT = TabixLayout(seq_col=1, start_col=2, end_col=2, line_skip=1)  # sample_id, chrom, pos
MAF_LAYOUT = TabixLayout(seq_col=4, start_col=5, end_col=6, line_skip=2)  # #version, header


def write_tiers_table(content: ReportContent, out_dir: Path, threshold: int) -> TableFile:
    """``{sample}.tiers.tsv``, or ``.tiers.tsv.gz`` (+ ``.tbi`` when in genomic order)."""
    path, rows = out_dir / tiers_tsv_name(content.sample_id), _row_count(content)
    with open_table(path, compress(rows, threshold)) as out:
        write_tiers_rows(content, out)
    if content.rows is not None:
        positions = content.rows.positions()
    else:
        positions = ((f.variant.chrom, f.variant.pos) for f in content.findings)
    return finish_table(path, rows, threshold, TIERS_LAYOUT, positions)


def write_maf_table(content: ReportContent, path: Path, threshold: int) -> TableFile:
    """``{sample}.maf``, or ``.maf.gz`` (+ ``.tbi`` when in genomic order)."""
    stats, rows = content.read_stats, _row_count(content)
    tumour, normal = barcodes(content.sample_id, stats.tumor_column, stats.normal_column)
    with open_table(path, compress(rows, threshold)) as out:
        if content.rows is not None:  # a streamed report: rows as ``maf_line_renderer`` made them
            write_maf_header(out)
            out.writelines(content.rows.texts("maf"))
        else:
            write_maf_rows(content.findings, out, sample_id=tumour, build=content.build, normal_id=normal)
    if content.rows is not None:
        positions = content.rows.maf_positions()
    else:
        positions = ((f.variant.chrom, maf_alleles(f.variant).start) for f in content.findings)
    return finish_table(path, rows, threshold, MAF_LAYOUT, positions)


def _row_count(content: ReportContent) -> int:
    return content.rows.count if content.rows is not None else len(content.findings)
