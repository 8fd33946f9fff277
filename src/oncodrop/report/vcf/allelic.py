"""Read depth, ALT read count and VAF of one sample, whatever caller wrote the VCF.

Callers put allelic support in different FORMAT fields; ``CALLER_RULES`` lists them, most
specific first, and ``sample_support`` uses the first rule whose fields are present and
usable. Depth/VAF named by INFO tags in the sample config (PCGR's ``tumor_dp_tag`` /
``tumor_af_tag``, e.g. ``TDP``/``TVAF``) override FORMAT, see ``info_value``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

_BASES = "ACGT"


@dataclass(frozen=True, slots=True)
class Support:
    """Allelic support of one ALT in one sample; None where the VCF does not say."""

    depth: int | None = None
    alt_depth: int | None = None
    vaf: float | None = None
    ref_depth: int | None = None  # reads supporting REF (AD[0], RD, RO, {REF}U, TAR…)


@dataclass(frozen=True, slots=True)
class AlleleContext:
    """Which ALT of the record is being read."""

    alt_index: int  # 0-based among the ALTs
    n_alts: int
    ref: str
    alt: str


class Fields(Protocol):
    """A pysam ``VariantRecordSample``: FORMAT key -> value (a tuple when Number != 1)."""

    def get(self, key: str, default: Any = None, /) -> Any: ...

    def __contains__(self, key: str, /) -> bool: ...


Rule = Callable[[Fields, AlleleContext], Support | None]


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _int(value: Any) -> int | None:
    if value is None or type(value) is int:  # what htslib returns for an Integer field
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first(fields: Fields, key: str) -> int | None:
    """First (tier-1) integer of a FORMAT value; None when absent or missing."""
    values = _tuple(fields.get(key))
    return _int(values[0]) if values else None


_ROUNDED: dict[float, float] = {}


def _round6(x: float) -> float:
    """``round(x, 6)``, remembered: a VCF repeats a few thousand fractions, and correctly
    rounded decimal rounding costs more than the rest of reading the value."""
    held = _ROUNDED.get(x)
    if held is None:
        held = round(x, 6)
        if x > 0:  # never -0.0 (it would find 0.0) nor nan (never found)
            if len(_ROUNDED) >= 1 << 16:
                _ROUNDED.clear()
            _ROUNDED[x] = held
    return held


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return _round6(numerator / denominator)


def _per_alt(values: tuple[Any, ...], ctx: AlleleContext) -> Any:
    """Pick the ALT's value from a Number=A (one per ALT) or Number=R (REF first) list."""
    if len(values) == ctx.n_alts + 1:
        return values[ctx.alt_index + 1]
    if len(values) == ctx.n_alts:
        return values[ctx.alt_index]
    return None


def _depth(fields: Fields, counted: int | None) -> int | None:
    """The caller's own FORMAT DP (0 included: a normal with no reads has depth 0); the
    counted reads when DP is absent or smaller than them (vcf2maf's "AD exceed DP" rule)."""
    return _deeper(_int(fields.get("DP")), counted)  # get: None when the record has no DP


def _deeper(dp: int | None, counted: int | None) -> int | None:
    if dp is None:
        return counted
    return counted if counted is not None and counted > dp else dp


def _float_vaf(fields: Fields, key: str, ctx: AlleleContext) -> float | None:
    value = fields.get(key)
    value = _per_alt(value if type(value) is tuple else _tuple(value), ctx)
    if value is None:
        return None
    try:
        return _round6(float(value))
    except (TypeError, ValueError):
        return None


def strelka_indel(fields: Fields, ctx: AlleleContext) -> Support | None:
    """Strelka2 indels: depth is FORMAT DP (tier-1 depth, what IGV and bcftools show); VAF is
    tier-1 TIR (ALT) over TIR + TAR (REF), as bcbio and umccrise compute it."""
    tir, tar = _first(fields, "TIR"), _first(fields, "TAR")
    if tir is None or tar is None:
        return None
    total = tir + tar
    return Support(_depth(fields, total or None), tir, _ratio(tir, total), tar)


def strelka_snv(fields: Fields, ctx: AlleleContext) -> Support | None:
    """Strelka/Strelka2 SNVs: depth is FORMAT DP (reads used plus the filtered FDP: what other
    tools show); VAF is the Strelka user guide's tier-1 ``{ALT}U / ({ALT}U + {REF}U)``; the
    REF count is ``{REF}U`` (vcf2maf). Without a usable REF base, ALT over all four counts."""
    if len(ctx.alt) != 1 or ctx.alt not in _BASES:
        return None
    tier1 = {b: _first(fields, f"{b}U") for b in _BASES}
    if any(v is None for v in tier1.values()):
        return None
    total = sum(v for v in tier1.values() if v is not None)
    alt = tier1[ctx.alt]
    ref = tier1.get(ctx.ref.upper()) if len(ctx.ref) == 1 else None
    pair = (alt or 0) + ref if ref is not None else total
    return Support(_depth(fields, pair or None), alt, _ratio(alt, pair), ref)


def freebayes(fields: Fields, ctx: AlleleContext) -> Support | None:
    """FreeBayes: AO (per ALT) and RO."""
    alt = _int(_per_alt(_tuple(fields.get("AO")), ctx))
    ref = _int(fields.get("RO"))
    if alt is None:
        return None
    total = sum(v or 0 for v in _tuple(fields.get("AO"))) + (ref or 0)
    return Support(_depth(fields, total or None), alt, _ratio(alt, total), ref)


def varscan(fields: Fields, ctx: AlleleContext) -> Support | None:
    """VarScan2: AD is the ALT count only (Number=1), RD the REF count, FREQ a percent."""
    ad = _tuple(fields.get("AD"))
    if len(ad) != ctx.n_alts:
        return None
    alt = _int(ad[ctx.alt_index])
    ref = _first(fields, "RD")
    freq = str(fields.get("FREQ") or "").replace("%25", "%").rstrip("%")
    try:
        vaf: float | None = round(float(freq) / 100, 6)
    except ValueError:
        vaf = None
    total = (alt or 0) + (ref or 0)
    return Support(_depth(fields, total or None), alt, vaf if vaf is not None else _ratio(alt, total), ref)


def allelic_depths(fields: Fields, ctx: AlleleContext) -> Support | None:
    """AD with REF first (GATK, Mutect/Mutect2, VarDict, DRAGEN, MuSE, RADIA); AF/FA if given."""
    ad = fields.get("AD")
    if type(ad) is not tuple:
        ad = _tuple(ad)
    if len(ad) != ctx.n_alts + 1:
        return None
    alt = _int(ad[ctx.alt_index + 1])
    ref = _int(ad[0])  # ".,21": REF count missing, left empty as vcf2maf does
    dp = _int(fields.get("DP"))
    total = dp
    for value in ad:
        if not isinstance(value, int):
            break
    else:  # every count present
        total = sum(ad)
    vaf = _float_vaf(fields, "AF", ctx) if "AF" in fields else None
    if vaf is None:
        if "FA" in fields:
            vaf = _float_vaf(fields, "FA", ctx)
        if vaf is None:
            vaf = _ratio(alt, total)
    return Support(_deeper(dp, total or None), alt, vaf, ref)


def base_counts(fields: Fields, ctx: AlleleContext) -> Support | None:
    """SomaticSniper: BCOUNT holds A, C, G, T read counts."""
    counts = _tuple(fields.get("BCOUNT"))
    if len(counts) != 4 or len(ctx.alt) != 1 or ctx.alt not in _BASES:
        return None
    alt = _int(counts[_BASES.index(ctx.alt)])
    ref = _int(counts[_BASES.index(ctx.ref)]) if ctx.ref in _BASES else None
    total = sum(v for v in counts if isinstance(v, int))
    return Support(_depth(fields, total or None), alt, _ratio(alt, total), ref)


def strand_counts(fields: Fields, ctx: AlleleContext) -> Support | None:
    """samtools/bcftools DP4: REF forward, REF reverse, ALT forward, ALT reverse (one ALT)."""
    dp4 = _tuple(fields.get("DP4"))
    if ctx.n_alts != 1 or len(dp4) != 4 or not all(isinstance(v, int) for v in dp4):
        return None
    alt = dp4[2] + dp4[3]
    total = sum(dp4)
    return Support(_depth(fields, total or None), alt, _ratio(alt, total), dp4[0] + dp4[1])


def pcgr_adt(fields: Fields, ctx: AlleleContext) -> Support | None:
    """PCGR example VCFs: ADT is a string ``"112,32"`` and DPT the tumour depth."""
    raw = _tuple(fields.get("ADT"))
    parts = [p for item in raw if item for p in str(item).split(",")]
    ints = [_int(p) for p in parts]
    if len(ints) != ctx.n_alts + 1:
        return None
    alt = ints[ctx.alt_index + 1]
    depth = _int(fields.get("DPT")) or sum(v or 0 for v in ints) or None
    return Support(depth, alt, _ratio(alt, depth), ints[0])


def fraction_only(fields: Fields, ctx: AlleleContext) -> Support | None:
    """Only an allele fraction (AF, or MuTect1's FA) and perhaps DP."""
    for key in ("AF", "FA"):
        if key in fields:
            vaf = _float_vaf(fields, key, ctx)
            if vaf is not None:
                depth = _depth(fields, None)
                alt = round(vaf * depth) if depth else None
                return Support(depth, alt, vaf)
    return None


# (caller convention, FORMAT keys that must be present, extractor), most specific first.
CALLER_RULES: tuple[tuple[str, frozenset[str], Rule], ...] = (
    ("Strelka2 indel TIR/TAR", frozenset({"TIR", "TAR"}), strelka_indel),
    ("Strelka SNV {ALT}U", frozenset({"AU", "CU", "GU", "TU"}), strelka_snv),
    ("FreeBayes AO/RO", frozenset({"AO", "RO"}), freebayes),
    ("VarScan2 RD/AD/FREQ", frozenset({"AD", "RD", "FREQ"}), varscan),
    ("AD (REF first)", frozenset({"AD"}), allelic_depths),
    ("SomaticSniper BCOUNT", frozenset({"BCOUNT"}), base_counts),
    ("samtools DP4", frozenset({"DP4"}), strand_counts),
    ("PCGR ADT/DPT", frozenset({"ADT"}), pcgr_adt),
    ("AF/FA fraction", frozenset(), fraction_only),
)


READ_KEYS = frozenset({
    "TIR", "TAR", "AU", "CU", "GU", "TU", "AO", "RO", "AD", "RD", "FREQ", "DP", "AF", "FA",
    "BCOUNT", "DP4", "ADT", "DPT",
})  # fmt: skip
"""Every FORMAT key a rule reads (a test holds the rules to it): a sample's support is a
function of these values and the allele alone."""


@lru_cache(maxsize=256)
def _rules_for(keys: frozenset[str]) -> tuple[Rule, ...]:
    """The caller rules whose FORMAT fields a record layout has (few layouts per file)."""
    return tuple(rule for _name, needed, rule in CALLER_RULES if needed <= keys)


@lru_cache(maxsize=256)
def _read_keys(keys: frozenset[str]) -> tuple[str, ...]:
    """The keys of a record layout that the rules may read, in a fixed order."""
    return tuple(sorted(keys & READ_KEYS))


def direct_support(fields: Fields, keys: frozenset[str], ctx: AlleleContext) -> Support:
    """Depth, ALT count and VAF from the first caller rule that applies; DP alone otherwise."""
    for rule in _rules_for(keys):
        support = rule(fields, ctx)
        if support is not None and (support.alt_depth is not None or support.vaf is not None):
            return support
    return Support(_depth(fields, None) if "DP" in keys else None, None, None)


class SupportMemo:
    """One sample column's supports per distinct read values and allele, for one file (its
    header fixes each key's type). Worth it where values repeat: a matched normal with no
    reads (``0/0:.,.:.:.``) has one; a tumour's counts rarely do, so a column whose first
    ``_PROBE`` look-ups hit less than half the time goes back to the rules on the proxy."""

    __slots__ = ("held", "hits", "lookups", "on")

    def __init__(self) -> None:
        self.held: dict[tuple[Any, ...], Support] = {}
        self.hits = self.lookups = 0
        self.on = True


_PROBE = 1024
_MEMO_SIZE = 1 << 12


def sample_support(fields: Fields, keys: frozenset[str], ctx: AlleleContext, memo: SupportMemo) -> Support:
    """``direct_support``, remembered in ``memo`` while that pays (``SupportMemo``); on a miss
    the rules run on a plain dict of the read values instead of pysam's sample proxy.

    A support with a zero VAF is never stored: ``0.0`` and ``-0.0`` are equal keys."""
    if not memo.on:
        return direct_support(fields, keys, ctx)
    read = _read_keys(keys)
    get = fields.get
    try:
        values = tuple([get(k) for k in read])
    except ValueError:  # a value pysam cannot decode: the rules raise only if they read it
        return direct_support(fields, keys, ctx)
    key = (read, values, ctx.alt_index, ctx.n_alts, ctx.ref, ctx.alt)
    held = memo.held.get(key)
    memo.lookups += 1
    if held is not None:
        memo.hits += 1
        return held
    if memo.lookups == _PROBE and memo.hits * 2 < _PROBE:
        memo.on = False
        memo.held.clear()
    held = direct_support(dict(zip(read, values, strict=True)), keys, ctx)
    if held.vaf != 0 and memo.on:
        if len(memo.held) >= _MEMO_SIZE:
            memo.held.clear()
        memo.held[key] = held
    return held


def info_value(value: Any, ctx: AlleleContext) -> float | None:
    """A number from an INFO tag (one value, or one per ALT / per allele)."""
    values = _tuple(value)
    if not values:
        return None
    chosen = values[0] if len(values) == 1 else _per_alt(values, ctx)
    try:
        return float(chosen) if chosen is not None else None
    except (TypeError, ValueError):
        return None


def rule_names() -> Sequence[str]:
    """Human-readable list of supported caller conventions (for docs and errors)."""
    return [name for name, _, _ in CALLER_RULES]
