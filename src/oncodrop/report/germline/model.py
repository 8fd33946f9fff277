"""Domain types of the germline reporter: what a germline finding is and how it was classed.

Frozen and free of I/O. ``GermlineFinding`` is the germline counterpart of ``Finding``: the
person's variant in a panel (or secondary-finding) gene, its genotype QC, its ClinVar record,
its ACMG points classification and the final five-tier class with the reason it was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from oncodrop.domain.classification import Classification
from oncodrop.domain.variant import Variant

GeneOrigin = Literal["panel", "secondary"]


class GermlineClass(str, Enum):
    """The five ACMG/AMP classes, most pathogenic first."""

    PATHOGENIC = "Pathogenic"
    LIKELY_PATHOGENIC = "Likely pathogenic"
    VUS = "VUS"
    LIKELY_BENIGN = "Likely benign"
    BENIGN = "Benign"

    @property
    def code(self) -> str:
        return _CODES[self]

    @property
    def rank(self) -> int:
        """0 for Pathogenic … 4 for Benign (report order)."""
        return list(GermlineClass).index(self)

    @property
    def is_pathogenic(self) -> bool:
        return self in (GermlineClass.PATHOGENIC, GermlineClass.LIKELY_PATHOGENIC)


_CODES = {
    GermlineClass.PATHOGENIC: "P",
    GermlineClass.LIKELY_PATHOGENIC: "LP",
    GermlineClass.VUS: "VUS",
    GermlineClass.LIKELY_BENIGN: "LB",
    GermlineClass.BENIGN: "B",
}


@dataclass(frozen=True, slots=True)
class ClinvarRecord:
    """One ClinVar allele, exactly matched on chromosome, position, REF and ALT."""

    variation_id: str | None
    significance: str  # CLNSIG as ClinVar spells it, "_" replaced by " "
    germline_class: GermlineClass | None  # None: conflicting, risk factor, drug response…
    review_status: str  # CLNREVSTAT, "_" replaced by " "
    stars: int  # 0–4 review stars
    conditions: tuple[str, ...] = ()
    gene: str | None = None


@dataclass(frozen=True, slots=True)
class GenotypeQc:
    """Zygosity, depth and allele balance of the person's call, with what looks wrong."""

    zygosity: str  # heterozygous | homozygous | hemizygous | unknown
    depth: int | None
    allele_balance: float | None
    genotype_quality: int | None
    flags: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.flags


@dataclass(frozen=True, slots=True)
class GermlineFinding:
    """A variant in a reported gene with everything the germline reporter concluded.

    ``final_class`` comes from ClinVar or from the ACMG points (``class_source``), as
    ``acmg.final_class`` decides; ``class_reason`` says why in one sentence.
    """

    variant: Variant
    gene: str
    origin: GeneOrigin
    qc: GenotypeQc
    clinvar: ClinvarRecord | None
    acmg: Classification
    final_class: GermlineClass
    class_source: Literal["ClinVar", "ACMG points"]
    class_reason: str

    @property
    def criteria_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.acmg.criteria)
