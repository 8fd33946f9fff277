"""ACMG/AMP points (SherLoc/Bayesian style, as CPSR scores them) and the final class.

``ACMG_CRITERIA`` is the table a reviewer checks: every code we know, its points and whether
oncodrop computes it or it waits for data. Points follow Tavtigian et al. 2020 (Hum Mutat
41:1734): very strong 8, strong 4, moderate 2, supporting 1, and negative for benign evidence;
BA1 is stand-alone benign. ``CLASS_THRESHOLDS`` maps the sum to five classes. ``final_class``
combines the points with ClinVar the way CPSR does: a ClinVar classification with at least one
review star and no conflict decides the class; otherwise the points do. Methods:
docs/methods.md, section "Germline classification".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from oncodrop.domain.classification import Classification, CriterionResult
from oncodrop.report.germline.model import ClinvarRecord, GermlineClass

Status = Literal["computed", "awaits data"]


@dataclass(frozen=True, slots=True)
class AcmgCriterion:
    code: str
    points: int
    strength: str
    meaning: str
    status: Status


ACMG_CRITERIA: tuple[AcmgCriterion, ...] = (
    AcmgCriterion("PVS1", 8, "very strong", "null variant in a loss-of-function gene predicted to undergo "
                  "nonsense-mediated decay (ClinGen SVI PVS1 tree)", "computed"),
    AcmgCriterion("PVS1_Strong", 4, "strong", "null variant escaping nonsense-mediated decay, or in-frame "
                  "exon skip, losing > 10 % of the protein (ClinGen SVI PVS1 tree)", "computed"),
    AcmgCriterion("PVS1_Moderate", 2, "moderate", "the same losing ≤ 10 % of the protein, start loss, or a "
                  "branch the data cannot decide (conservative; ClinGen SVI PVS1 tree)", "computed"),
    AcmgCriterion("PS1", 4, "strong", "same amino-acid change as a ClinVar pathogenic/likely pathogenic "
                  "variant, different nucleotide change", "computed"),
    AcmgCriterion("PS2", 4, "strong", "de novo (parents tested)", "awaits data"),
    AcmgCriterion("PS3", 4, "strong", "functional studies show a damaging effect", "awaits data"),
    AcmgCriterion("PS4", 4, "strong", "prevalence in affected individuals", "awaits data"),
    AcmgCriterion("PM1", 2, "moderate", "missense or in-frame change at a recurrent cancer hotspot codon",
                  "computed"),
    AcmgCriterion("PM2_Supporting", 1, "supporting", "absent from, or extremely rare in, the population "
                  "database of the annotation (AF < 0.0001)", "computed"),
    AcmgCriterion("PM4", 2, "moderate", "protein length change: in-frame indel of more than one residue, "
                  "or stop loss", "computed"),
    AcmgCriterion("PM4_Supporting", 1, "supporting", "in-frame insertion/deletion of a single residue",
                  "computed"),
    AcmgCriterion("PM5", 2, "moderate", "novel missense change at a codon where a different missense change "
                  "is ClinVar pathogenic/likely pathogenic", "computed"),
    AcmgCriterion("PP3", 1, "supporting", "computational tools predict a damaging effect", "awaits data"),
    AcmgCriterion("BA1", -8, "stand-alone", "population allele frequency above 5 %", "computed"),
    AcmgCriterion("BS1", -4, "strong", "population allele frequency above 0.5 %, too common for a highly "
                  "penetrant cancer predisposition allele", "computed"),
    AcmgCriterion("BP1", -1, "supporting", "missense change in a gene where disease is caused almost only "
                  "by truncating variants", "computed"),
    AcmgCriterion("BP4", -1, "supporting", "computational tools predict no impact", "awaits data"),
    AcmgCriterion("BP7", -1, "supporting", "synonymous or deep intronic change outside the splice consensus",
                  "computed"),
)  # fmt: skip
CRITERIA_BY_CODE: dict[str, AcmgCriterion] = {c.code: c for c in ACMG_CRITERIA}

# (lowest score of the class, class), checked top-down (Tavtigian 2020: P ≥ 10, LP 6–9,
# VUS 0–5, LB −1 to −6, B ≤ −7).
CLASS_THRESHOLDS: tuple[tuple[float, GermlineClass], ...] = (
    (10, GermlineClass.PATHOGENIC),
    (6, GermlineClass.LIKELY_PATHOGENIC),
    (0, GermlineClass.VUS),
    (-6, GermlineClass.LIKELY_BENIGN),
    (float("-inf"), GermlineClass.BENIGN),
)
STAND_ALONE_BENIGN = "BA1"
# ClinVar decides the class from this many review stars up: 2 = "criteria provided, multiple
# submitters, no conflicts" or better, as CPSR does (a single submitter's 1-star entry is
# shown beside the ACMG points but does not override them).
CLINVAR_MIN_STARS = 2


def criterion(code: str, reason: str) -> CriterionResult:
    """A met criterion with the points of ``ACMG_CRITERIA`` (KeyError for unknown codes)."""
    return CriterionResult(code, float(CRITERIA_BY_CODE[code].points), reason)


def classify(met: Sequence[CriterionResult]) -> Classification:
    """Sum the points of the met criteria into one of five classes (BA1 alone makes Benign)."""
    score = sum(c.points for c in met)
    ordered = tuple(sorted(met, key=lambda c: (-c.points, c.code)))
    if any(c.code == STAND_ALONE_BENIGN for c in met):
        return Classification(GermlineClass.BENIGN.value, score, ordered)
    label = next(cls for floor, cls in CLASS_THRESHOLDS if score >= floor)
    return Classification(label.value, score, ordered)


def final_class(
    acmg: Classification, clinvar: ClinvarRecord | None
) -> tuple[GermlineClass, Literal["ClinVar", "ACMG points"], str]:
    """The reported class, who decided it and why.

    ClinVar decides when the allele has a ClinVar class (P, LP, VUS, LB, B) with at least
    ``CLINVAR_MIN_STARS`` review stars; conflicting, unreviewed (0 stars) or absent ClinVar
    records leave the decision to the ACMG points, and the report shows both.
    """
    points = GermlineClass(acmg.label)
    if clinvar is not None and clinvar.germline_class is not None:
        if clinvar.stars >= CLINVAR_MIN_STARS:
            agree = "agrees with" if clinvar.germline_class is points else "overrides"
            return (
                clinvar.germline_class,
                "ClinVar",
                (
                    f"ClinVar {clinvar.significance} ({clinvar.stars}★, {clinvar.review_status}) "
                    f"{agree} the ACMG points ({acmg.score:+g}, {points.value})"
                ),
            )
        note = (f"ClinVar {clinvar.significance} ({clinvar.stars}★, {clinvar.review_status}) is below "
                f"the {CLINVAR_MIN_STARS}★ needed to decide; ")
    elif clinvar is not None:
        note = f"ClinVar says {clinvar.significance} ({clinvar.review_status}); "
    else:
        note = "not in ClinVar; "
    return points, "ACMG points", f"{note}ACMG points {acmg.score:+g} → {points.value}"
