"""What a report counts over all its findings, gathered one finding at a time.

The tier counts, the QC tables (variants by type and by consequence, with their tiers), the
oncogenic findings and the QC charts' inputs (VAFs counted into the chart's bins, depths by
value: the depth axis ends at their 99th percentile). A streamed report never holds
all its findings, so these are folded as each finding is classified (``Tallier``); a report
built from findings in memory folds the same way (``tally_findings``), so both say the same.
"""

from __future__ import annotations

import functools
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from oncodrop.domain.classification import Finding, Tier
from oncodrop.report.write.charts import bin_index
from oncodrop.report.write.order import FirstInOrder, finding_sort_key

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
    return finding.oncogenicity is not None and _oncogenic_label(finding.oncogenicity.label)


@functools.lru_cache(maxsize=64)  # a few labels
def _oncogenic_label(label: str) -> bool:
    return label.lower().endswith("oncogenic")


_TIER_TEXT = {tier: tier.value for tier in Tier}  # (``Tier.value`` is a slow enum property)


@dataclass(frozen=True, slots=True)
class FindingTally:
    """Counts and values over every finding of a report."""

    tier_counts: dict[str, int]  # every tier, in tier order
    variant_types: TallyRows
    consequences: TallyRows
    oncogenic_count: int
    oncogenic_shown: tuple[Finding, ...]  # the first (all but for a streamed report), report order
    vaf_bins: tuple[int, ...]  # tumour VAFs (where known) counted into ``VAF_BINS`` over [0, 1]
    vaf_reaches_1: bool  # some VAF >= 1
    depths: dict[int, int]  # tumour depth (where known) -> findings

    oncogenic_spill: Path | None = None  # every oncogenic finding, pickled (``Tallier``)

    @property
    def total(self) -> int:
        return sum(self.tier_counts.values())

    def oncogenic(self) -> Iterator[Finding]:
        """Every oncogenic finding, in report order; spilled ones are read twice (their order,
        then each in turn) so that they are never all held."""
        if self.oncogenic_spill is None:
            yield from self.oncogenic_shown
            return
        with self.oncogenic_spill.open("rb") as pickles:
            keys = []
            for _ in range(self.oncogenic_count):
                offset = pickles.tell()
                keys.append((finding_sort_key(pickle.load(pickles)), offset))
            for _, offset in sorted(keys):
                pickles.seek(offset)
                yield pickle.load(pickles)


class Tallier:
    """Folds findings, in any order, into a ``FindingTally``. With ``spill`` (a file in a
    private work folder) oncogenic findings are pickled there and only the first ``shown``
    held (summary.json lists them all, read back when it is written)."""

    __slots__ = ("_depths", "_oncogenic", "_oncogenic_count", "_pickles", "_spill", "_tallied", "_vaf_bins",
                 "_vaf_reaches_1")  # fmt: skip

    def __init__(self, *, shown: int | None = None, spill: Path | None = None) -> None:
        self._tallied: dict[tuple[str, str, str], int] = {}  # (tier, variant type, consequence) -> findings
        self._oncogenic: FirstInOrder | list[Finding] = FirstInOrder(shown) if shown is not None else []
        self._oncogenic_count = 0
        self._spill = spill
        self._pickles: BinaryIO | None = None
        self._vaf_bins = [0] * VAF_BINS
        self._vaf_reaches_1 = False
        self._depths: dict[int, int] = {}

    def add(self, f: Finding) -> None:
        v, o = f.variant, f.oncogenicity
        key = (_TIER_TEXT[f.tier], v.variant_class, v.consequence_term)  # one count, three tables (``result``)
        self._tallied[key] = self._tallied.get(key, 0) + 1
        if o is not None and _oncogenic_label(o.label):
            self._add_oncogenic(f)
        vaf = v.vaf
        if vaf is not None:
            self._vaf_bins[bin_index(vaf, 0.0, _VAF_STEP, VAF_BINS)] += 1
            if vaf >= 1.0:
                self._vaf_reaches_1 = True
        depth = v.depth
        if depth is not None:
            self._depths[depth] = self._depths.get(depth, 0) + 1

    def _add_oncogenic(self, f: Finding) -> None:
        self._oncogenic_count += 1
        if isinstance(self._oncogenic, list):
            self._oncogenic.append(f)
        else:
            self._oncogenic.add(finding_sort_key(f), f)
        if self._spill is not None:
            if self._pickles is None:
                self._pickles = self._spill.open("wb")
            pickle.dump(f, self._pickles, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        if self._pickles is not None:
            self._pickles.close()

    def result(self) -> FindingTally:
        self.close()
        shown = self._oncogenic if isinstance(self._oncogenic, list) else self._oncogenic.findings()
        tiers: Counter[str] = Counter()
        types: dict[str, Counter[str]] = {}
        consequences: dict[str, Counter[str]] = {}
        for (tier, variant_type, consequence), n in self._tallied.items():
            tiers[tier] += n
            types.setdefault(variant_type, Counter())[tier] += n
            consequences.setdefault(consequence, Counter())[tier] += n
        return FindingTally(
            tier_counts={t.value: tiers.get(t.value, 0) for t in Tier},
            variant_types=tally_rows(types),
            consequences=tally_rows(consequences),
            oncogenic_count=self._oncogenic_count,
            oncogenic_shown=tuple(sorted(shown, key=finding_sort_key)),
            vaf_bins=tuple(self._vaf_bins),
            vaf_reaches_1=self._vaf_reaches_1,
            depths=dict(self._depths),
            oncogenic_spill=self._spill if self._pickles is not None else None,
        )


def tally_findings(findings: Iterable[Finding]) -> FindingTally:
    tallier = Tallier()
    for f in findings:
        tallier.add(f)
    return tallier.result()
