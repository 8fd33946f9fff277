"""What a report counts over all its findings, gathered one finding at a time.

The tier counts, the QC tables (variants by type and by consequence, with their tiers), the
oncogenic findings and the QC charts' inputs (VAFs counted into the chart's bins, depths by
value: the depth axis ends at their 99th percentile). A streamed report never holds
all its findings, so these are folded as each finding is classified (``Tallier``); a report
built from findings in memory folds the same way (``tally_findings``), so both say the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from oncodrop.domain.classification import Finding, Tier
from oncodrop.report.write.charts import bin_index
from oncodrop.report.write.order import finding_sort_key

TallyRows = tuple[tuple[str, int, dict[str, int]], ...]
VAF_BINS = 20
"""The QC chart's tumour VAF bins over [0, 1] (counted as findings are folded)."""
_VAF_STEP = (1.0 - 0.0) / VAF_BINS  # as ``charts.histogram_bins`` computes it


def tally_rows(by_value: dict[str, Counter[str]]) -> TallyRows:
    """``(value, total, counts by tier)``, commonest first (ties by name)."""
    rows = [(value, sum(c.values()), {t.value: c.get(t.value, 0) for t in Tier}) for value, c in by_value.items()]
    return tuple(sorted(rows, key=lambda r: (-r[1], r[0])))


def tally(findings: Iterable[Finding], key: Callable[[Finding], str]) -> TallyRows:
    """``tally_rows`` of ``key`` over the findings: the QC tables of variant types and consequences."""
    by_value: dict[str, Counter[str]] = {}
    for f in findings:
        by_value.setdefault(key(f), Counter())[f.tier.value] += 1
    return tally_rows(by_value)


def is_oncogenic(finding: Finding) -> bool:
    """Classified Oncogenic or Likely oncogenic."""
    return finding.oncogenicity is not None and finding.oncogenicity.label.lower().endswith("oncogenic")


@dataclass(frozen=True, slots=True)
class FindingTally:
    """Counts and values over every finding of a report."""

    tier_counts: dict[str, int]  # every tier, in tier order
    variant_types: TallyRows
    consequences: TallyRows
    oncogenic: tuple[Finding, ...]  # report order
    vaf_bins: tuple[int, ...]  # tumour VAFs (where known) counted into ``VAF_BINS`` over [0, 1]
    vaf_reaches_1: bool  # some VAF >= 1
    depths: dict[int, int]  # tumour depth (where known) -> findings

    @property
    def total(self) -> int:
        return sum(self.tier_counts.values())


class Tallier:
    """Folds findings, in any order, into a ``FindingTally``."""

    __slots__ = ("_consequences", "_depths", "_oncogenic", "_tiers", "_types", "_vaf_bins", "_vaf_reaches_1")

    def __init__(self) -> None:
        self._tiers: Counter[str] = Counter()
        self._types: dict[str, Counter[str]] = {}
        self._consequences: dict[str, Counter[str]] = {}
        self._oncogenic: list[Finding] = []
        self._vaf_bins = [0] * VAF_BINS
        self._vaf_reaches_1 = False
        self._depths: Counter[int] = Counter()

    def add(self, f: Finding) -> None:
        tier, v = f.tier.value, f.variant
        self._tiers[tier] += 1
        self._types.setdefault(v.variant_class, Counter())[tier] += 1
        self._consequences.setdefault(v.consequence_term, Counter())[tier] += 1
        if is_oncogenic(f):
            self._oncogenic.append(f)
        if v.vaf is not None:
            self._vaf_bins[bin_index(v.vaf, 0.0, _VAF_STEP, VAF_BINS)] += 1
            self._vaf_reaches_1 = self._vaf_reaches_1 or v.vaf >= 1.0
        if v.depth is not None:
            self._depths[v.depth] += 1

    def result(self) -> FindingTally:
        return FindingTally(
            tier_counts={t.value: self._tiers.get(t.value, 0) for t in Tier},
            variant_types=tally_rows(self._types),
            consequences=tally_rows(self._consequences),
            oncogenic=tuple(sorted(self._oncogenic, key=finding_sort_key)),
            vaf_bins=tuple(self._vaf_bins),
            vaf_reaches_1=self._vaf_reaches_1,
            depths=dict(self._depths),
        )


def tally_findings(findings: Iterable[Finding]) -> FindingTally:
    tallier = Tallier()
    for f in findings:
        tallier.add(f)
    return tallier.result()
