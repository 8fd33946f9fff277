"""Copy-number segments and gene-level copy-number calls."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from oncodrop.domain.classification import Tier
from oncodrop.domain.evidence import EvidenceMatch


class CnaCall(str, Enum):
    AMPLIFICATION = "amplification"
    GAIN = "gain"
    NEUTRAL = "neutral"
    HETDEL = "hetdel"
    HOMDEL = "homdel"


@dataclass(frozen=True, slots=True)
class Segment:
    chrom: str
    start: int
    end: int
    total_cn: float | None = None  # absolute copy number (PCGR 2.x nMajor+nMinor)
    minor_cn: int | None = None
    log2_ratio: float | None = None  # PCGR 0.x Segment_Mean


@dataclass(frozen=True, slots=True)
class GeneCopyNumber:
    gene: str
    chrom: str
    start: int
    end: int
    call: CnaCall
    total_cn: float | None
    loh: bool
    log2_ratio: float | None = None
    evidence: tuple[EvidenceMatch, ...] = ()
    tier: Tier | None = None

