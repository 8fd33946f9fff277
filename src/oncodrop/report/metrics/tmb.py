"""Tumour mutational burden: PCGR 2.x's three definitions, divided by the configured target size.

Preconditions: a positive coding target size (``assay.target_size_mb``) and at least one
variant left after the depth/VAF filters; otherwise the metric is "not computable: why".
Unlike PCGR v0.5.3 (which ignored the configured size), the configured size is always used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.sampleconfig import SampleConfig

TmbDisplay = Literal["coding_and_silent", "coding_non_silent", "missense_only"]

# PCGR 2.x pcgr_vars CSQ_* patterns, as term prefixes: a variant counts when any of its
# Sequence Ontology terms starts with one of these (missense_only: the most severe term).
_NON_SILENT = (
    "stop_gained",
    "stop_lost",
    "start_lost",
    "frameshift_",
    "missense_",
    "splice_donor",
    "splice_acceptor",
    "protein_altering",
    "inframe_",
)
_SILENT = ("synonymous", "start_retained", "stop_retained")
TMB_DEFINITIONS: dict[TmbDisplay, tuple[str, ...]] = {
    "coding_and_silent": _NON_SILENT + _SILENT,
    "coding_non_silent": _NON_SILENT,
    "missense_only": ("missense_variant",),
}

# (upper bound inclusive, class) in mutations/Mb; limits come from the config (PCGR 0.8-0.9).
TMB_CLASSES = ("TMB-low", "TMB-intermediate", "TMB-high")


@dataclass(frozen=True, slots=True)
class TmbSettings:
    """What TMB counts and divides by; built from the sample config."""

    target_size_mb: float
    display: TmbDisplay = "coding_and_silent"
    tumor_dp_min: int = 0
    tumor_af_min: float = 0.0
    low_limit: float = 5.0
    intermediate_limit: float = 20.0

    @classmethod
    def from_config(cls, config: SampleConfig) -> TmbSettings:
        return cls(
            target_size_mb=config.assay.target_size_mb,
            display=config.tmb.display,
            tumor_dp_min=config.tmb.tumor_dp_min,
            tumor_af_min=config.tmb.tumor_af_min,
            low_limit=config.tmb.low_limit,
            intermediate_limit=config.tmb.intermediate_limit,
        )


@dataclass(frozen=True, slots=True)
class TmbCounts:
    """Variant counts behind the three TMB definitions."""

    n_input: int  # PASS variants seen
    n_filtered_out: int  # removed by the depth/VAF filters
    n_unfilterable: int  # kept because depth or VAF was missing while a filter was set
    counts: dict[TmbDisplay, int]


def counts_towards(variant: Variant, display: TmbDisplay) -> bool:
    """True when the variant's consequence belongs to the TMB definition ``display``."""
    csq = variant.consequence
    if csq is None or not csq.terms:
        return False
    return _towards(csq.terms)[_DISPLAY_AT[display]]


_DISPLAY_AT: dict[TmbDisplay, int] = {d: i for i, d in enumerate(TMB_DEFINITIONS)}


@lru_cache(maxsize=4096)
def _towards(terms: tuple[str, ...]) -> tuple[bool, ...]:
    """Whether ``terms`` (most severe first, not empty) count, per ``TMB_DEFINITIONS`` order:
    the rule, once per distinct term list (a file has a few hundred)."""
    return tuple(
        terms[0].startswith(prefixes) if display == "missense_only" else any(t.startswith(prefixes) for t in terms)
        for display, prefixes in TMB_DEFINITIONS.items()
    )


class TmbCounter:
    """``count_tmb_variants`` one variant at a time (the reporter streams its variants)."""

    __slots__ = ("_by_terms", "_filtered", "_n_input", "_n_out", "_n_unfilterable", "_settings")

    def __init__(self, settings: TmbSettings) -> None:
        self._settings = settings
        self._filtered = settings.tumor_dp_min > 0 or settings.tumor_af_min > 0
        # kept PASS variants per distinct consequence term list: the definitions are applied
        # once per list in ``counts`` (a file has a few hundred lists)
        self._by_terms: dict[tuple[str, ...], int] = {}
        self._n_input = self._n_out = self._n_unfilterable = 0

    def add(self, v: Variant) -> None:
        if not v.filter_pass:
            return
        self._n_input += 1
        if self._filtered:
            keep, unknown = _passes_filters(v, self._settings)
            self._n_unfilterable += unknown
            if not keep:
                self._n_out += 1
                return
        csq = v.consequence
        if csq is not None and (terms := csq.terms):
            by_terms = self._by_terms
            by_terms[terms] = by_terms.get(terms, 0) + 1

    def counts(self) -> TmbCounts:
        counts: dict[TmbDisplay, int] = {d: 0 for d in TMB_DEFINITIONS}
        for terms, n in self._by_terms.items():
            for display, towards in zip(TMB_DEFINITIONS, _towards(terms), strict=True):
                counts[display] += n * towards
        return TmbCounts(self._n_input, self._n_out, self._n_unfilterable, counts)


def count_tmb_variants(variants: Iterable[Variant], settings: TmbSettings) -> TmbCounts:
    """Count PASS variants passing the DP/AF filters for each TMB definition.

    A variant with a missing depth (VAF) is kept when a depth (VAF) filter is set, like PCGR,
    but counted in ``n_unfilterable`` so the report can say so.
    """
    counter = TmbCounter(settings)
    for v in variants:
        counter.add(v)
    return counter.counts()


def _passes_filters(v: Variant, s: TmbSettings) -> tuple[bool, bool]:
    unknown = False
    if s.tumor_dp_min > 0:
        if v.depth is None:
            unknown = True
        elif v.depth < s.tumor_dp_min:
            return False, False
    if s.tumor_af_min > 0:
        if v.vaf is None:
            unknown = True
        elif v.vaf < s.tumor_af_min:
            return False, False
    return True, unknown


def tmb_class(value: float, low_limit: float, intermediate_limit: float) -> str:
    """Low (<= low), intermediate (<= intermediate) or high, as PCGR's TMB tertiles."""
    for limit, label in zip((low_limit, intermediate_limit), TMB_CLASSES, strict=False):
        if value <= limit:
            return label
    return TMB_CLASSES[-1]


def tumor_mutational_burden(variants: Sequence[Variant], settings: TmbSettings) -> Metric:
    """TMB (mutations/Mb) by ``settings.display``; details carry all three definitions."""
    if settings.target_size_mb <= 0:
        return tmb_metric(TmbCounts(0, 0, 0, {}), settings)
    return tmb_metric(count_tmb_variants(variants, settings), settings)


def tmb_metric(counts: TmbCounts, settings: TmbSettings) -> Metric:
    """The TMB metric of variants already counted (``TmbCounter``)."""
    name = "tmb"
    if settings.target_size_mb <= 0:
        return Metric(name, None, "mutations/Mb", "not computable: coding target size is not positive")
    kept = counts.n_input - counts.n_filtered_out
    if kept == 0:
        why = "no PASS variants" if counts.n_input == 0 else "no variants left after depth/VAF filters"
        return Metric(name, None, "mutations/Mb", f"not computable: {why}")
    estimates = {d: round(n / settings.target_size_mb, 4) for d, n in counts.counts.items()}
    value = estimates[settings.display]
    details: dict[str, float | int | str | None] = {
        "definition": settings.display,
        "class": tmb_class(value, settings.low_limit, settings.intermediate_limit),
        "n_variants": counts.counts[settings.display],
        "n_pass": counts.n_input,
        "n_filtered_out": counts.n_filtered_out,
        "n_unfilterable": counts.n_unfilterable,
        "target_size_mb": settings.target_size_mb,
        "tumor_dp_min": settings.tumor_dp_min,
        "tumor_af_min": settings.tumor_af_min,
    }
    for display, estimate in estimates.items():
        details[f"tmb_{display}"] = estimate
    note = ""
    if counts.n_unfilterable:
        note = f"{counts.n_unfilterable} variants lacked depth/VAF and were not filtered"
    return Metric(name, value, "mutations/Mb", note, details)
