"""What changed between two interpretations of one sample, and which changes matter clinically.

``diff`` compares the calls of the interpretation a sample was last reported with and those
of a new bundle, call by call (a variant, or a gene copy-number call), and lists every change
with the evidence behind it. ``ANNOUNCE_RULES`` says, as data, which changes are clinically
meaningful enough to announce; the operator picks rules by name (``[reinterpret] announce``).
Pure functions: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from oncodrop.report.interpretation.snapshot import Call, EvidenceRef, Interpretation


class ChangeKind(StrEnum):
    TIER = "tier"
    THERAPY_GAINED = "therapy_gained"
    THERAPY_LOST = "therapy_lost"
    ONCOGENICITY = "oncogenicity"
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_RETIRED = "evidence_retired"
    GERMLINE_CLASS = "germline_class"
    CLINVAR = "clinvar"
    ACMG = "acmg"


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one call: what it was, what it is, why (the new reason) and the evidence
    items that appeared or went away for this call."""

    key: str
    label: str
    kind: ChangeKind
    before: str | None
    after: str | None
    reason: str = ""
    evidence: tuple[EvidenceRef, ...] = ()


_TIER_RANK = {"I": 0, "II": 1, "III": 2, "IV": 3}
_PLP = frozenset({"Pathogenic", "Likely pathogenic"})


def _into_tier_1_2(c: Change) -> bool:
    return (c.kind is ChangeKind.TIER and c.after in ("I", "II")
            and _TIER_RANK.get(c.before or "IV", 4) > _TIER_RANK[c.after])  # fmt: skip


def _vus_plp(c: Change) -> bool:
    return c.kind is ChangeKind.GERMLINE_CLASS and (
        (c.before == "VUS" and c.after in _PLP) or (c.before in _PLP and c.after == "VUS")
    )


ANNOUNCE_RULES: Mapping[str, Callable[[Change], bool]] = {
    "new_tier_1_2": _into_tier_1_2,
    "vus_plp": _vus_plp,
    "therapy_lost": lambda c: c.kind is ChangeKind.THERAPY_LOST,
    "therapy_gained": lambda c: c.kind is ChangeKind.THERAPY_GAINED,
    "tier_any": lambda c: c.kind is ChangeKind.TIER,
    "germline_class_any": lambda c: c.kind is ChangeKind.GERMLINE_CLASS,
}
"""Rule name -> does a change meet it. Defaults: new Tier I/II, VUS <-> P/LP, a reported
therapy lost (``ReinterpretSettings.announce``)."""

DEFAULT_ANNOUNCE: tuple[str, ...] = ("new_tier_1_2", "vus_plp", "therapy_lost")


def diff(old: Interpretation, new: Interpretation) -> tuple[Change, ...]:
    """Every change from ``old`` to ``new``, in the order of ``new``'s calls (report order)."""
    before = old.by_key()
    changes: list[Change] = []
    for call in new.calls:
        prior = before.get(call.key)
        if prior is not None and prior != call:
            changes += call_changes(prior, call)
    return tuple(changes)


def call_changes(old: Call, new: Call) -> list[Change]:
    """The changes of one call (same key), the evidence delta attached to each."""
    old_ids = {e.evidence_id for e in old.evidence}
    new_ids = {e.evidence_id for e in new.evidence}
    added = tuple(e for e in new.evidence if e.evidence_id not in old_ids)
    retired = tuple(e for e in old.evidence if e.evidence_id not in new_ids)
    delta = added + retired

    def change(kind: ChangeKind, before: str | None, after: str | None,
               evidence: tuple[EvidenceRef, ...] = delta) -> Change:  # fmt: skip
        return Change(new.key, new.label, kind, before, after, new.reason, evidence)

    out: list[Change] = []
    if old.tier != new.tier:
        out.append(change(ChangeKind.TIER, old.tier, new.tier))
    out += [change(ChangeKind.THERAPY_GAINED, None, t) for t in new.therapies if t not in old.therapies]
    out += [change(ChangeKind.THERAPY_LOST, t, None) for t in old.therapies if t not in new.therapies]
    if old.oncogenicity != new.oncogenicity:
        out.append(change(ChangeKind.ONCOGENICITY, old.oncogenicity, new.oncogenicity))
    if old.germline_class != new.germline_class:
        out.append(change(ChangeKind.GERMLINE_CLASS, old.germline_class, new.germline_class))
    if old.clinvar != new.clinvar:
        out.append(change(ChangeKind.CLINVAR, old.clinvar, new.clinvar, ()))
    if old.acmg != new.acmg:
        out.append(change(ChangeKind.ACMG, old.acmg, new.acmg, ()))
    out += [change(ChangeKind.EVIDENCE_ADDED, None, e.evidence_id, (e,)) for e in added]
    out += [change(ChangeKind.EVIDENCE_RETIRED, e.evidence_id, None, (e,)) for e in retired]
    return out


def meaningful(changes: Collection[Change], rules: Collection[str]) -> tuple[tuple[Change, str], ...]:
    """The changes some chosen rule calls clinically meaningful, each with the first such rule."""
    unknown = sorted(set(rules) - set(ANNOUNCE_RULES))
    if unknown:
        raise ValueError(f"unknown announce rule(s) {', '.join(unknown)}; known: {', '.join(ANNOUNCE_RULES)}")
    picked = [name for name in ANNOUNCE_RULES if name in set(rules)]
    out = []
    for c in changes:
        rule = next((name for name in picked if ANNOUNCE_RULES[name](c)), None)
        if rule is not None:
            out.append((c, rule))
    return tuple(out)
