"""Genome-scale files of a real build: FASTA and GFF3 recompressed with bgzip, ClinVar indexed.

All pysam calls sit here and their errors become ``BundleError`` naming the file, so a broken
download says what to do instead of surfacing a C-library message.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

import pysam

from oncodrop.errors import BundleError

_GZIP_MAGIC = b"\x1f\x8b"


def is_bgzf(path: Path) -> bool:
    """True when ``path`` starts with a BGZF block (gzip with the ``BC`` extra field)."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    return head[:2] == _GZIP_MAGIC and head[3] & 4 == 4 and head[12:14] == b"BC"


def bgzip_copy(source: Path, target: Path) -> Path:
    """Copy a plain, gzip or BGZF file to ``target`` as BGZF."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_bgzf(source):
        shutil.copyfile(source, target)
        return target
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        plain = Path(tmp) / "plain"
        with _open_binary(source) as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, length=1 << 20)
        try:
            pysam.tabix_compress(str(plain), str(target), force=True)
        except (OSError, ValueError) as exc:
            raise BundleError(f"could not bgzip {source.name}: {exc}") from exc
    return target


def compile_fasta(source: Path, target: Path) -> tuple[Path, Path, Path]:
    """bgzipped FASTA + ``.fai`` + ``.gzi`` (Ensembl names: no ``chr`` prefix)."""
    bgzip_copy(source, target)
    try:
        pysam.faidx(str(target))
    except pysam.SamtoolsError as exc:
        raise BundleError(
            f"{source.name} is not a valid FASTA file ({exc}); re-download it"
        ) from exc
    return target, Path(f"{target}.fai"), Path(f"{target}.gzi")


def compile_vcf(source: Path, target: Path) -> tuple[Path, Path]:
    """A bgzipped, tabix-indexed copy of a VCF (ClinVar's upstream file)."""
    bgzip_copy(source, target)
    try:
        pysam.tabix_index(str(target), preset="vcf", force=True)
    except (OSError, ValueError) as exc:
        raise BundleError(
            f"{source.name} could not be indexed as a sorted VCF ({exc}); is it ClinVar's "
            "clinvar.vcf.gz?"
        ) from exc
    return target, Path(f"{target}.tbi")


def _open_binary(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == _GZIP_MAGIC else open(path, "rb")
