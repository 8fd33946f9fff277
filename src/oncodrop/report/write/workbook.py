"""Workbooks written row after row: the one xlsxwriter set-up the somatic and germline
``{sample}.xlsx`` writers share.

Every row becomes XML as it is written (xlsxwriter's constant-memory mode, strings inline).
Large workbooks keep those rows in a temporary file per sheet, so a 10,000-row sheet costs no
more memory than a 10-row one (xlsxwriter's in-memory mode peaked at ~40 MB and was slower),
and xlsxwriter writes it 3-4x faster than openpyxl's write-only mode. Small ones
(``IN_MEMORY_ROWS``: every germline report, a demo-size somatic one) keep the rows in memory
(``_RowsInMemory``) and are packaged in memory: on disk, ~30 temporary files per workbook took
12 ms of a Lynch panel's workbook on an idle disk and 60 ms on a busy one. (Small ones were
xlsxwriter's in-memory mode, cell by cell with a shared-string table, until this cost a
1,000-variant report ~0.09 s of CPU against ~0.04 s; the cells are the same.)

A row of plain cells (numbers, blanks, text without control characters
or edge whitespace: ``_PlainRows``) becomes XML here, as xlsxwriter's own cell writer makes it
(``tests/report/write/test_workbook.py`` holds the files byte-identical), not cell by cell
through ``write_row``, whose per-cell dispatch, cell tuples and attribute lists were ~3/4 of
writing a 10,000-row Variants sheet. Any other row goes through ``write_row``.

Cell text is never guessed at (no numbers, formulas or URLs made from strings: a gene called
``=A1`` stays text), NaN and infinity become Excel errors instead of invalid files, and the
creation date is fixed so the same content gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.utility import xl_col_to_name  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

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


# Text xlsxwriter writes specially inline: control characters, its own ``_xHHHH_`` escapes
# (``_escape_control_characters``) and rich strings ("<r>…</r>"); looked for once a row, in the
# row's texts joined by "\n" (which none of these contains)
_SPECIAL_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|<r>")
_STRMAX = 32767 // 2  # longer text may need xlsxwriter's UTF-16 truncation


class _PlainRows:
    """Rows of str / int / float / None cells written straight into a constant-memory
    worksheet's row file, as ``Worksheet._write_single_row`` writes them. ``write`` returns
    False, having written nothing, for a row it cannot write exactly so."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._columns: list[str] = []

    def write(self, row: int, values: Sequence[object]) -> bool:
        ws = self._ws
        if (ws.col_info or row in ws.row_info or ws.table.get(row) or row < ws.previous_row
                or row >= ws.xls_rowmax or len(values) > ws.xls_colmax):  # fmt: skip
            return False
        if len(values) > len(self._columns):
            self._columns = [xl_col_to_name(c) for c in range(max(len(values), 2 * len(self._columns)))]
        number = str(row + 1)
        cells: list[str] = []
        texts: list[str] = []
        first = last = -1
        for col, value in enumerate(values):
            kind = value.__class__
            if kind is str:  # not a subclass: xlsxwriter may treat those otherwise
                text = cast(str, value)
                if not text:  # "" is a blank, as None
                    continue
                if len(text) > _STRMAX or text[0].isspace() or text[-1].isspace():
                    return False  # edge whitespace: xml:space="preserve"
                texts.append(text)
                if "&" in text or "<" in text or ">" in text:
                    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                cells.append(f'<c r="{self._columns[col]}{number}" t="inlineStr"><is><t>{text}</t></is></c>')
            elif kind is int or kind is float:
                if not math.isfinite(value):  # type: ignore[arg-type]
                    return False  # an Excel error formula
                cells.append(f'<c r="{self._columns[col]}{number}"><v>{value:.16G}</v></c>')
            elif value is None:
                continue
            else:
                return False
            last = col
            if first < 0:
                first = col
        if first < 0:
            return True  # blanks only: xlsxwriter writes nothing either
        if texts and _SPECIAL_TEXT.search("\n".join(texts)):
            return False
        if row > ws.previous_row:
            ws._write_single_row(row)  # the row before, if ``write_row`` wrote it
        ws._check_dimensions(row, first)
        ws._check_dimensions(row, last)
        ws._write_row(row, None)
        ws.fh.write("".join(cells))
        ws._xml_end_tag("row")
        return True


class _RowsInMemory(Worksheet):  # type: ignore[misc]
    """A constant-memory worksheet whose rows wait in a ``StringIO`` instead of a temporary
    file (xlsxwriter's row-data file: made in ``_initialize``, closed and reopened around
    packaging, copied into the sheet's XML by ``_write_optimized_sheet_data``)."""

    def _initialize(self, init_data: dict[str, Any]) -> None:
        super()._initialize({**init_data, "constant_memory": False})  # no temporary file
        self.constant_memory = True
        self.row_data_fh = self.fh = io.StringIO()

    def _opt_close(self) -> None:
        """Nothing to close: the rows are in memory."""

    def _opt_reopen(self) -> None:
        """Nothing to reopen: the rows are in memory."""

    def _write_optimized_sheet_data(self) -> None:
        if self.dim_rowmin is None:  # no data: as xlsxwriter writes it
            self._xml_empty_tag("sheetData")
            return
        self._xml_start_tag("sheetData")
        self.fh.write(self.row_data_fh.getvalue())
        self._xml_end_tag("sheetData")


class Sheet:
    """One worksheet, filled top to bottom (constant-memory mode cannot go back a row, so no
    writer may, whichever mode its workbook is in)."""

    def __init__(self, book: Any, name: str, bold: Any) -> None:
        self._ws = book.add_worksheet(name, worksheet_class=None if book.constant_memory else _RowsInMemory)
        self._bold = bold
        self._row = 0
        self._plain = _PlainRows(self._ws)

    def append(self, values: Sequence[object]) -> None:
        """The next row; an empty one leaves a blank row."""
        if values and not self._plain.write(self._row, values):
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
