"""Helpers for the metrics tests: a tiny FASTA writer and a minimal reader for the real VCFs.

The reader only pulls what the metrics need (position, alleles, FILTER, PCGR's INFO TDP/TVAF,
the picked VEP consequence); the project's VCF reader is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pysam
import pytest

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.metrics.sequence import ReferenceGenome


def write_fasta(path: Path, contigs: dict[str, str]) -> Path:
    """Write a FASTA with a faidx index (60 bases a line)."""
    with path.open("w") as fh:
        for name, seq in contigs.items():
            fh.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i : i + 60] + "\n")
    pysam.faidx(str(path))
    return path


@pytest.fixture
def make_genome(tmp_path: Path) -> Callable[[dict[str, str]], ReferenceGenome]:
    """Build a ReferenceGenome from contig sequences; closed after the test."""
    opened: list[ReferenceGenome] = []

    def make(contigs: dict[str, str]) -> ReferenceGenome:
        genome = ReferenceGenome.open(write_fasta(tmp_path / f"ref{len(opened)}.fa", contigs))
        opened.append(genome)
        return genome

    yield make
    for genome in opened:
        genome.close()


def read_variants(path: Path) -> list[Variant]:
    """Variants of a real test VCF (biallelic records as they are; multi-allelics split)."""
    out: list[Variant] = []
    with pysam.VariantFile(str(path)) as vcf:
        csq_fields: list[str] = []
        if "CSQ" in vcf.header.info:
            desc = vcf.header.info["CSQ"].description
            csq_fields = desc.split("Format: ")[1].strip('"').split("|")
        for rec in vcf:
            filters = tuple(rec.filter.keys())
            depth = _first(rec.info.get("TDP")) if "TDP" in vcf.header.info else None
            vaf = _first(rec.info.get("TVAF")) if "TVAF" in vcf.header.info else None
            csq = _picked_consequence(rec, csq_fields) if csq_fields else None
            for alt in rec.alts or ():
                out.append(
                    Variant(
                        chrom=rec.chrom.removeprefix("chr"),
                        pos=rec.pos,
                        ref=rec.ref,
                        alt=alt,
                        filter_pass=filters in ((), ("PASS",)),
                        filters=filters,
                        depth=depth,
                        vaf=vaf,
                        consequence=csq,
                    )
                )
    return out


def _first(value: object) -> object:
    return value[0] if isinstance(value, tuple) else value


def _picked_consequence(rec: pysam.VariantRecord, fields: list[str]) -> Consequence | None:
    entries = [dict(zip(fields, e.split("|"), strict=False)) for e in rec.info.get("CSQ", ())]
    if not entries:
        return None
    picked = next((e for e in entries if e.get("PICK") == "1"), entries[0])
    return Consequence(
        gene=picked.get("SYMBOL") or None,
        terms=tuple(picked["Consequence"].split("&")),
        impact=picked.get("IMPACT", "MODIFIER"),
        source="VEP",
    )


@pytest.fixture(scope="session")
def brca_vep_variants(testdata: Path) -> list[Variant]:
    return read_variants(testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz")


@pytest.fixture(scope="session")
def coad_variants(testdata: Path) -> list[Variant]:
    return read_variants(testdata / "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz")


@pytest.fixture(scope="session")
def brca_variants(testdata: Path) -> list[Variant]:
    return read_variants(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz")
