"""Genome builds and contig names: ``chr1``/``1`` and ``chrM``/``MT`` spellings, GRCh37 vs 38.

The build is read from the header, most reliable evidence first: ``##contig`` lengths of the
chromosomes that differ between the builds, then ``##reference`` / ``##assembly`` / ``##VEP``
/ ``##contig assembly=`` text. None when the header does not say (PCGR's example VCFs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

Build = Literal["grch37", "grch38"]

# Primary-assembly chromosome lengths (GRC), used to recognise the build from ##contig lines
# and to write synthetic headers. MT is identical in both builds, so it decides nothing.
_ORDER = (*[str(i) for i in range(1, 23)], "X", "Y", "MT")
CHROMOSOME_LENGTHS: dict[Build, dict[str, int]] = {
    "grch37": dict(zip(_ORDER, (
        249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663,
        146364022, 141213431, 135534747, 135006516, 133851895, 115169878, 107349540,
        102531392, 90354753, 81195210, 78077248, 59128983, 63025520, 48129895, 51304566,
        155270560, 59373566, 16569,
    ), strict=True)),
    "grch38": dict(zip(_ORDER, (
        248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973,
        145138636, 138394717, 133797422, 135086622, 133275309, 114364328, 107043718,
        101991189, 90338345, 83257441, 80373285, 58617616, 64444167, 46709983, 50818468,
        156040895, 57227415, 16569,
    ), strict=True)),
}  # fmt: skip
CHROMOSOME_ORDER: tuple[str, ...] = _ORDER
_BY_LENGTH: dict[tuple[str, int], Build] = {
    (chrom, length): build
    for build, lengths in CHROMOSOME_LENGTHS.items()
    for chrom, length in lengths.items()
    if CHROMOSOME_LENGTHS["grch37"][chrom] != CHROMOSOME_LENGTHS["grch38"][chrom]
}

# Header text that names a build (searched in ##reference, ##assembly, ##VEP, contig assembly).
BUILD_PATTERNS: tuple[tuple[re.Pattern[str], Build], ...] = (
    (re.compile(r"grch38|hg38|hs38|b38", re.IGNORECASE), "grch38"),
    (re.compile(r"grch37|hg19|hs37|b37|human_g1k_v37", re.IGNORECASE), "grch37"),
)
BUILD_HEADER_KEYS: tuple[str, ...] = ("reference", "assembly", "VEP", "source_reference")

def normalise_chrom(name: str) -> str:
    """The one contig spelling oncodrop uses: ``chr7``/``Chr7`` -> ``7``, ``chrx`` -> ``X``,
    ``chrM``/``M``/``mt`` -> ``MT``; other contigs (``GL000220.1``) keep their spelling."""
    name = name.strip()
    if name[:3].lower() == "chr":
        name = name[3:]
    upper = name.upper()
    if upper in ("M", "MT"):
        return "MT"
    return upper if upper in ("X", "Y") else name


def build_from_lengths(lengths: Mapping[str, int | None]) -> Build | None:
    """Build implied by ``##contig`` lengths, or None if no diagnostic contig is present."""
    for name, length in lengths.items():
        if length:
            build = _BY_LENGTH.get((normalise_chrom(name), int(length)))
            if build:
                return build
    return None


def build_from_text(values: Iterable[str]) -> Build | None:
    """Build named by header text (``GRCh37.p13``, ``hg38.fa``…), or None."""
    for value in values:
        for pattern, build in BUILD_PATTERNS:
            if pattern.search(value):
                return build
    return None


class GeneSpan(Protocol):
    """What a gene-level step needs of a gene: its symbol and 1-based inclusive span
    (``refdata.bundle.GeneLocus`` has it)."""

    @property
    def symbol(self) -> str: ...
    @property
    def chrom(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
