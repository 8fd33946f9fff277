"""``knowledge/evidence.tsv``: one row per ``EvidenceItem``, our own columns.

The column list is the single definition of the table; writer (refdata build) and reader
(``Bundle.evidence``) both use it, so the file and the dataclass cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.errors import BundleError
from oncodrop.refdata.tsv import Row, read_rows, write_table

COLUMNS: tuple[str, ...] = (
    "evidence_id", "gene", "profile", "disease", "primary_site", "therapies", "evidence_type",
    "direction", "significance", "level", "rating", "citation", "source", "build", "chrom",
    "start", "end", "ref", "alt", "hgvsp", "codon", "exon", "mutation_class", "variant_origin",
)  # fmt: skip
THERAPY_SEPARATOR = "|"
_INT_FIELDS = frozenset({"rating", "start", "end", "codon", "exon"})
_OPTIONAL_TEXT = frozenset(
    {"primary_site", "build", "chrom", "ref", "alt", "hgvsp", "mutation_class"}
)


def write_evidence(path: Path, items: Iterable[EvidenceItem]) -> int:
    """Write the evidence table; returns the number of rows."""
    return write_table(path, COLUMNS, (_to_row(item) for item in items))


def read_evidence(path: Path) -> tuple[EvidenceItem, ...]:
    """Read the evidence table back into ``EvidenceItem``s (``BundleError`` on a bad row)."""
    return tuple(_from_row(row, path) for row in read_rows(path, COLUMNS))


def _to_row(item: EvidenceItem) -> list[object]:
    values: list[object] = []
    for column in COLUMNS:
        value = getattr(item, column)
        if column == "therapies":
            value = THERAPY_SEPARATOR.join(value)
        elif column == "evidence_type":
            value = value.value
        values.append(value)
    return values


def _from_row(row: Row, path: Path) -> EvidenceItem:
    kwargs: dict[str, object] = {}
    for column in COLUMNS:
        text = row.get(column)
        try:
            if column in _INT_FIELDS:
                kwargs[column] = int(text) if text else None
            elif column == "therapies":
                kwargs[column] = tuple(t for t in text.split(THERAPY_SEPARATOR) if t)
            elif column == "evidence_type":
                kwargs[column] = EvidenceType(text)
            elif column in _OPTIONAL_TEXT:
                kwargs[column] = text or None
            else:
                kwargs[column] = text
        except ValueError as exc:
            raise BundleError(
                f"{path.name}: line {row.line}, column {column!r}: {text!r} is not valid "
                f"({exc}); rebuild the bundle with `oncodrop refdata build`"
            ) from exc
    return EvidenceItem(**kwargs)  # type: ignore[arg-type]
