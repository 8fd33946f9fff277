"""AMP/ASCO/CAP 2017 tiers (Li et al., J Mol Diagn 2017) as two rule tables and one function.

``EVIDENCE_RULES`` says which tier one piece of matched evidence earns (by its strength, the
tumour site it was observed in and how precisely it matched); ``assign_tier`` takes the best
tier over a variant's evidence, after the population-frequency check and before the
no-evidence fallbacks in ``FALLBACK_RULES``. Methods and where we differ from PCGR 2.x:
docs/methods.md, "Tiers".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from oncodrop.domain.classification import Classification, Tier
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.domain.variant import Variant
from oncodrop.report.annotation.genespan import GENE_SPAN_TERM
from oncodrop.report.matching import PROTEIN_ALTERING_TERMS

COMMON_AF = 0.01
"""Population allele frequency from which a variant is a common polymorphism (Tier IV)."""

BENIGN_LABELS: frozenset[str] = frozenset({"Benign", "Likely benign"})
"""Oncogenicity classes that make an unevidenced variant Tier IV."""

VUS_TERMS: frozenset[str] = PROTEIN_ALTERING_TERMS | frozenset(
    {"splice_region_variant", "splice_donor_5th_base_variant", "splice_donor_region_variant"}
)
"""Consequences that make an unevidenced, uncommon variant a VUS (Tier III) rather than IV."""

PAN_CANCER_SITES: frozenset[str] = frozenset({"pan-cancer", "pancancer", "pan cancer", "any"})


class Strength(str, Enum):
    """AMP evidence strength, from the CIViC evidence level (E, inferential, does not count)."""

    STRONG = "A/B"
    POTENTIAL = "C/D"


class SiteFit(str, Enum):
    SAME = "same tumour site"
    OTHER = "another tumour site"


class Resolution(str, Enum):
    """How precisely the evidence names the variant: the allele/codon/exon, or only the gene."""

    VARIANT = "variant"
    GENE = "gene"


LEVEL_STRENGTH: Mapping[str, Strength] = {
    "A": Strength.STRONG,
    "B": Strength.STRONG,
    "C": Strength.POTENTIAL,
    "D": Strength.POTENTIAL,
}

TIERED_SIGNIFICANCE: Mapping[EvidenceType, frozenset[str]] = {
    EvidenceType.PREDICTIVE: frozenset(
        {"sensitivity/response", "resistance", "reduced sensitivity", "adverse response"}
    ),
    EvidenceType.PROGNOSTIC: frozenset({"poor outcome", "better outcome"}),
    EvidenceType.DIAGNOSTIC: frozenset({"positive", "negative"}),
}
"""Evidence that counts for a somatic tier: therapeutic (response *or* resistance, as AMP
says), prognostic and diagnostic statements. Predisposing/oncogenic/functional items and
uncertain significance do not tier."""

GERMLINE_ORIGINS: frozenset[str] = frozenset({"rare germline", "common germline", "germline"})


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    tier: Tier
    strength: Strength
    site: SiteFit | None  # None: any site
    resolution: Resolution | None  # None: any resolution
    why: str
    why_no_site: str = ""  # the reason when the sample has no tumour site ("" = same as why)


EVIDENCE_RULES: tuple[EvidenceRule, ...] = (
    EvidenceRule(Tier.I, Strength.STRONG, SiteFit.SAME, Resolution.VARIANT,
                 "AMP level A/B: strong evidence in this tumour type"),
    EvidenceRule(Tier.II, Strength.STRONG, SiteFit.SAME, Resolution.GENE,
                 "strong evidence matched only at gene level (lower confidence, capped)"),
    EvidenceRule(Tier.II, Strength.STRONG, SiteFit.OTHER, None,
                 "AMP level C: strong evidence in another tumour type",
                 "AMP level C: strong evidence in a specific tumour type (no tumour site was set "
                 "for this sample, so only pan-cancer evidence can reach Tier I)"),
    EvidenceRule(Tier.II, Strength.POTENTIAL, None, None,
                 "AMP level C/D: case studies or preclinical evidence"),
)  # fmt: skip
"""First matching row wins; one row per AMP branch."""


@dataclass(frozen=True, slots=True)
class TierFacts:
    """What the fallback rules look at when no evidence decided the tier (few distinct ones in a
    sample: ``fallback_tier`` is memoised on them)."""

    terms: tuple[str, ...]  # the variant's consequence terms (none without annotation)
    gene_role: str | None
    hotspot: bool
    oncogenic: str | None  # the oncogenicity class


@dataclass(frozen=True, slots=True)
class FallbackRule:
    tier: Tier
    applies: Callable[[TierFacts], bool]
    why: str


FALLBACK_RULES: tuple[FallbackRule, ...] = (
    FallbackRule(Tier.IV, lambda f: f.oncogenic in BENIGN_LABELS,
                 "classified benign/likely benign by the oncogenicity SOP"),
    FallbackRule(Tier.III, lambda f: not VUS_TERMS.isdisjoint(f.terms),
                 "protein-altering or splice variant without tiering evidence (VUS)"),
    FallbackRule(Tier.III, lambda f: GENE_SPAN_TERM in f.terms,
                 "in a known gene, effect on the protein not annotated (gene-span annotation only)"),
    FallbackRule(Tier.IV, lambda f: True,
                 "synonymous, non-coding or unannotated: no expected protein effect"),
)  # fmt: skip
"""Applied in order when evidence gave nothing; the last row always applies."""


def same_site(item_site: str | None, tumor_site: str | None) -> bool:
    """An item speaks for the sample's tumour when it is pan-cancer or names the same site.

    Without a sample site only pan-cancer items count as "same": AMP Tier I needs the tumour
    type, so we never claim it from evidence in an unknown context.
    """
    if item_site is None:
        return False
    item = item_site.strip().casefold()
    if item in PAN_CANCER_SITES:
        return True
    return tumor_site is not None and item == tumor_site.strip().casefold()


def counts_for_tier(item: EvidenceItem) -> bool:
    """Supporting, somatic, A–D, therapeutic/prognostic/diagnostic evidence only."""
    return (
        item.direction.strip().casefold() == "supports"
        and item.level.strip().upper() in LEVEL_STRENGTH
        and item.variant_origin.strip().casefold() not in GERMLINE_ORIGINS
        and item.significance.strip().casefold() in TIERED_SIGNIFICANCE.get(item.evidence_type, ())
    )


def evidence_rule(match: EvidenceMatch, tumor_site: str | None) -> EvidenceRule | None:
    """The rule one match falls under (None when the item does not count for tiers)."""
    item = match.evidence
    if not counts_for_tier(item):
        return None
    strength = LEVEL_STRENGTH[item.level.strip().upper()]
    site = SiteFit.SAME if same_site(item.primary_site, tumor_site) else SiteFit.OTHER
    resolution = Resolution.GENE if match.match_level is MatchLevel.GENE else Resolution.VARIANT
    for rule in EVIDENCE_RULES:
        if (
            rule.strength is strength
            and rule.site in (None, site)
            and rule.resolution in (None, resolution)
        ):
            return rule
    return None


def best_evidence_tier(
    matches: Iterable[EvidenceMatch], tumor_site: str | None, *, match_label: str | None = None
) -> tuple[Tier, str] | None:
    """Best (lowest-numbered) tier any match earns, with a reason citing the decisive item
    (and how it matched: its match level, or ``match_label`` when given)."""
    decided = [(m, rule) for m in matches if (rule := evidence_rule(m, tumor_site)) is not None]
    if not decided:
        return None
    match, rule = min(decided, key=_decisiveness)
    supporting = sum(1 for _, other in decided if other.tier is rule.tier)
    return rule.tier, _evidence_reason(match, rule, supporting, tumor_site, match_label)


def _decisiveness(pair: tuple[EvidenceMatch, EvidenceRule]) -> tuple[int, str, int, str]:
    """Best tier, then strongest level, then most precise match, then lowest id."""
    match, rule = pair
    item = match.evidence
    level = item.level.strip().upper()
    return _TIER_RANK[rule.tier], level, _LEVEL_RANK[match.match_level], item.evidence_id


def assign_tier(
    matches: Sequence[EvidenceMatch],
    variant: Variant,
    tumor_site: str | None,
    *,
    gene_role: str | None = None,
    hotspot: bool = False,
    oncogenic: Classification | None = None,
) -> tuple[Tier, str]:
    """AMP/ASCO/CAP tier of one somatic variant and a one-line reason a reader can check.

    Order: a common polymorphism (population AF >= 1%) is Tier IV whatever the evidence;
    then the best evidence tier; then ``FALLBACK_RULES``.
    """
    af = variant.population_af
    if af is not None and af >= COMMON_AF:
        why = f"population allele frequency {af:.3g} >= {COMMON_AF:g}: common polymorphism"
        return Tier.IV, why
    decided = best_evidence_tier(matches, tumor_site) if matches else None
    if decided is not None:
        return decided
    csq = variant.consequence
    return fallback_tier(csq.terms if csq else (), gene_role, hotspot, oncogenic.label if oncogenic else None)


@functools.lru_cache(maxsize=1024, typed=True)
def fallback_tier(terms: tuple[str, ...], gene_role: str | None, hotspot: bool, oncogenic: str | None) -> tuple[Tier, str]:
    """The first of ``FALLBACK_RULES`` that applies to these ``TierFacts``, and its reason."""
    facts = TierFacts(terms, gene_role, hotspot, oncogenic)
    rule = next(r for r in FALLBACK_RULES if r.applies(facts))
    return rule.tier, _fallback_reason(facts, rule)


CNA_EVENT_MATCH = "copy-number event"
"""How a copy-number item matched, as reasons and report rows say it (not a gene-level match)."""


def cna_event_matches(matches: Sequence[EvidenceMatch]) -> tuple[EvidenceMatch, ...]:
    """A gene copy-number call's evidence as tiering sees it: each item names the event itself
    (ERBB2 amplification), so it counts as an exact match, never capped as gene-level. The
    report shows these, so each row's earned tier agrees with the call's tier."""
    return tuple(EvidenceMatch(m.evidence, MatchLevel.GENOMIC) for m in matches)


def assign_cna_tier(matches: Sequence[EvidenceMatch], tumor_site: str | None) -> tuple[Tier, str]:
    """Tier of a gene copy-number call: the item names the event itself, so no gene cap."""
    decided = best_evidence_tier(cna_event_matches(matches), tumor_site, match_label=CNA_EVENT_MATCH)
    return decided or (Tier.III, "copy-number change without tiering evidence")


_TIER_RANK: Mapping[Tier, int] = {tier: rank for rank, tier in enumerate(Tier)}
_LEVEL_RANK: Mapping[MatchLevel, int] = {level: rank for rank, level in enumerate(MatchLevel)}


def _evidence_reason(
    match: EvidenceMatch,
    rule: EvidenceRule,
    supporting: int,
    tumor_site: str | None,
    match_label: str | None = None,
) -> str:
    item = match.evidence
    site = item.primary_site or "unknown site"
    more = f"; {supporting - 1} more item(s) at this tier" if supporting > 1 else ""
    why = rule.why_no_site if not (tumor_site or "").strip() and rule.why_no_site else rule.why
    return (
        f"{why}: level {item.level} {item.evidence_type.value} ({item.significance}) "
        f"for {item.disease} [{site}], {item.evidence_id} {match_label or match.match_level.value}{more}"
    )


def _fallback_reason(facts: TierFacts, rule: FallbackRule) -> str:
    notes = []
    if rule.tier is Tier.III:
        if facts.gene_role:
            notes.append(f"gene role {facts.gene_role}")
        if facts.hotspot:
            notes.append("cancer hotspot")
        if facts.oncogenic is not None:
            notes.append(f"oncogenicity {facts.oncogenic}")
    return rule.why + (f" ({', '.join(notes)})" if notes else "")
