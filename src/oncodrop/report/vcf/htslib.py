"""Opening a VCF with htslib, and turning what htslib cannot read into a rejection that names
the file, the line and (when the raw line shows it) the field at fault, never quoting record
content (patient data). htslib is silenced while reading: its warnings quote records."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pysam

from oncodrop.errors import InputRejected, ReasonCode

REF_BASES = frozenset("ACGTNacgtn")


@contextmanager
def quiet_htslib() -> Iterator[None]:
    previous = pysam.set_verbosity(0)
    try:
        yield
    finally:
        pysam.set_verbosity(previous)


def open_vcf(path: Path) -> pysam.VariantFile:
    if not path.exists():
        raise InputRejected(ReasonCode.BAD_VCF, f"VCF file {path.name} is missing from the upload", file=path.name)
    try:
        return pysam.VariantFile(str(path))
    except NotImplementedError:  # htslib cannot seek in plain gzip
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{path.name} is compressed with plain gzip; compress it with bgzip (htslib) instead",
            file=path.name,
        ) from None
    except (ValueError, OSError):
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{path.name} is not a readable VCF: the header is missing or malformed, or the "
            "bgzip file is truncated; it must start with '##fileformat=VCFv4.x' and have a "
            "'#CHROM' line",
            file=path.name,
            line=1,
        ) from None


_COLUMNS = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")


def _raw_line(path: Path, line: int) -> str | None:
    """Line number ``line`` (1-based) of the plain or bgzipped file, or None if unreadable."""
    try:
        with path.open("rb") as head:
            opener = gzip.open if head.read(2) == b"\x1f\x8b" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:  # type: ignore[operator]
            for number, text in enumerate(fh, start=1):
                if number == line:
                    return str(text).rstrip("\r\n")
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _defect(raw: str) -> tuple[str, str] | None:
    """(field, what is wrong) for the first defect of a data line, without quoting its values."""
    columns = raw.split("\t")
    if len(columns) < len(_COLUMNS):
        return "columns", f"has {len(columns)} tab-separated columns; a VCF record needs at least 8"
    if not columns[1].isdigit():
        return "POS", "POS (column 2) is not a whole number"
    ref = columns[3]
    if not ref or not REF_BASES.issuperset(ref):
        return "REF", "REF (column 4) must be A, C, G, T or N bases"
    qual = columns[5]
    if qual != ".":
        try:
            float(qual)
        except ValueError:
            return "QUAL", "QUAL (column 6) is neither a number nor '.'"
    return None


def unparsable(file: str, line: int | None, exc: Exception, path: Path | None = None) -> InputRejected:
    """``bad_vcf`` for a record htslib cannot read, naming the line and, when the raw line shows
    it, the field at fault; record content is never quoted (patient data)."""
    raw = _raw_line(path, line) if path is not None and line else None
    defect = _defect(raw) if raw is not None else None
    where = f"line {line}" if line else "a record"
    if defect is not None:
        field, what = defect
        return InputRejected(ReasonCode.BAD_VCF, f"{file} {where}: {what}; fix that record", file=file, line=line,
                             field=field)  # fmt: skip
    text = str(exc)
    if "truncated" in text or "BGZF" in text:
        why = "the bgzip stream is truncated or corrupt"
    elif "parse" in text:
        why = "htslib could not parse the record"
    else:
        why = type(exc).__name__
    return InputRejected(
        ReasonCode.BAD_VCF,
        f"{file}: cannot parse {where} ({why}); check that the 8+ columns are tab-separated, "
        "POS is a whole number, INFO/FORMAT values match their header types and the file is "
        "not truncated",
        file=file,
        line=line,
    )
