"""Benchmark: the per-variant parts of the somatic report around the ``classify`` step, CPU seconds.

``classify_step.py`` times the step as a whole; this splits it and adds what a variant costs
outside it: the variant elements of the interpretation input (``FindingCollector.add_variants``,
in the ``read`` step), ``classify_all``, ``add_all`` (tally, TSV/MAF/call/table rows, spill,
findings kept) and, after ``finish``, reading the TSV, MAF and call rows back and coding the
HTML table (``coded_table``), as the ``write`` step does. The VCF is read once; each run goes
over it in the reporter's batches, timed with ``time.process_time``; the minimum of the runs
is printed for each part (one process: run it several times, alternating the trees compared).

    PYTHONPATH=src .venv/bin/python benchmarks/rows_step.py VCF [--bundle DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path
from typing import Any

from oncodrop.refdata.bundle import Bundle
from oncodrop.report.collect import FindingCollector
from oncodrop.report.engine import BATCH, Classifier
from oncodrop.report.matching import EvidenceIndex
from oncodrop.report.vcf import open_variants
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

try:
    from oncodrop.report.write.variant_table import coded_table
except ImportError:  # a tree before the table left write.html
    from oncodrop.report.write.html import coded_table  # type: ignore[attr-defined,no-redef]

SITE = "Skin"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vcf", type=Path)
    parser.add_argument("--bundle", type=Path, default=Path("/tmp/flat/bench/bundle"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bundle = Bundle.open(args.bundle)
    config = SampleConfig(sample=SampleSection(tumor_site=SITE), assay=AssaySection(type="WGS", target_size_mb=2800))
    with open_variants(args.vcf, config, mode="somatic") as stream:
        variants = list(stream.variants)
        build, columns = stream.build, (stream.tumor_sample, stream.normal_sample)
    classify = Classifier(bundle, EvidenceIndex.build(bundle.evidence(), build), SITE)
    batches = [variants[at : at + BATCH] for at in range(0, len(variants), BATCH)]
    spent: dict[str, list[float]] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="oncodrop-rows-bench-") as work:
            collector = FindingCollector(Path(work), sample_id="BENCH", tumor_site=SITE, build=build,
                                         tumor_column=columns[0], normal_column=columns[1])  # fmt: skip
            gc.collect()
            clock = _Clock(spent)
            for batch in batches:
                with clock("add_variants"):
                    _add_variants(collector, batch)
                with clock("classify_all"):
                    findings = classify.classify_all(batch)
                with clock("add_all"):
                    collector.add_all(findings)
            collected = collector.finish()
            with clock("read back tsv, maf, call"):
                for piece in ("tsv", "maf", "call"):
                    for _ in collected.rows.texts(piece):
                        pass
            with clock("coded_table"):
                coded_table(collected.rows.texts("table"), collected.rows.count)
            clock.close()
            collector.close()
    print(f"{len(variants)} variants, min of {args.runs} runs (CPU s):",
          ", ".join(f"{name} {min(times):.3f}" for name, times in spent.items()))  # fmt: skip


def _add_variants(collector: Any, batch: list[Any]) -> None:
    if hasattr(collector, "add_variants"):
        collector.add_variants(batch)
    else:  # a tree before the batched call
        for v in batch:
            collector.add_variant(v)


class _Clock:
    """Adds the CPU time of each ``with clock(name):`` block to ``spent[name]`` for this run."""

    def __init__(self, spent: dict[str, list[float]]) -> None:
        self._spent = spent
        self._run: dict[str, float] = {}
        self._name, self._start = "", 0.0

    def __call__(self, name: str) -> _Clock:
        self._name = name
        return self

    def __enter__(self) -> None:
        self._start = time.process_time()

    def __exit__(self, *exc: object) -> None:
        self._run[self._name] = self._run.get(self._name, 0.0) + time.process_time() - self._start

    def close(self) -> None:
        for name, seconds in self._run.items():
            self._spent.setdefault(name, []).append(seconds)


if __name__ == "__main__":
    main()
