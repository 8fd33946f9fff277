"""Reading and writing the plain tab-separated tables of the bundle and its upstream sources.

Upstream TSVs (CIViC, OncoKB, cancerhotspots) do not quote fields and some statements contain a
literal ``"``, so quoting is never interpreted. Lines are read with trailing whitespace removed
and, where a source tab-joins a multi-valued last column, the extra fields are kept together.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from oncodrop.errors import BundleError


@dataclass(frozen=True, slots=True)
class Row:
    """One data line: its 1-based line number in the file and its fields by column name."""

    line: int
    fields: dict[str, str]

    def get(self, column: str) -> str:
        """The stripped value of ``column`` (empty string when the column is absent)."""
        return self.fields.get(column, "").strip()


def open_text(path: Path):
    """Open a plain or gzip-compressed text file (detected by its magic bytes)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_rows(path: Path, required: Sequence[str] = ()) -> Iterator[Row]:
    """Yield the rows of a headed TSV; ``BundleError`` when a required column is missing.

    Lines with more fields than the header (tab-joined multi-values) have the surplus joined
    back into the last column; lines with fewer are padded with empty strings.
    """
    with open_text(path) as fh:
        header_line = fh.readline()
        header = [h.strip() for h in header_line.rstrip("\r\n").split("\t")]
        missing = [c for c in required if c not in header]
        if missing:
            raise BundleError(
                f"{path.name}: line 1 lacks column(s) {', '.join(missing)}; "
                f"is this the right file and format? (found: {', '.join(header[:12])})"
            )
        width = len(header)
        for number, raw in enumerate(fh, start=2):
            text = raw.rstrip("\r\n")
            if not text.strip() or text.startswith("#"):
                continue
            values = text.split("\t")
            if len(values) > width:
                values = values[: width - 1] + ["\t".join(values[width - 1 :])]
            elif len(values) < width:
                values = values + [""] * (width - len(values))
            yield Row(number, dict(zip(header, values, strict=True)))


def write_table(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Write a TSV with ``header``; ``None`` becomes an empty field. Returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(header) + "\n")
        for row in rows:
            fh.write("\t".join("" if v is None else _clean(str(v)) for v in row) + "\n")
            count += 1
    return count


def _clean(value: str) -> str:
    """Tabs and newlines would break the table; upstream free text sometimes has them."""
    return value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
