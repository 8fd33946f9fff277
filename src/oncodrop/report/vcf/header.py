"""What the VCF header says: sample columns, build, annotation source, header line count."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pysam

from oncodrop.domain.genome import BUILD_HEADER_KEYS, Build, build_from_lengths, build_from_text
from oncodrop.report.annotation.csq import CsqLayout

AnnotationSource = Literal["VEP", "snpEff", "BCSQ"]

# INFO tag -> annotator, in order of preference when a file carries several.
ANNOTATION_TAGS: tuple[tuple[str, AnnotationSource], ...] = (
    ("CSQ", "VEP"),
    ("ANN", "snpEff"),
    ("BCSQ", "BCSQ"),
)


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """Facts taken from the header once, before any record is read."""

    samples: tuple[str, ...]
    meta: dict[str, str]  # generic ##key=value lines (first value wins)
    build: Build | None
    build_evidence: str
    annotation: AnnotationSource | None
    csq_layout: CsqLayout | None
    header_lines: int  # number of lines before the first record


def count_header_lines(path: Path) -> int:
    """Lines up to and including ``#CHROM``, so record k (1-based) is on line ``n + k``."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    count = 0
    with opener(path, "rt", errors="replace") as handle:
        for line in handle:
            count += 1
            if line.startswith("#CHROM"):
                break
    return count


def _detect_build(header: pysam.VariantHeader, meta: dict[str, str]) -> tuple[Build | None, str]:
    lengths = {str(name): contig.length for name, contig in header.contigs.items()}
    build = build_from_lengths(lengths)
    if build:
        return build, "##contig lengths"
    texts = [meta[key] for key in BUILD_HEADER_KEYS if key in meta]
    for record in header.records:
        if record.type == "CONTIG" and "assembly" in record:
            texts.append(str(record["assembly"]))
            break
    build = build_from_text(texts)
    return (build, "##reference/##assembly text") if build else (None, "not stated in header")


def _sample_role(record: pysam.VariantHeaderRecord, meta: dict[str, str]) -> None:
    """GATK 4.0 Mutect2 ``##SAMPLE=<ID=TUMOR,SampleName=…>`` -> ``tumor_sample`` (or normal)."""
    role, name = record.get("ID"), record.get("SampleName")
    if role in ("TUMOR", "NORMAL") and name:
        meta.setdefault(f"{str(role).lower()}_sample", str(name).strip('"'))


def read_header(vf: pysam.VariantFile, path: Path) -> HeaderFacts:
    """Collect the header facts of an open VCF (the caller translates pysam errors)."""
    header = vf.header
    meta: dict[str, str] = {}
    for record in header.records:
        if record.type == "GENERIC" and record.key and record.value is not None:
            if record.key in meta:
                continue
            meta[record.key] = record.value
        elif record.type == "STRUCTURED" and record.key == "SAMPLE":
            _sample_role(record, meta)
    build, evidence = _detect_build(header, meta)
    annotation: AnnotationSource | None = None
    layout: CsqLayout | None = None
    for tag, source in ANNOTATION_TAGS:
        if tag in header.info:
            annotation = source
            if tag == "CSQ":
                layout = CsqLayout.from_description(
                    header.info["CSQ"].description or "", file=path.name
                )
            break
    return HeaderFacts(
        samples=tuple(header.samples),
        meta=meta,
        build=build,
        build_evidence=evidence,
        annotation=annotation,
        csq_layout=layout,
        header_lines=count_header_lines(path),
    )
