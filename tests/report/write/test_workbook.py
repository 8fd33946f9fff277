"""The shared workbook writer: what a cell holds is what the writer was given, and the same
content gives the same bytes (both report kinds' workbooks are written with it)."""

from __future__ import annotations

import math
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter  # type: ignore[import-untyped]
from openpyxl import load_workbook

from oncodrop.report.write.workbook import _CREATED, _OPTIONS, IN_MEMORY_ROWS, Workbook, _RowsInMemory, typed_value


@pytest.mark.parametrize("rows", [None, 10], ids=["constant-memory", "in-memory"])
def test_cells_hold_what_was_written_and_strings_are_never_guessed_at(tmp_path: Path, rows: int | None) -> None:
    with Workbook(tmp_path / "w.xlsx", rows=rows) as book:
        sheet = book.sheet("First")
        sheet.header(("text", "number", "integer", "blank"))
        sheet.append(("=SUM(A1)", 0.25, 7, None))
        sheet.append(())
        sheet.append(("1e5", math.nan, -3, "http://example.org"))
        book.sheet("Second").append(("after",))
    wb = load_workbook(book.path)
    assert wb.sheetnames == ["First", "Second"]
    rows = [list(r) for r in wb["First"].iter_rows(values_only=True)]
    assert rows[0] == ["text", "number", "integer", "blank"]
    assert rows[1] == ["=SUM(A1)", 0.25, 7, None] and wb["First"]["A2"].data_type == "s"  # text, not a formula
    assert rows[2] == [None, None, None, None]
    assert rows[3][0] == "1e5" and rows[3][3] == "http://example.org"
    assert str(rows[3][1]).endswith("#NUM!")  # NaN: an error cell (openpyxl reads it as a formula), not a bad file
    assert wb["First"]["A1"].font.b and not wb["First"]["A2"].font.b
    assert wb["Second"]["A1"].value == "after"
    wb.close()


@pytest.mark.parametrize("rows", [None, 10], ids=["constant-memory", "in-memory"])
def test_same_content_same_bytes_and_no_timestamp(tmp_path: Path, rows: int | None) -> None:
    def write(path: Path) -> bytes:
        with Workbook(path, rows=rows) as book:
            book.sheet("S").append(("a", 1))
        return path.read_bytes()

    assert write(tmp_path / "a.xlsx") == write(tmp_path / "b.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert "2000-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()
        assert {info.date_time[0] for info in z.infolist()} == {1980}


def test_a_small_workbook_is_the_constant_memory_one_made_without_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    mkstemp = tempfile.mkstemp

    def counted(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = mkstemp(*args, **kwargs)
        made.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", counted)

    def write(rows: int | None) -> dict[str, bytes]:
        path = tmp_path / f"{rows}.xlsx"
        with Workbook(path, rows=rows) as book:
            book.sheet("S").append(("text", 1))
            book.sheet("Bold").header(("a", "b"))
            book.sheet("Empty")
        with zipfile.ZipFile(path) as z:
            return {name: z.read(name) for name in z.namelist()}

    small = write(IN_MEMORY_ROWS)
    assert not made and b"inlineStr" in small["xl/worksheets/sheet1.xml"]
    assert write(IN_MEMORY_ROWS + 1) == small and made  # on disk: ~30 temporary files
    assert write(None) == small


def test_typed_value_reads_tsv_text_as_the_workbook_should_hold_it() -> None:
    assert typed_value("", numeric=True) is None
    whole, number = typed_value("12", numeric=True, integer=True), typed_value("12", numeric=True)
    assert whole == 12 and isinstance(whole, int) and number == 12.0 and isinstance(number, float)
    assert typed_value("0.5", numeric=True, integer=True) == 0.5
    assert typed_value("12", numeric=False) == "12"


_AWKWARD_ROWS: tuple[tuple[object, ...], ...] = (
    ("plain", 1, 2.5, None, "x & y < z > w", "", "quote \" and 'apostrophe'", "a > b"),
    (10**17, 1e-300, -0.0, 123456789.123456789, 1 / 3, 2**53 + 1, -7),
    (None, None, ""),  # blanks only: no row at all
    (),
    ("  leading space", "trailing tab\t", "new\nline inside", "tab\tinside", 4),
    ("control \x01", 5),
    ("_x0041_ looks escaped", 5),
    ("<r>rich</r>", 5),
    ("\ufffe", 5),
    (math.nan, math.inf, -math.inf, True, False, 10**17, 1e-300, -0.0, 123456789.123456789),
    ("ü€😀 non-ASCII", 3, "x" * 20_000),
    (None, "starts late", *range(40)),
)


@pytest.mark.parametrize("rows", [None, 10], ids=["constant-memory", "in-memory"])
def test_rows_are_the_same_bytes_as_xlsxwriter_writes_them_cell_by_cell(tmp_path: Path, rows: int | None) -> None:
    """Plain rows' XML is written here: the file must be the one ``write_row`` gives, for plain
    rows and for every kind handed back to ``write_row`` (rows on disk or in memory alike)."""
    with Workbook(tmp_path / "ours.xlsx", rows=rows) as book:
        for name in ("First", "Second"):
            sheet = book.sheet(name)
            sheet.header(("a", "b", "c"))
            for row in _AWKWARD_ROWS:
                sheet.append(row)
            sheet.header(("again",))
            sheet.append(("after a header", 1))
    in_memory = rows is not None
    ref = xlsxwriter.Workbook(str(tmp_path / "ref.xlsx"), {**_OPTIONS, "in_memory": in_memory,
                                                            "constant_memory": not in_memory})  # fmt: skip
    ref.set_properties({"created": _CREATED})
    bold = ref.add_format({"bold": True})
    for name in ("First", "Second"):
        ws = ref.add_worksheet(name, worksheet_class=_RowsInMemory if in_memory else None)
        ws.write_row(0, 0, ("a", "b", "c"), bold)
        for i, row in enumerate(_AWKWARD_ROWS, start=1):
            if row:
                ws.write_row(i, 0, row)
        ws.write_row(len(_AWKWARD_ROWS) + 1, 0, ("again",), bold)
        ws.write_row(len(_AWKWARD_ROWS) + 2, 0, ("after a header", 1))
    ref.close()
    assert (tmp_path / "ours.xlsx").read_bytes() == (tmp_path / "ref.xlsx").read_bytes()
