"""Workbooks written row after row: the one xlsxwriter set-up the somatic and germline
``{sample}.xlsx`` writers share.

Large workbooks are written in constant-memory mode: each row goes to disk as it is written,
so a 10,000-row sheet costs no more memory than a 10-row one (in memory it peaked at ~40 MB and
was slower), and xlsxwriter writes it 3-4x faster than openpyxl's write-only mode. Small ones
(``IN_MEMORY_ROWS``: every germline report, a demo-size somatic one) are assembled in memory:
constant-memory mode makes ~30 temporary files per workbook, which took 12 ms of a Lynch
panel's workbook on an idle disk and 60 ms on a busy one, against 8-9 ms in memory. Both hold
the same cells (in-memory shares repeated strings, constant-memory writes them inline).

Cell text is never guessed at (no numbers, formulas or URLs made from strings: a gene called
``=A1`` stays text), NaN and infinity become Excel errors instead of invalid files, and the
creation date is fixed so the same content gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import xlsxwriter  # type: ignore[import-untyped]

IN_MEMORY_ROWS = 2_000  # ~8 MB at the somatic Variants sheet's width
_OPTIONS = {
    "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    "nan_inf_to_errors": True,
}  # fmt: skip
_CREATED = datetime(2000, 1, 1)  # one date before any real run, never "now"


def typed_value(text: str, *, numeric: bool, integer: bool = False) -> str | float | int | None:
    """A TSV cell as the workbook should hold it: empty → blank, numbers as numbers."""
    if text == "":
        return None
    if numeric:
        number = float(text)
        return int(number) if integer and number.is_integer() else number
    return text


class Sheet:
    """One worksheet, filled top to bottom (constant-memory mode cannot go back a row, so no
    writer may, whichever mode its workbook is in)."""

    def __init__(self, book: Any, name: str, bold: Any) -> None:
        self._ws = book.add_worksheet(name)
        self._bold = bold
        self._row = 0

    def append(self, values: Sequence[object]) -> None:
        """The next row; an empty one leaves a blank row."""
        if values:
            self._ws.write_row(self._row, 0, values)
        self._row += 1

    def header(self, names: Iterable[str]) -> None:
        """The next row, in bold."""
        self._ws.write_row(self._row, 0, list(names), self._bold)
        self._row += 1


class Workbook:
    """``with Workbook(path, rows=n) as book: book.sheet("Summary").header(...)``; sheets appear
    in the order they are made, and the file is complete when the ``with`` block ends. ``rows``:
    about how many rows the writer will write (unknown: constant memory)."""

    def __init__(self, path: Path, *, rows: int | None = None) -> None:
        self.path = path
        in_memory = rows is not None and rows <= IN_MEMORY_ROWS
        self._book = xlsxwriter.Workbook(str(path), {**_OPTIONS, "in_memory": in_memory,
                                                     "constant_memory": not in_memory})  # fmt: skip
        self._book.set_properties({"created": _CREATED})
        self._bold = self._book.add_format({"bold": True})

    def sheet(self, name: str) -> Sheet:
        return Sheet(self._book, name, self._bold)

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
