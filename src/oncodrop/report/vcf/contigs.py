"""Contig names and genome build: ``chr1``/``1`` and ``chrM``/``MT`` spellings, GRCh37 vs 38.

The build is read from the header, most reliable evidence first: ``##contig`` lengths of the
chromosomes that differ between the builds, then ``##reference`` / ``##assembly`` / ``##VEP``
/ ``##contig assembly=`` text. None when the header does not say (PCGR's example VCFs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from oncodrop.report.model import Build

# Chromosome lengths that tell the builds apart (GRC primary assemblies).
CONTIG_LENGTHS: dict[tuple[str, int], Build] = {
    ("1", 249250621): "grch37",
    ("1", 248956422): "grch38",
    ("2", 243199373): "grch37",
    ("2", 242193529): "grch38",
    ("17", 81195210): "grch37",
    ("17", 83257441): "grch38",
    ("21", 48129895): "grch37",
    ("21", 46709983): "grch38",
    ("X", 155270560): "grch37",
    ("X", 156040895): "grch38",
}

# Header text that names a build (searched in ##reference, ##assembly, ##VEP, contig assembly).
BUILD_PATTERNS: tuple[tuple[re.Pattern[str], Build], ...] = (
    (re.compile(r"grch38|hg38|hs38|b38", re.I), "grch38"),
    (re.compile(r"grch37|hg19|hs37|b37|human_g1k_v37", re.I), "grch37"),
)
BUILD_HEADER_KEYS: tuple[str, ...] = ("reference", "assembly", "VEP", "source_reference")

_ALIASES: dict[str, str] = {"M": "MT", "chrM": "MT", "chrMT": "MT"}


def normalise_chrom(name: str) -> str:
    """``chr7`` -> ``7``, ``chrM``/``M`` -> ``MT``; other names keep their spelling."""
    if name in _ALIASES:
        return _ALIASES[name]
    if name.startswith("chr"):
        name = name[3:]
    return _ALIASES.get(name, name)


def build_from_lengths(lengths: Mapping[str, int | None]) -> Build | None:
    """Build implied by ``##contig`` lengths, or None if no diagnostic contig is present."""
    for name, length in lengths.items():
        if length:
            build = CONTIG_LENGTHS.get((normalise_chrom(name), int(length)))
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
