"""The cancer hotspots release as cancerhotspots.org publishes it: ``hotspots_v2.xls``.

The v2 release (Chang et al. 2018, 24,592 tumours) is an Excel 97 workbook with an
``SNV-hotspots`` and an ``INDEL-hotspots`` sheet; the single-residue rows we compile
(``knowledge.hotspots_from_cancerhotspots``) live on the SNV sheet. python-calamine reads
``.xls`` and ``.xlsx`` alike, so a re-saved workbook works too, and a TSV export of the SNV
sheet (the format older bundles were built from) is still accepted. The format is told by the
file's magic bytes, not its name: a download lands under a temporary name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from oncodrop.errors import BundleError
from oncodrop.refdata.tsv import Row, read_rows

COLUMNS = ("Hugo_Symbol", "Amino_Acid_Position", "Reference_Amino_Acid", "Variant_Amino_Acid")
"""Columns the compile step needs (the release has ~20 more)."""
SNV_SHEET = "SNV-hotspots"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) compound file
_ZIP = b"PK\x03\x04"  # Office Open XML (.xlsx)


def is_workbook(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(8)
    return head.startswith((_OLE2, _ZIP))


def hotspot_rows(path: Path, required: Sequence[str] = COLUMNS) -> Iterator[Row]:
    """Rows of the SNV hotspot table from the published workbook or a TSV export of it."""
    if not is_workbook(path):
        yield from read_rows(path, required)
        return
    yield from _workbook_rows(path, required)


def _workbook_rows(path: Path, required: Sequence[str]) -> Iterator[Row]:
    from python_calamine import CalamineError, CalamineWorkbook  # a compiled reader, only for builds

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        ordered = sorted(names, key=lambda n: (n != SNV_SHEET, "snv" not in n.lower()))
        for name in ordered:
            table = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            header = [_cell(c) for c in table[0]] if table else []
            if all(c in header for c in required):
                yield from _rows(table, header)
                return
    except CalamineError as exc:
        raise BundleError(f"{path.name}: cannot read the hotspot workbook ({exc})") from exc
    raise BundleError(
        f"{path.name}: no sheet of the workbook ({', '.join(names)}) has the columns "
        f"{', '.join(required)}; is this cancerhotspots.org's hotspots_v2.xls?"
    )


def _rows(table: Sequence[Sequence[object]], header: list[str]) -> Iterator[Row]:
    for number, values in enumerate(table[1:], start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        cells += [""] * (len(header) - len(cells))
        yield Row(number, dict(zip(header, cells[: len(header)], strict=True)))


def _cell(value: object) -> str:
    """Spreadsheet cell -> the text a TSV export would hold (600.0 -> "600")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
