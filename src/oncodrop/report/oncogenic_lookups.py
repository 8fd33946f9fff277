"""What the oncogenicity SOP looks up about a variant: the bundle's cancer hotspot counts, the
missense changes CIViC establishes as oncogenic (by residue) and the computational predictors'
votes. Built once per bundle (``HotspotIndex``, ``OncogenicResidues``) or read off the variant
(``InSilicoVotes``); the rules that score them are in ``oncogenicity``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.domain.variant import Variant
from oncodrop.report.matching import normalise_hgvsp

ESTABLISHED_LEVELS = frozenset({"A", "B"})
"""CIViC evidence levels (validated, clinical) that establish a change as a somatic driver."""

PREDICTION_CALLS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "SIFT": (frozenset({"deleterious", "deleterious_low_confidence"}),
             frozenset({"tolerated", "tolerated_low_confidence"})),
    "PolyPhen": (frozenset({"probably_damaging", "possibly_damaging"}), frozenset({"benign"})),
    "am_class": (frozenset({"likely_pathogenic"}), frozenset({"likely_benign"})),
    "Polyphen2_HVAR_pred": (frozenset({"D", "P"}), frozenset({"B"})),
    "Polyphen2_HDIV_pred": (frozenset({"D", "P"}), frozenset({"B"})),
    "MutationTaster_pred": (frozenset({"D", "A"}), frozenset({"N", "P"})),
    "MutationAssessor_pred": (frozenset({"H", "M"}), frozenset({"L", "N"})),
    "PROVEAN_pred": (frozenset({"D"}), frozenset({"N"})),
    "AlphaMissense_pred": (frozenset({"P"}), frozenset({"B"})),
}  # fmt: skip
"""Predictor field -> (damaging calls, tolerated calls); any other ``*_pred`` field reads
``D`` as damaging and ``T`` as tolerated (dbNSFP's convention)."""
_DEFAULT_CALLS = (frozenset({"D"}), frozenset({"T"}))


class HotspotLike(Protocol):
    """A cancer hotspot row (``oncodrop.refdata.bundle.Hotspot`` fits): ``hgvsp`` None means
    the count is for any change at the codon."""

    @property
    def gene(self) -> str: ...
    @property
    def codon(self) -> int: ...
    @property
    def hgvsp(self) -> str | None: ...
    @property
    def count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class HotspotSupport:
    """How many tumours carry a change at the variant's residue, and this very change."""

    residue_samples: int
    allele_samples: int


@dataclass(frozen=True, slots=True)
class HotspotIndex:
    """Hotspot rows grouped by (gene, codon) for constant-time look-up per variant."""

    by_codon: Mapping[tuple[str, int], tuple[HotspotLike, ...]]

    @classmethod
    def build(cls, hotspots: Iterable[HotspotLike]) -> HotspotIndex:
        grouped: defaultdict[tuple[str, int], list[HotspotLike]] = defaultdict(list)
        for spot in hotspots:
            grouped[(spot.gene.upper(), spot.codon)].append(spot)
        return cls({key: tuple(rows) for key, rows in grouped.items()})

    def lookup(self, variant: Variant) -> HotspotSupport | None:
        """Support for ``variant``: its exact protein change, or any missense at the codon."""
        csq = variant.consequence
        if csq is None or not csq.gene or csq.protein_position is None:
            return None
        rows = self.by_codon.get((csq.gene.upper(), csq.protein_position), ())
        if not rows:  # (what the lines below conclude without rows, without normalising HGVSp)
            return None
        change = normalise_hgvsp(csq.hgvsp) if csq.hgvsp else None
        allele = sum(r.count for r in rows if r.hgvsp and normalise_hgvsp(r.hgvsp) == change)
        if not allele and "missense_variant" not in csq.terms:
            return None  # a residue hotspot speaks for missense changes only
        residue_rows = [r.count for r in rows if not r.hgvsp]
        residue = max(residue_rows) if residue_rows else sum(r.count for r in rows)
        return HotspotSupport(max(residue, allele), allele)


_MISSENSE = re.compile(r"([A-Z])(\d+)([A-Z])")


def establishes_oncogenicity(item: EvidenceItem) -> bool:
    """An evidence item that establishes its change as an oncogenic somatic driver (OS1):
    CIViC's own oncogenicity evidence, or supporting clinical evidence at level A/B."""
    if item.direction != "Supports" or item.variant_origin.lower() not in {"somatic", ""}:
        return False
    if item.evidence_type is EvidenceType.ONCOGENIC:
        return item.significance.lower().startswith("oncogenic")
    clinical = {EvidenceType.PREDICTIVE, EvidenceType.DIAGNOSTIC, EvidenceType.PROGNOSTIC}
    return item.evidence_type in clinical and item.level.upper() in ESTABLISHED_LEVELS


@dataclass(frozen=True, slots=True)
class OncogenicResidues:
    """Missense changes established oncogenic (``establishes_oncogenicity``), by residue: what
    OM3 ("another missense at this residue is oncogenic") looks up."""

    by_codon: Mapping[tuple[str, int], tuple[tuple[str, str], ...]]  # -> ((change, evidence id))

    @classmethod
    def build(cls, evidence: Iterable[EvidenceItem]) -> OncogenicResidues:
        grouped: defaultdict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
        for item in evidence:
            change = normalise_hgvsp(item.hgvsp) if item.hgvsp else ""
            m = _MISSENSE.fullmatch(change)
            if m and m.group(1) != m.group(3) and establishes_oncogenicity(item):
                grouped[(item.gene.upper(), int(m.group(2)))].add((change, item.evidence_id))
        return cls({key: tuple(sorted(v)) for key, v in grouped.items()})

    def others(self, variant: Variant) -> tuple[tuple[str, str], ...]:
        """Established oncogenic missense changes at the variant's residue other than its own."""
        csq = variant.consequence
        if csq is None or not csq.gene or csq.protein_position is None or not csq.hgvsp:
            return ()
        if "missense_variant" not in csq.terms:
            return ()
        own = normalise_hgvsp(csq.hgvsp)
        rows = self.by_codon.get((csq.gene.upper(), csq.protein_position), ())
        return tuple(r for r in rows if r[0] != own)


@dataclass(frozen=True, slots=True)
class InSilicoVotes:
    """Counts of computational predictors (SIFT, PolyPhen, dbNSFP…) calling the change
    damaging or tolerated, and which ones."""

    damaging: int
    tolerated: int
    names: tuple[str, ...] = ()

    @classmethod
    def from_calls(cls, predictions: Iterable[tuple[str, str]]) -> InSilicoVotes | None:
        """Normalise raw calls (``("SIFT", "deleterious(0.01)")``, ``("MetaRNN_pred", "D&D")``)
        with ``PREDICTION_CALLS``; per-transcript lists use their first called value."""
        damaging = tolerated = 0
        names = []
        for name, raw in predictions:
            values = [v for v in raw.split("&") if v not in {"", "."}]
            if not values:
                continue
            value = values[0].split("(", 1)[0].strip()
            bad, good = PREDICTION_CALLS.get(name, _DEFAULT_CALLS)
            if value in bad:
                damaging += 1
            elif value in good:
                tolerated += 1
            else:
                continue
            names.append(f"{name}={value}")
        return cls(damaging, tolerated, tuple(names)) if names else None
