"""Oncogenicity of a somatic variant by the ClinGen/CGC/VICC SOP (Horak et al., Genet Med 2022).

The SOP adds points per criterion met and maps the sum to five classes. ``CRITERIA`` is the
points table (codes and points as the SOP and PCGR 2.x use them; descriptions ours),
``CLASS_THRESHOLDS`` the classes; each computable criterion is one small predicate.
``WAITING_FOR_DATA`` lists the codes no bundle source supports yet. Methods:
docs/methods.md, "Oncogenicity".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from oncodrop.domain.classification import Classification, CriterionResult
from oncodrop.domain.variant import Variant
from oncodrop.report.matching import is_loss_of_function, normalise_hgvsp

CRITERIA: Mapping[str, tuple[int, str]] = {
    "OVS1": (8, "null variant in a bona fide tumour suppressor gene"),
    "OS3": (4, "cancer hotspot: >= 50 samples at the residue and >= 10 with this change"),
    "OM2": (2, ("in-frame length change in an oncogene/tumour suppressor, or stop-loss in a "
                "tumour suppressor")),
    "OM4": (2, "cancer hotspot: < 50 samples at the residue and >= 10 with this change"),
    "OP1": (1, "computational predictors agree on a damaging effect"),
    "OP3": (1, "cancer hotspot residue with < 10 samples with this change"),
    "OP4": (1, "absent from (or ultra-rare in) population databases"),
    "SBVS1": (-8, "population allele frequency > 5%"),
    "SBS1": (-4, "population allele frequency > 1%"),
    "SBP1": (-1, "computational predictors agree on a benign effect"),
    "SBP2": (-1, "synonymous or intronic change outside the consensus splice site"),
}  # fmt: skip
"""Computed criteria: code -> (points, what it means)."""

WAITING_FOR_DATA: Mapping[str, str] = {
    "OS1": "a table of established oncogenic protein changes (e.g. ClinVar somatic oncogenicity)",
    "OS2": "curated functional studies (OncoKB-like oncogenic effect)",
    "OM1": "critical functional domains without benign variation",
    "OM3": "other missense changes at this residue classified oncogenic",
    "OP2": "malignancies with a single genetic aetiology",
    "SBS2": "curated functional studies showing no oncogenic effect",
}
"""SOP codes not computed, and the data each one waits for."""

CLASS_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (10, "Oncogenic"),
    (6, "Likely oncogenic"),
    (0, "VUS"),
    (-6, "Likely benign"),
    (float("-inf"), "Benign"),
)
"""Lowest score of each class, highest class first (SOP table 3)."""

HOTSPOT_STRONG_RESIDUE_SAMPLES = 50
HOTSPOT_ALLELE_SAMPLES = 10
VERY_HIGH_AF = 0.05
HIGH_AF = 0.01
ULTRA_RARE_AF = 0.0001  # OP4 "very low MAF", as PCGR 2.x
IN_SILICO_MIN_CALLS = 4
IN_SILICO_AGREEMENT = 0.8

TUMOUR_SUPPRESSOR_ROLES = frozenset({"tumour_suppressor", "tumor_suppressor", "both"})
CANCER_GENE_ROLES = TUMOUR_SUPPRESSOR_ROLES | frozenset({"oncogene"})
INFRAME_TERMS = frozenset({"inframe_insertion", "inframe_deletion"})
SILENT_TERMS = frozenset(
    {"synonymous_variant", "stop_retained_variant", "intron_variant",
     "non_coding_transcript_variant", "NMD_transcript_variant"}
)  # fmt: skip
"""SBP2: a change made only of these terms has no protein or splice effect."""


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
        change = normalise_hgvsp(csq.hgvsp) if csq.hgvsp else None
        allele = sum(r.count for r in rows if r.hgvsp and normalise_hgvsp(r.hgvsp) == change)
        if not allele and "missense_variant" not in csq.terms:
            return None  # a residue hotspot speaks for missense changes only
        residue_rows = [r.count for r in rows if not r.hgvsp]
        residue = max(residue_rows) if residue_rows else sum(r.count for r in rows)
        return HotspotSupport(max(residue, allele), allele) if rows else None


@dataclass(frozen=True, slots=True)
class InSilicoVotes:
    """Counts of computational predictors (SIFT, PolyPhen, REVEL…) calling the change
    damaging or tolerated."""

    damaging: int
    tolerated: int


@dataclass(frozen=True, slots=True)
class OncogenicityInput:
    """Everything the criteria look at, gathered once."""

    variant: Variant
    gene_role: str | None
    hotspot: HotspotSupport | None
    population_af: float | None
    population_checked: bool
    in_silico: InSilicoVotes | None

    @property
    def terms(self) -> frozenset[str]:
        csq = self.variant.consequence
        return frozenset(csq.terms) if csq else frozenset()


def _ovs1(x: OncogenicityInput) -> bool:
    return x.gene_role in TUMOUR_SUPPRESSOR_ROLES and is_loss_of_function(x.variant.consequence)


def _hotspot_at(x: OncogenicityInput, *, strong: bool, moderate: bool) -> bool:
    spot = x.hotspot
    if spot is None:
        return False
    if spot.allele_samples < HOTSPOT_ALLELE_SAMPLES:
        return not strong and not moderate  # OP3
    many = spot.residue_samples >= HOTSPOT_STRONG_RESIDUE_SAMPLES
    return (strong and many) or (moderate and not many)


def _om2(x: OncogenicityInput) -> bool:
    if x.terms & INFRAME_TERMS and x.gene_role in CANCER_GENE_ROLES:
        return True
    return "stop_lost" in x.terms and x.gene_role in TUMOUR_SUPPRESSOR_ROLES


def _op4(x: OncogenicityInput) -> bool:
    if x.population_af is None:
        return x.population_checked
    return x.population_af < ULTRA_RARE_AF


def _af_above(threshold: float) -> Callable[[OncogenicityInput], bool]:
    return lambda x: x.population_af is not None and x.population_af > threshold


def _in_silico(damaging: bool) -> Callable[[OncogenicityInput], bool]:
    def agree(x: OncogenicityInput) -> bool:
        votes = x.in_silico
        if votes is None or votes.damaging + votes.tolerated < IN_SILICO_MIN_CALLS:
            return False
        share = (votes.damaging if damaging else votes.tolerated) / (
            votes.damaging + votes.tolerated
        )
        return share >= IN_SILICO_AGREEMENT

    return agree


def _sbp2(x: OncogenicityInput) -> bool:
    return bool(x.terms) and x.terms <= SILENT_TERMS


PREDICATES: Mapping[str, Callable[[OncogenicityInput], bool]] = {
    "OVS1": _ovs1,
    "OS3": lambda x: _hotspot_at(x, strong=True, moderate=False),
    "OM2": _om2,
    "OM4": lambda x: _hotspot_at(x, strong=False, moderate=True),
    "OP1": _in_silico(damaging=True),
    "OP3": lambda x: _hotspot_at(x, strong=False, moderate=False),
    "OP4": _op4,
    "SBVS1": _af_above(VERY_HIGH_AF),
    "SBS1": _af_above(HIGH_AF),
    "SBP1": _in_silico(damaging=False),
    "SBP2": _sbp2,
}

EXCLUSIVE: tuple[tuple[str, ...], ...] = (("SBVS1", "SBS1"), ("OS3", "OM4", "OP3"))
"""Within a group only the first (strongest) code met is scored."""


def classify_oncogenicity(
    variant: Variant,
    *,
    gene_role: str | None,
    hotspot: HotspotSupport | None = None,
    population_af: float | None = None,
    population_checked: bool = False,
    in_silico: InSilicoVotes | None = None,
) -> Classification:
    """Score ``variant`` with every computable SOP criterion and name its class.

    ``population_af`` defaults to ``variant.population_af``; ``population_checked`` says the
    annotation did query a population database, so a missing AF means "absent" (OP4).
    """
    facts = OncogenicityInput(
        variant=variant,
        gene_role=gene_role,
        hotspot=hotspot,
        population_af=population_af if population_af is not None else variant.population_af,
        population_checked=population_checked,
        in_silico=in_silico,
    )
    met = [code for code, applies in PREDICATES.items() if applies(facts)]
    for group in EXCLUSIVE:
        present = [code for code in group if code in met]
        met = [code for code in met if code not in present[1:]]
    criteria = tuple(CriterionResult(code, CRITERIA[code][0], CRITERIA[code][1]) for code in met)
    score = sum(c.points for c in criteria)
    return Classification(label=oncogenicity_label(score), score=score, criteria=criteria)


def oncogenicity_label(score: float) -> str:
    """The SOP class of a points total."""
    return next(label for floor, label in CLASS_THRESHOLDS if score >= floor)
