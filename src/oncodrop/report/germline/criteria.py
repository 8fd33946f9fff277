"""Which ACMG criteria a germline variant meets, from the facts our data supports.

Each rule is one small pure function of the variant and its ``EvidenceContext`` returning the
met criterion (code + reason) or None; ``RULES`` lists them and ``evaluate`` runs them all.
Points live in ``acmg.ACMG_CRITERIA``. Consequence term sets and frequency cut-offs are tables
at the top of the module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oncodrop.domain.classification import CriterionResult
from oncodrop.domain.variant import Variant
from oncodrop.report.germline.acmg import criterion
from oncodrop.report.germline.clinvar import PathogenicResidue

NULL_TERMS = frozenset({
    "stop_gained", "frameshift_variant", "splice_acceptor_variant", "splice_donor_variant",
    "start_lost", "transcript_ablation", "exon_loss_variant",
})  # fmt: skip
NMD_ESCAPE_TERMS = frozenset({"stop_gained", "frameshift_variant"})  # weaker in the last exon
INFRAME_TERMS = frozenset({"inframe_insertion", "inframe_deletion", "disruptive_inframe_insertion",
                           "disruptive_inframe_deletion", "conservative_inframe_insertion",
                           "conservative_inframe_deletion", "stop_lost"})  # fmt: skip
SILENT_TERMS = frozenset({"synonymous_variant", "intron_variant"})
TRANSCRIPT_TERMS = frozenset({"non_coding_transcript_variant", "NMD_transcript_variant"})
LOF_MECHANISMS = frozenset({"LoF", "both"})
BA1_AF = 0.05
BS1_AF = 0.005
PM2_AF = 0.0001

# Genes where ≥ 90 % of ClinVar pathogenic variants truncate the protein and ≥ 50 % of missense
# changes with a classification are benign (rates as CPSR tabulates them from ClinVar; BP1).
TRUNCATION_DRIVEN_GENES = frozenset({
    "APC", "BARD1", "BRCA1", "BRCA2", "CDH1", "DICER1", "PALB2", "PMS2", "PTCH1", "RECQL4",
    "TSC1", "XPC",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class EvidenceContext:
    """What the bundle and the annotation say about the variant's gene and residue."""

    gene: str
    mechanism: str  # LoF | GoF | both | unknown
    hotspot: bool = False  # codon is a recurrent hotspot in the bundle
    clinvar_residues: tuple[PathogenicResidue, ...] = ()  # ClinVar P/LP missense at this codon
    population_data: bool = False  # the annotation carries a population AF field
    truncation_driven: bool = False


Rule = Callable[[Variant, EvidenceContext], CriterionResult | None]


def _terms(v: Variant) -> frozenset[str]:
    return frozenset(v.consequence.terms) if v.consequence else frozenset()


def _missense(v: Variant) -> bool:
    return "missense_variant" in _terms(v)


def _in_last_exon(v: Variant) -> bool:
    csq = v.consequence
    if csq is None or csq.exon is None or csq.exon_count is None:
        return False
    return csq.exon_count > 1 and csq.exon == csq.exon_count


def pvs1(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    null = _terms(v) & NULL_TERMS
    if not null or ctx.mechanism not in LOF_MECHANISMS:
        return None
    term = min(null)
    if null == {"start_lost"}:
        return criterion("PVS1_Moderate", f"start_lost in {ctx.gene} (loss of function gene)")
    if null <= NMD_ESCAPE_TERMS and _in_last_exon(v):
        return criterion("PVS1_Strong", f"{term} in the last exon of {ctx.gene} (escapes NMD)")
    return criterion("PVS1", f"{term} in {ctx.gene}, a gene where loss of function causes disease")


def ps1(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    if not _missense(v) or v.consequence is None:
        return None
    same = [r for r in ctx.clinvar_residues if r.hgvsp == v.consequence.hgvsp and r.key != v.key]
    if not same:
        return None
    return criterion("PS1", f"{v.consequence.hgvsp} is ClinVar {same[0].significance} via {same[0].key}")


def pm5(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    if not _missense(v) or v.consequence is None:
        return None
    if any(r.hgvsp == v.consequence.hgvsp for r in ctx.clinvar_residues):
        return None  # the same change: PS1 (or the allele itself), not PM5
    other = ctx.clinvar_residues[0] if ctx.clinvar_residues else None
    if other is None:
        return None
    return criterion("PM5", f"codon {other.codon}: {other.hgvsp} is ClinVar {other.significance}")


def pm1(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    if not ctx.hotspot or not (_missense(v) or _terms(v) & INFRAME_TERMS):
        return None
    codon = v.consequence.protein_position if v.consequence else None
    return criterion("PM1", f"codon {codon} of {ctx.gene} is a recurrent cancer hotspot")


def population(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    """BA1 / BS1 / PM2_Supporting from the annotation's population allele frequency."""
    af = v.population_af
    if af is not None and af > BA1_AF:
        return criterion("BA1", f"population AF {af:.4g} > {BA1_AF}")
    if af is not None and af > BS1_AF:
        return criterion("BS1", f"population AF {af:.4g} > {BS1_AF}")
    if ctx.population_data and (af is None or af < PM2_AF):
        what = "absent from" if af is None else f"AF {af:.2g} in"
        return criterion("PM2_Supporting", f"{what} the annotation's population database")
    return None


def pm4(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    terms = _terms(v)
    if not terms & INFRAME_TERMS or terms & NULL_TERMS:
        return None
    if "stop_lost" in terms:
        return criterion("PM4", "stop_lost lengthens the protein")
    change = abs(len(v.ref) - len(v.alt))
    if change <= 3:
        return criterion("PM4_Supporting", f"in-frame change of {change // 3 or 1} residue")
    return criterion("PM4", f"in-frame change of {change // 3} residues")


def bp7(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    terms = _terms(v)
    if not terms & SILENT_TERMS or not terms <= SILENT_TERMS | TRANSCRIPT_TERMS:
        return None  # also excludes anything touching a splice site (SPLICE_TERMS)
    term = "synonymous_variant" if "synonymous_variant" in terms else "intron_variant"
    return criterion("BP7", f"{term} outside the splice consensus")


def bp1(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    if not _missense(v) or not ctx.truncation_driven or _terms(v) & NULL_TERMS:
        return None
    return criterion("BP1", f"missense in {ctx.gene}, where disease is caused by truncating variants")


RULES: tuple[Rule, ...] = (pvs1, ps1, pm5, pm1, population, pm4, bp7, bp1)


def evaluate(variant: Variant, ctx: EvidenceContext) -> tuple[CriterionResult, ...]:
    """Every criterion the variant meets (in ``RULES`` order)."""
    return tuple(met for rule in RULES if (met := rule(variant, ctx)) is not None)
