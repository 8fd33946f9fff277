"""What the reporter concludes about a variant: AMP/ASCO/CAP tier and points-based classes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from oncodrop.domain.evidence import EvidenceMatch
from oncodrop.domain.variant import Variant


class Tier(str, Enum):
    """AMP/ASCO/CAP 2017 somatic variant tiers."""

    I = "I"
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def label(self) -> str:
        return {
            "I": "Tier I: strong clinical significance",
            "II": "Tier II: potential clinical significance",
            "III": "Tier III: unknown clinical significance",
            "IV": "Tier IV: benign or likely benign",
        }[self.value]


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One scored criterion (oncogenicity SOP or ACMG), e.g. ``OS3`` +4."""

    code: str
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class Classification:
    """A points-based classification with the criteria that produced it."""

    label: str  # "Oncogenic", "Likely oncogenic", "VUS", …; or ACMG "Pathogenic"…
    score: float
    criteria: tuple[CriterionResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A variant with everything the reporter concluded about it (somatic mode)."""

    variant: Variant
    tier: Tier
    tier_reason: str
    evidence: tuple[EvidenceMatch, ...] = ()
    oncogenicity: Classification | None = None
    gene_role: str | None = None  # oncogene | tumour_suppressor | both | None
    hotspot: bool = False

