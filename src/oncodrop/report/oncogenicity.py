"""Oncogenicity of a somatic variant by the ClinGen/CGC/VICC SOP (Horak et al., Genet Med 2022).

The SOP adds points per criterion met and maps the sum to five classes. ``RULES`` is the whole
method as data: one row per computed code with its points, what it means, the data source it
reads, and a small predicate that returns the evidence it found (shown in the report) or None.
``NOT_COMPUTED`` names the SOP codes no bundle source supports yet, and why.
``CLASS_THRESHOLDS`` are the SOP's classes (PCGR 2.x lowers both oncogenic cut-offs by one
point; we do not). Methods: docs/methods.md, "Oncogenicity".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from oncodrop.domain.classification import Classification, CriterionResult
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.domain.variant import Variant
from oncodrop.report.matching import has_null_term, normalise_hgvsp
from oncodrop.report.oncogenic_lookups import (
    HotspotSupport,
    InSilicoVotes,
    OncogenicResidues,
    establishes_oncogenicity,
)

# --- thresholds ----------------------------------------------------------------------------

HOTSPOT_STRONG_RESIDUE_SAMPLES = 50
HOTSPOT_ALLELE_SAMPLES = 10
VERY_HIGH_AF = 0.05
HIGH_AF = 0.01
ULTRA_RARE_AF = 0.0001  # OP4 "very low MAF", as PCGR 2.x
IN_SILICO_MIN_CALLS = 2
IN_SILICO_AGREEMENT = 0.8
TUMOUR_SUPPRESSOR_ROLES = frozenset({"tumour_suppressor", "tumor_suppressor", "both"})
CANCER_GENE_ROLES = TUMOUR_SUPPRESSOR_ROLES | frozenset({"oncogene"})
INFRAME_TERMS = frozenset({"inframe_insertion", "inframe_deletion"})
SILENT_TERMS = frozenset(
    {"synonymous_variant", "stop_retained_variant", "intron_variant",
     "non_coding_transcript_variant", "NMD_transcript_variant"}
)  # fmt: skip
"""SBP2: a change made only of these terms has no protein or splice effect."""
ONCOGENIC_FUNCTIONS = frozenset(
    {"gain of function", "loss of function", "dominant negative", "neomorphic"}
)
"""CIViC Functional significances that describe an oncogenic effect (OS2)."""
EXACT_LEVELS = frozenset({MatchLevel.GENOMIC, MatchLevel.HGVSP})
"""Match levels at which an evidence item speaks about this very change (OS1, OS2): the allele
or the protein change. A residue-level item (``BRAF V600``: any missense there) is not the SOP's
"same amino-acid change" (``RESIDUE_LEVELS``)."""
RESIDUE_LEVELS = frozenset({MatchLevel.CODON})
"""Match levels at which an item speaks about the residue, not the change: OS1 for the
residue's recurrent changes (``_recurrent_missense``), OM3 for the others."""


# --- inputs --------------------------------------------------------------------------------


class _ChangeNotGiven(Exception):
    """A criterion named the change while the facts were scored for any change
    (``classify_oncogenicity`` then scores them with it)."""


@dataclass(frozen=True, slots=True)
class OncogenicityInput:
    """Everything the criteria look at, gathered once: what is known about the change, not the
    variant itself, so that equal facts score alike (``classify_oncogenicity`` memoises them)."""

    terms: frozenset[str]  # the consequence terms (none without annotation)
    primary_term: str | None  # the most severe of them
    gene_role: str | None
    hotspot: HotspotSupport | None
    population_af: float | None
    population_checked: bool
    in_silico: InSilicoVotes | None
    evidence: tuple[EvidenceMatch, ...] = ()
    residue_oncogenic: tuple[tuple[str, str], ...] = ()
    named: str | None = None  # ``change``; None: scored for any change

    @property
    def change(self) -> str:
        """The change as the criteria name it: the normalised HGVSp, else the variant's key."""
        if self.named is None:
            raise _ChangeNotGiven
        return self.named


# --- the rules: each predicate returns the evidence it found, or None ------------------------

Finding = str | None


def _ovs1(x: OncogenicityInput) -> Finding:
    if x.gene_role in TUMOUR_SUPPRESSOR_ROLES and has_null_term(x.terms):
        return f"{x.primary_term} in a {x.gene_role} gene"
    return None


def _evidence_ids(
    x: OncogenicityInput, keep: Callable[[EvidenceItem], bool], levels: frozenset[MatchLevel] = EXACT_LEVELS
) -> list[str]:
    return sorted({
        f"{m.evidence.evidence_id} (level {m.evidence.level} {m.evidence.evidence_type.value}, "
        f"{m.match_level.value})"
        for m in x.evidence if m.match_level in levels and keep(m.evidence)
    })  # fmt: skip


def _recurrent_missense(x: OncogenicityInput) -> HotspotSupport | None:
    """The hotspot support when this very missense is one of the residue's recurrent changes
    (>= 10 tumours in the hotspot data): what the studies behind a residue-level item
    (``IDH1 R132``) enrolled."""
    spot = x.hotspot
    recurrent = "missense_variant" in x.terms and spot is not None and spot.allele_samples >= HOTSPOT_ALLELE_SAMPLES
    return spot if recurrent else None


def _os1(x: OncogenicityInput) -> Finding:
    found = _evidence_ids(x, establishes_oncogenicity)
    if found:
        more = f" +{len(found) - 2} more" if len(found) > 2 else ""
        return f"{x.change} established in CIViC: {', '.join(found[:2])}{more}"
    spot = _recurrent_missense(x)
    residue = _evidence_ids(x, establishes_oncogenicity, RESIDUE_LEVELS) if spot else []
    if spot is None or not residue:
        return None
    more = f" +{len(residue) - 2} more" if len(residue) > 2 else ""
    return (f"{x.change}, a recurrent change at the residue ({spot.allele_samples} tumours), established by "
            f"residue-level CIViC items: {', '.join(residue[:2])}{more}")  # fmt: skip


def _os2(x: OncogenicityInput) -> Finding:
    def functional(item: EvidenceItem) -> bool:
        return (item.evidence_type is EvidenceType.FUNCTIONAL and item.direction == "Supports"
                and item.significance.lower() in ONCOGENIC_FUNCTIONS)  # fmt: skip

    found = _evidence_ids(x, functional)
    return f"functional studies in CIViC: {', '.join(found[:2])}" if found else None


def _hotspot(x: OncogenicityInput, want: str) -> Finding:
    spot = x.hotspot
    if spot is None:
        return None
    many = spot.residue_samples >= HOTSPOT_STRONG_RESIDUE_SAMPLES
    if spot.allele_samples < HOTSPOT_ALLELE_SAMPLES:
        code = "OP3"
    else:
        code = "OS3" if many else "OM4"
    if code != want:
        return None
    return (f"{spot.residue_samples} tumours with a change at the residue, "
            f"{spot.allele_samples} with {x.change}")  # fmt: skip


def _om2(x: OncogenicityInput) -> Finding:
    if x.terms & INFRAME_TERMS and x.gene_role in CANCER_GENE_ROLES:
        return f"in-frame length change in a {x.gene_role} gene"
    if "stop_lost" in x.terms and x.gene_role in TUMOUR_SUPPRESSOR_ROLES:
        return f"stop-loss in a {x.gene_role} gene"
    return None


def _om3(x: OncogenicityInput) -> Finding:
    # a residue-level item (``BRAF V600``) establishes a missense there, not this very change
    # (unless the change is one of the residue's recurrent ones: OS1, exclusive with OM3)
    residue = _evidence_ids(x, establishes_oncogenicity, RESIDUE_LEVELS) if "missense_variant" in x.terms else []
    if not x.residue_oncogenic and not residue:
        return None
    shown = ", ".join([f"{change} ({eid})" for change, eid in x.residue_oncogenic[:3]] + residue[:2])
    return f"other missense at this residue established oncogenic: {shown}"


def _op4(x: OncogenicityInput) -> Finding:
    if x.population_af is None:
        return "absent from gnomAD" if x.population_checked else None
    if x.population_af < ULTRA_RARE_AF:
        return f"population AF {x.population_af:.2g} < {ULTRA_RARE_AF:g}"
    return None


def _af_above(threshold: float) -> Callable[[OncogenicityInput], Finding]:
    def above(x: OncogenicityInput) -> Finding:
        af = x.population_af
        return f"population AF {af:.3g} > {threshold:g}" if af is not None and af > threshold else None

    return above


def _in_silico(damaging: bool) -> Callable[[OncogenicityInput], Finding]:
    def agree(x: OncogenicityInput) -> Finding:
        votes = x.in_silico
        if votes is None:
            return None
        called = votes.damaging + votes.tolerated
        share = (votes.damaging if damaging else votes.tolerated) / called if called else 0.0
        if called < IN_SILICO_MIN_CALLS or share < IN_SILICO_AGREEMENT:
            return None
        agreeing = votes.damaging if damaging else votes.tolerated
        detail = f": {', '.join(votes.names)}" if votes.names else ""
        return f"{agreeing} of {called} predictors {'damaging' if damaging else 'benign'}{detail}"

    return agree


def _sbp2(x: OncogenicityInput) -> Finding:
    if x.terms and x.terms <= SILENT_TERMS:
        return f"{', '.join(sorted(x.terms))} only"
    return None


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    points: int
    meaning: str
    source: str
    test: Callable[[OncogenicityInput], Finding]


RULES: tuple[Rule, ...] = (
    Rule("OVS1", 8, "null variant in a bona fide tumour suppressor gene", "VEP consequence; gene roles", _ovs1),
    Rule("OS1", 4, "same amino-acid change as an established oncogenic variant", "CIViC", _os1),
    Rule("OS2", 4, "well-established functional studies show an oncogenic effect", "CIViC (Functional)", _os2),
    Rule("OS3", 4, "hotspot: >= 50 tumours at the residue, >= 10 with this change", "cancer hotspots",
         lambda x: _hotspot(x, "OS3")),
    Rule("OM2", 2, "in-frame length change in an oncogene/tumour suppressor, or stop-loss in a tumour suppressor",
         "VEP consequence; gene roles", _om2),
    Rule("OM3", 2, "missense at a residue where another missense (or any, by a residue-level item) is "
         "established oncogenic", "CIViC", _om3),
    Rule("OM4", 2, "hotspot: < 50 tumours at the residue, >= 10 with this change", "cancer hotspots",
         lambda x: _hotspot(x, "OM4")),
    Rule("OP1", 1, "computational predictors agree on a damaging effect", "VEP/dbNSFP predictions",
         _in_silico(damaging=True)),
    Rule("OP3", 1, "hotspot: < 10 tumours with this change", "cancer hotspots", lambda x: _hotspot(x, "OP3")),
    Rule("OP4", 1, "absent from (or ultra-rare in) gnomAD", "gnomAD (VEP)", _op4),
    Rule("SBVS1", -8, "population allele frequency > 5%", "gnomAD/1000 Genomes (VEP)", _af_above(VERY_HIGH_AF)),
    Rule("SBS1", -4, "population allele frequency > 1%", "gnomAD/1000 Genomes (VEP)", _af_above(HIGH_AF)),
    Rule("SBP1", -1, "computational predictors agree on a benign effect", "VEP/dbNSFP predictions",
         _in_silico(damaging=False)),
    Rule("SBP2", -1, "synonymous or intronic change outside the consensus splice site", "VEP consequence", _sbp2),
)  # fmt: skip
"""The computed SOP codes, strongest first, with the SOP's points (Horak et al. 2022, Table 2;
PCGR 2.x ``oncogenicity.tsv`` has the same values)."""

CRITERIA: Mapping[str, tuple[int, str]] = {r.code: (r.points, r.meaning) for r in RULES}
"""Computed criteria: code -> (points, what it means)."""

NOT_COMPUTED: Mapping[str, str] = {
    "OM1": "critical part of a functional domain: VEP's DOMAINS names a domain but not its span, "
    "and the bundle has no table of domain positions",
    "OP2": "malignancy with a single genetic aetiology: no curated table of such tumours",
    "SBS2": "functional studies showing no oncogenic effect: no curated source in the bundle",
}
"""SOP codes not computed, and why."""
WAITING_FOR_DATA = NOT_COMPUTED  # the name earlier code and tests use

EXCLUSIVE: tuple[tuple[str, ...], ...] = (
    ("SBVS1", "SBS1"),
    ("OVS1", "OM2"),
    ("OS1", "OM3"),
    ("OS3", "OM3", "OM4", "OP3"),
)
"""Within a group only the first (strongest) code met is scored: a very common variant is not
also common; a null variant's length change is not counted twice; OM3 reads the same
established changes OS1 does, so a change established itself scores OS1 alone; hotspot counts
and other oncogenic changes at the residue are one piece of residue-level evidence. The SOP's
notes (Horak et al. 2022, Table 2): the hotspot codes OM4/OP3 are not used when OM3 applies;
PCGR 2.x scores OM3 only without OS1 and OS3. docs/methods.md, "Oncogenicity"."""

CLASS_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (10, "Oncogenic"),
    (6, "Likely oncogenic"),
    (0, "VUS"),
    (-6, "Likely benign"),
    (float("-inf"), "Benign"),
)
"""Lowest score of each class, highest class first (SOP table 3)."""


def classify_oncogenicity(
    variant: Variant,
    *,
    gene_role: str | None,
    hotspot: HotspotSupport | None = None,
    population_af: float | None = None,
    population_checked: bool | None = None,
    in_silico: InSilicoVotes | None = None,
    evidence: Sequence[EvidenceMatch] = (),
    residues: OncogenicResidues | None = None,
) -> Classification:
    """Score ``variant`` with every rule in ``RULES`` and name its class.

    Defaults come from the variant itself: ``population_af``/``population_checked`` (the
    annotation has a gnomAD column, so a missing AF means "absent": OP4) and its predictor
    calls. ``evidence`` are the variant's matched evidence items (OS1, OS2); ``residues`` the
    established oncogenic missense changes by residue (OM3).

    Most variants of a sample share their facts (an intron variant absent from gnomAD, no
    evidence, no hotspot), so the facts are scored once for any change (``_scored``, memoised
    on what they are made of); a variant whose criteria name its change (evidence or a hotspot
    for it) is scored with it, unmemoised.
    """
    csq = variant.consequence
    made_of = (
        csq.terms if csq else (),
        gene_role,
        hotspot,
        population_af if population_af is not None else variant.population_af,
        variant.population_checked if population_checked is None else population_checked,
        in_silico,
        variant.predictions if in_silico is None else (),
        tuple(evidence),
        residues.others(variant) if residues is not None else (),
    )
    try:
        return _scored(*made_of)
    except _ChangeNotGiven:
        change = normalise_hgvsp(csq.hgvsp) if csq and csq.hgvsp else variant.key
        return score(_facts(*made_of, named=change))


def _facts(
    terms: tuple[str, ...], gene_role: str | None, hotspot: HotspotSupport | None, population_af: float | None,
    population_checked: bool, in_silico: InSilicoVotes | None, predictions: tuple[tuple[str, str], ...],
    evidence: tuple[EvidenceMatch, ...], residue_oncogenic: tuple[tuple[str, str], ...], named: str | None = None,
) -> OncogenicityInput:  # fmt: skip
    return OncogenicityInput(
        terms=frozenset(terms), primary_term=terms[0] if terms else None, gene_role=gene_role, hotspot=hotspot,
        population_af=population_af, population_checked=population_checked,
        in_silico=in_silico or InSilicoVotes.from_calls(predictions), evidence=evidence,
        residue_oncogenic=residue_oncogenic, named=named,
    )  # fmt: skip


@functools.lru_cache(maxsize=4096, typed=True)
def _scored(*made_of: object) -> Classification:
    """``score`` of the facts made of ``made_of`` (``_facts``' arguments) for any change:
    raises ``_ChangeNotGiven`` (not memoised) when a criterion names it."""
    return score(_facts(*made_of))  # type: ignore[arg-type]


def score(facts: OncogenicityInput) -> Classification:
    """Every rule of ``RULES`` over ``facts``, the exclusions, the points and the class."""
    met = {r.code: (r, found) for r in RULES if (found := r.test(facts)) is not None}
    if "OS1" in met:
        met.pop("OM3", None)  # OM3 is for a *different* change at the residue
    for group in EXCLUSIVE:
        present = [code for code in group if code in met]
        for code in present[1:]:
            del met[code]
    criteria = tuple(
        CriterionResult(r.code, r.points, f"{r.meaning}: {found} [{r.source}]")
        for r, found in met.values()
    )
    total = sum(c.points for c in criteria)
    return Classification(label=oncogenicity_label(total), score=total, criteria=criteria)


def oncogenicity_label(score: float) -> str:
    """The SOP class of a points total."""
    return next(label for floor, label in CLASS_THRESHOLDS if score >= floor)


def describe(result: Classification) -> str:
    """``oncogenicity: Likely oncogenic (9 points: OS1 +4, OS3 +4, OP4 +1)``: the label always
    named, never a bare class word."""
    codes = ", ".join(f"{c.code} {c.points:+g}" for c in result.criteria)
    return f"oncogenicity: {result.label} ({result.score:g} points{': ' + codes if codes else ''})"
