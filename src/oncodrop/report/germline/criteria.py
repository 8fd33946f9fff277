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
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.germline.acmg import criterion
from oncodrop.report.germline.clinvar import PathogenicResidue
from oncodrop.report.germline.pvs1 import pvs1_tree

NULL_TERMS = frozenset({
    "stop_gained", "frameshift_variant", "splice_acceptor_variant", "splice_donor_variant",
    "start_lost", "transcript_ablation", "exon_loss_variant",
})  # fmt: skip
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
# Protein domains where BP1 does not apply to missense changes (1-based residue spans,
# inclusive): ENIGMA's BRCA1/BRCA2 VCEP specifications (ClinGen CSpec; Parsons et al. 2024)
# withhold BP1 from missense in the clinically important domains, where missense changes are
# a known mechanism of disease (BRCA1 RING, coiled-coil, BRCT; BRCA2 PALB2-binding and
# DNA-binding domains). Outside them BP1 stays at its supporting weight (ENIGMA's BP1_Strong
# also needs a splicing prediction we do not carry).
BP1_EXCLUDED_DOMAINS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "BRCA1": (("RING", 1, 101), ("coiled-coil", 1391, 1424), ("BRCT", 1650, 1857)),
    "BRCA2": (("PALB2-binding", 10, 40), ("DNA-binding", 2479, 3192)),
}


@dataclass(frozen=True, slots=True)
class EvidenceContext:
    """What the bundle and the annotation say about the variant's gene and residue."""

    gene: str
    mechanism: str  # LoF | GoF | both | unknown
    hotspot: bool = False  # codon is a recurrent hotspot in the bundle
    clinvar_residues: tuple[PathogenicResidue, ...] = ()  # ClinVar P/LP missense at this codon
    population_data: bool = False  # the annotation carries a population AF field
    truncation_driven: bool = False
    transcript: TranscriptFacts | None = None  # the gene model's record of the annotated transcript


Rule = Callable[[Variant, EvidenceContext], CriterionResult | None]


def _terms(v: Variant) -> frozenset[str]:
    return frozenset(v.consequence.terms) if v.consequence else frozenset()


def _missense(v: Variant) -> bool:
    return "missense_variant" in _terms(v)


def pvs1(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    """ClinGen SVI PVS1 decision tree (``pvs1.pvs1_tree``) for null variants in LoF genes."""
    null = _terms(v) & NULL_TERMS
    if not null or ctx.mechanism not in LOF_MECHANISMS:
        return None
    return pvs1_tree(v, null, ctx.transcript, ctx.gene)


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


def bp1_domain(gene: str, codon: int | None) -> str | None:
    """The BP1-excluding domain holding ``codon`` ("position unknown" when the gene has such
    domains but the codon is not known), or None when BP1 may apply."""
    domains = BP1_EXCLUDED_DOMAINS.get(gene)
    if not domains:
        return None
    if codon is None:
        return "position unknown"
    return next((f"{name} domain (aa {lo}–{hi})" for name, lo, hi in domains if lo <= codon <= hi), None)


def bp1(v: Variant, ctx: EvidenceContext) -> CriterionResult | None:
    if not _missense(v) or not ctx.truncation_driven or _terms(v) & NULL_TERMS:
        return None
    codon = v.consequence.protein_position if v.consequence else None
    if bp1_domain(ctx.gene, codon) is not None:
        return None  # ENIGMA: missense in a key functional domain of BRCA1/2 is not BP1
    where = f" outside its key functional domains (codon {codon})" if ctx.gene in BP1_EXCLUDED_DOMAINS else ""
    return criterion("BP1", f"missense in {ctx.gene}{where}, where disease is caused by truncating variants")


RULES: tuple[Rule, ...] = (pvs1, ps1, pm5, pm1, population, pm4, bp7, bp1)


def evaluate(variant: Variant, ctx: EvidenceContext) -> tuple[CriterionResult, ...]:
    """Every criterion the variant meets (in ``RULES`` order)."""
    return tuple(met for rule in RULES if (met := rule(variant, ctx)) is not None)
