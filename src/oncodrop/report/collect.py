"""What a streamed report keeps of each classified variant: its rows on disk, a few findings
in memory, and the counts.

The somatic reporter classifies one variant at a time (``engine``). Each finding is folded
into a ``Tallier`` (tier counts, QC tables, oncogenic findings, VAF/depth values), its rows of
the long outputs (tiers TSV, MAF, the all-variants table, the interpretation calls) are
rendered at once by the writers' own row functions and spilled per tier (``write.spill``), and
only the findings the writers show in full stay in memory: every Tier I/II finding and the
first ``HEAD`` of the rest (oncogenic findings, listed in full only by ``summary.json``, are
spilled too and read back for it). Each variant itself is spilled as the interpretation input's JSON
element, in read order. So memory does not grow with the number of Tier III/IV variants.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from oncodrop.domain.classification import Finding, Tier
from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant
from oncodrop.report.interpretation.elements import element_json
from oncodrop.report.interpretation.snapshot import finding_call_json
from oncodrop.report.maf import barcodes, maf_line_renderer
from oncodrop.report.write.html import ONCOGENIC_SHOWN, TIER3_SHOWN, TIER4_SHOWN
from oncodrop.report.write.order import FirstInOrder, allele_key, finding_sort_key, sort_key
from oncodrop.report.write.spill import RowPieces, RowSpill, SpilledRows
from oncodrop.report.write.tally import FindingTally, Tallier
from oncodrop.report.write.tsv import tier_line, tsv_prefix
from oncodrop.report.write.variant_table import table_row_json
from oncodrop.report.write.xlsx import XLSX_MAX_VARIANT_ROWS

HEAD = XLSX_MAX_VARIANT_ROWS
"""Tier III/IV findings kept in memory, the first in report order: the workbook shows the first
10,000 findings; the HTML tier views the first ``TIER3_SHOWN`` Tier III and ``TIER4_SHOWN``
Tier IV findings (kept as well, whatever the number of Tier I-III findings)."""


_IN_FULL = frozenset({Tier.I, Tier.II})  # (a set: ``Tier.I`` is a slow class attribute)


@dataclass(frozen=True, slots=True)
class Collected:
    """What the writers get: the findings kept in memory (report order), every finding's rows,
    and the counts over all of them."""

    findings: tuple[Finding, ...]
    rows: SpilledRows
    tally: FindingTally


class FindingCollector:
    """Folds findings (any order) and variants (read order) into ``folder``, a private work folder."""

    def __init__(
        self, folder: Path, *, sample_id: str, tumor_site: str | None, build: Build,
        tumor_column: str | None, normal_column: str | None,
    ) -> None:  # fmt: skip
        self._folder = folder
        self._site = tumor_site
        self._prefix = tsv_prefix(sample_id)
        tumour, normal = barcodes(sample_id, tumor_column, normal_column)
        self._maf_line = maf_line_renderer(tumour, build, normal)
        self._spill = RowSpill(folder)
        self._tally = Tallier(shown=ONCOGENIC_SHOWN, spill=folder / "oncogenic.pickles")
        self._kept: list[Finding] = []
        self._heads = {Tier.III: FirstInOrder(TIER3_SHOWN), Tier.IV: FirstInOrder(TIER4_SHOWN)}
        self._first = FirstInOrder(HEAD)
        self._variants_path = folder / "variants.jsonl"
        self._variants: TextIO = self._variants_path.open("w", encoding="utf-8", newline="\n", buffering=1 << 18)

    def add_variants(self, variants: Sequence[Variant]) -> None:
        """Variants as read (the interpretation input keeps every one, in read order)."""
        self._variants.write("".join([element_json(v) + "\n" for v in variants]))

    def add(self, f: Finding) -> None:
        self.add_all((f,))

    def add_all(self, findings: Sequence[Finding]) -> None:
        """Fold ``findings`` one output at a time over all of them: like the engine's batches,
        one function at a time keeps the interpreter's caches warm (~20 % less CPU than every
        output per finding)."""
        site, spill, first, heads = self._site, self._spill, self._first, self._heads
        for f in findings:
            self._tally.add(f)
        tsv = [tier_line(self._prefix, f) for f in findings]
        maf = [self._maf_line(f.variant) for f in findings]
        calls = [finding_call_json(f, site) for f in findings]
        tables = [table_row_json(f) for f in findings]
        for f, line, (maf_line, maf_start), call, table in zip(findings, tsv, maf, calls, tables, strict=True):
            v, tier = f.variant, f.tier
            allele = allele_key(v.ref, v.alt)
            spill.add(tier, v.chrom, v.pos, allele, RowPieces(line, maf_line, call, table, maf_start))
            if tier in _IN_FULL:
                self._kept.append(f)
                continue
            key = sort_key(tier, v.chrom, v.pos, allele)
            first.add(key, f)
            heads[tier].add(key, f)

    def finish(self) -> Collected:
        self._variants.close()
        kept = {id(f): f for f in (*self._kept, *self._first.findings(),
                                   *(f for head in self._heads.values() for f in head.findings()))}  # fmt: skip
        return Collected(tuple(sorted(kept.values(), key=finding_sort_key)), self._spill.finish(),
                         self._tally.result())  # fmt: skip

    def close(self) -> None:
        """Close the open files (after ``finish``, or on failure)."""
        self._variants.close()
        self._spill.close()
        self._tally.close()

    def variant_texts(self) -> Iterator[str]:
        """The variants' JSON elements, in read order (after ``finish``)."""
        with self._variants_path.open(encoding="utf-8", newline="\n") as lines:
            for line in lines:
                yield line[:-1]
