"""The germline half of the interpretation input (``report.interpretation.snapshot``)."""

from __future__ import annotations

from dataclasses import replace

from oncodrop.domain.variant import Variant
from oncodrop.report.germline.model import GermlineFinding
from oncodrop.report.germline.write.content import GermlineContent
from oncodrop.report.interpretation.codec import encode
from oncodrop.report.interpretation.snapshot import Call, Interpretation, InterpretationInput
from oncodrop.report.write.content import variant_label


def germline_call(finding: GermlineFinding) -> Call:
    """One germline finding as the diff compares it: class, ClinVar, ACMG points, criteria."""
    v, record = finding.variant, finding.clinvar
    clinvar = f"{record.significance} ({record.stars}★)" if record is not None else None
    return Call(
        key=v.key, label=variant_label(v), reason=finding.class_reason,
        germline_class=finding.final_class.value, clinvar=clinvar,
        acmg=f"{finding.acmg.label} ({finding.acmg.score:+g})", criteria=finding.criteria_codes,
    )  # fmt: skip


def germline_interpretation(content: GermlineContent) -> Interpretation:
    return Interpretation(content.bundle, tuple(germline_call(f) for f in content.findings))


def germline_input(content: GermlineContent, variants: tuple[Variant, ...]) -> InterpretationInput:
    """The input of a germline report: the panel variants read and the content minus findings."""
    return InterpretationInput(
        kind="normal", variants=variants, interpretation=germline_interpretation(content),
        content=encode(replace(content, findings=())),
    )  # fmt: skip
