"""Which VCF column is the tumour and which the matched normal.

Rules, first that decides wins (each leaves its reason in ``SampleChoice.reason``):
1. ``##tumor_sample=`` / ``##normal_sample=`` headers (Mutect2, Strelka2 via bcbio, VEP runs);
2. one column: it is the tumour (somatic mode) or the person (germline mode);
3. column names: the patterns in ``TUMOUR_PATTERNS`` / ``NORMAL_PATTERNS`` (TUMOR, NORMAL,
   ``T_``/``_T``, ``N_``/``_N``, TCGA sample-type codes 01–09 vs 10–19); DNA beats RNA;
4. germline mode with several unlabelled columns (a trio): the first column, the proband by
   convention of joint callers.
A somatic VCF with several columns none of which can be told apart is rejected: guessing
would report the normal's variants as the tumour's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from oncodrop.errors import InputRejected, ReasonCode

Mode = Literal["somatic", "normal"]

TUMOUR_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"tumou?r", re.IGNORECASE),
    re.compile(r"(^|[_\-.])T([_\-.]|\d*$)"),
    re.compile(r"^TCGA-\w\w-\w{4}-0\d"),
    re.compile(r"(^|[_\-.])(cancer|metastasis|primary)([_\-.]|$)", re.IGNORECASE),
)
NORMAL_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"normal|germline|blood|control", re.IGNORECASE),
    re.compile(r"(^|[_\-.])N([_\-.]|\d*$)"),
    re.compile(r"^TCGA-\w\w-\w{4}-1\d"),
)
_RNA = re.compile(r"rna", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SampleChoice:
    """The chosen columns (by name and index) and why they were chosen."""

    tumor: str | None
    normal: str | None
    tumor_index: int | None
    normal_index: int | None
    reason: str


def _matches(name: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    return any(p.search(name) for p in patterns)


def _prefer_dna(names: list[str]) -> list[str]:
    dna = [n for n in names if not _RNA.search(n)]
    return dna or names


def _by_name(samples: Sequence[str]) -> tuple[str | None, str | None]:
    normals = [s for s in samples if _matches(s, NORMAL_PATTERNS)]
    tumours = [s for s in samples if _matches(s, TUMOUR_PATTERNS) and s not in normals]
    tumours = _prefer_dna(tumours)
    tumour = tumours[0] if len(tumours) == 1 else None
    normal = normals[0] if len(normals) == 1 else None
    return tumour, normal


def _choice(
    samples: Sequence[str], tumour: str | None, normal: str | None, why: str
) -> SampleChoice:
    return SampleChoice(
        tumor=tumour,
        normal=normal,
        tumor_index=samples.index(tumour) if tumour is not None else None,
        normal_index=samples.index(normal) if normal is not None else None,
        reason=why,
    )


def choose_samples(
    samples: Sequence[str], header_meta: Mapping[str, str], *, mode: Mode, file: str | None = None
) -> SampleChoice:
    """Decide the tumour/normal columns (somatic) or the person's column (germline).

    In germline mode the person's column is returned as ``tumor`` (it is the sample whose
    genotype is reported) and ``normal`` stays None.
    """
    samples = list(samples)
    if not samples:
        return SampleChoice(None, None, None, None, "no sample columns (sites-only VCF)")
    head_tumour = header_meta.get("tumor_sample")
    head_normal = header_meta.get("normal_sample")
    if mode == "normal":
        if head_normal in samples:
            return _choice(samples, head_normal, None, "##normal_sample header")
        if len(samples) == 1:
            return _choice(samples, samples[0], None, "single sample column")
        _, normal = _by_name(samples)
        if normal is not None:
            return _choice(samples, normal, None, f"column name {normal!r} looks like a normal")
        return _choice(samples, samples[0], None, "several columns: the first (proband) is used")
    if head_tumour in samples:
        normal = head_normal if head_normal in samples and head_normal != head_tumour else None
        return _choice(
            samples, head_tumour, normal, "##tumor_sample header (or GATK ##SAMPLE=<ID=TUMOR>)"
        )
    if len(samples) == 1:
        return _choice(samples, samples[0], None, "single sample column")
    tumour, normal = _by_name(samples)
    if tumour is None and normal is not None and len(samples) == 2:
        tumour = next(s for s in samples if s != normal)
    if tumour is not None:
        if normal is None and len(samples) == 2:
            normal = next(s for s in samples if s != tumour)
        return _choice(samples, tumour, normal, f"column names ({tumour!r} is the tumour)")
    raise InputRejected(
        ReasonCode.AMBIGUOUS_SAMPLES,
        f"cannot tell which of the {len(samples)} sample columns is the tumour; add a "
        "'##tumor_sample=<column name>' header line or name the columns TUMOR and NORMAL",
        file=file,
        line=None,
        field="#CHROM",
    )
