"""Known answers for the points → class rules and for how ClinVar and the points combine."""

from __future__ import annotations

from oncodrop.report.germline.acmg import (
    ACMG_CRITERIA,
    classify,
    criterion,
    final_class,
)
from oncodrop.report.germline.clinvar import record_from_info
from oncodrop.report.germline.model import GermlineClass


def classify_codes(*codes: str) -> tuple[str, float]:
    result = classify([criterion(c, "test") for c in codes])
    return result.label, result.score


def test_points_table_follows_the_bayesian_strengths() -> None:
    points = {c.code: c.points for c in ACMG_CRITERIA}
    assert (points["PVS1"], points["PS1"], points["PM5"], points["PM2_Supporting"]) == (8, 4, 2, 1)
    assert (points["BA1"], points["BS1"], points["BP7"], points["BP1"]) == (-8, -4, -1, -1)


def test_very_strong_plus_moderate_is_pathogenic() -> None:
    assert classify_codes("PVS1", "PM5") == ("Pathogenic", 10)


def test_very_strong_plus_supporting_rarity_is_likely_pathogenic() -> None:
    assert classify_codes("PVS1", "PM2_Supporting") == ("Likely pathogenic", 9)


def test_no_criteria_is_a_vus_with_zero_points() -> None:
    assert classify_codes() == ("VUS", 0)


def test_conflicting_evidence_null_variant_but_common_is_a_vus() -> None:
    assert classify_codes("PVS1", "BS1") == ("VUS", 4)


def test_ba1_is_stand_alone_benign_whatever_else_is_met() -> None:
    assert classify_codes("PVS1", "PS1", "BA1") == ("Benign", 4)


def test_two_supporting_benign_criteria_are_likely_benign_and_bs1_plus_bp_is_likely_benign() -> None:
    assert classify_codes("BP7", "BP1") == ("Likely benign", -2)
    assert classify_codes("BS1", "BP7") == ("Likely benign", -5)
    assert classify_codes("BS1", "BS1", "BP1") == ("Benign", -9)



def test_reviewed_clinvar_pathogenic_overrides_a_vus_by_points() -> None:
    points = classify([criterion("PM5", "t")])
    record = record_from_info("1", {"CLNSIG": "Pathogenic", "CLNREVSTAT": "reviewed_by_expert_panel"})
    cls, source, reason = final_class(points, record)
    assert (cls, source, record.stars) == (GermlineClass.PATHOGENIC, "ClinVar", 3)
    assert "overrides" in reason


def test_reviewed_clinvar_benign_overrides_a_likely_pathogenic_by_points() -> None:
    points = classify([criterion("PVS1", "t"), criterion("PM2_Supporting", "t")])
    record = record_from_info(
        "1", {"CLNSIG": "Benign", "CLNREVSTAT": "criteria_provided,_multiple_submitters,_no_conflicts"})
    assert record.stars == 2
    assert final_class(points, record)[:2] == (GermlineClass.BENIGN, "ClinVar")


def test_a_one_star_clinvar_entry_does_not_override_the_points() -> None:
    # CPSR: ClinVar decides only from 2 review stars (multiple submitters, no conflicts) up
    points = classify([criterion("PVS1", "t"), criterion("PM2_Supporting", "t")])
    record = record_from_info("1", {"CLNSIG": "Benign", "CLNREVSTAT": "criteria_provided,_single_submitter"})
    assert record.stars == 1
    cls, source, reason = final_class(points, record)
    assert (cls, source) == (GermlineClass.LIKELY_PATHOGENIC, "ACMG points")
    assert "1★" in reason and "below the 2★" in reason


def test_clinvar_without_review_stars_leaves_the_class_to_the_points() -> None:
    points = classify([criterion("PVS1", "t"), criterion("PM2_Supporting", "t")])
    record = record_from_info("1", {"CLNSIG": "Pathogenic", "CLNREVSTAT": "no_assertion_criteria_provided"})
    assert record.stars == 0
    assert final_class(points, record)[:2] == (GermlineClass.LIKELY_PATHOGENIC, "ACMG points")


def test_conflicting_clinvar_classifications_leave_the_class_to_the_points() -> None:
    points = classify([criterion("PVS1", "t"), criterion("BS1", "t")])
    record = record_from_info(
        "5591", {"CLNSIG": "Conflicting_classifications_of_pathogenicity",
                 "CLNREVSTAT": "criteria_provided,_conflicting_classifications"})
    assert record.germline_class is None and record.stars == 1
    cls, source, reason = final_class(points, record)
    assert (cls, source) == (GermlineClass.VUS, "ACMG points")
    assert "Conflicting classifications of pathogenicity" in reason


def test_clinvar_significance_with_modifiers_keeps_its_primary_class() -> None:
    record = record_from_info("1", {"CLNSIG": "Pathogenic|risk_factor",
                                    "CLNREVSTAT": "criteria_provided,_multiple_submitters,_no_conflicts",
                                    "CLNDN": "Lynch_syndrome|not_provided"})
    assert (record.germline_class, record.stars, record.conditions) == (
        GermlineClass.PATHOGENIC, 2, ("Lynch syndrome",))
