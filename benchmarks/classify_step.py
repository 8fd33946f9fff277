"""Benchmark: the somatic reporter's ``classify`` step alone (issue 12), CPU seconds.

The step is ``engine.Classifier`` (evidence matching, hotspots, oncogenicity, tier) and
``collect.FindingCollector`` (tally, the tiers TSV/MAF/call/table rows of every finding, the
per-tier spill, the findings kept). The VCF is read once with the reporter's own reader
(``engine.annotated_variants``, demo bundle); then each run classifies and collects every
variant in the reporter's batches, timed with ``time.process_time``. ``--profile`` prints a
cProfile of one run instead (profiling roughly doubles the times: read ratios).

    .venv/bin/python benchmarks/classify_step.py VCF [--bundle DIR] [--runs 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from oncodrop.refdata.bundle import Bundle
from oncodrop.report.collect import FindingCollector
from oncodrop.report.engine import BATCH, Classifier, annotated_variants
from oncodrop.report.matching import EvidenceIndex
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

SITE = "Skin"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vcf", type=Path)
    parser.add_argument("--bundle", type=Path, default=Path("/tmp/flat/bench/bundle"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    bundle = Bundle.open(args.bundle)
    config = SampleConfig(sample=SampleSection(tumor_site=SITE), assay=AssaySection(type="WGS", target_size_mb=2800))
    work = Path(tempfile.mkdtemp(prefix="oncodrop-classify-bench-"))
    request = ReportRequest(vcf=args.vcf, config=config, bundle=args.bundle, out_dir=work / "out", sample_id="BENCH")
    with annotated_variants(request, bundle, work) as stream:
        variants = list(stream.variants)
        build, columns = stream.build, (stream.original.tumor_sample, stream.original.normal_sample)
    index = EvidenceIndex.build(bundle.evidence(), build)

    def run() -> tuple[float, float]:
        """(CPU of the classifier, CPU of the whole step)."""
        classify = Classifier(bundle, index, SITE)
        collector = FindingCollector(work, sample_id="BENCH", tumor_site=SITE, build=build,
                                     tumor_column=columns[0], normal_column=columns[1])  # fmt: skip
        classifying = 0.0
        start = time.process_time()
        for at in range(0, len(variants), BATCH):
            batch = variants[at : at + BATCH]
            mark = time.process_time()
            findings = _classify(classify, batch)
            classifying += time.process_time() - mark
            _collect(collector, findings)
        spent = time.process_time() - start
        collector.finish()
        collector.close()
        return classifying, spent

    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(run)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        return
    runs = [run() for _ in range(args.runs)]
    print(f"{len(variants)} variants, {args.runs} runs: classifier {_median(r[0] for r in runs)} s CPU "
          f"({', '.join(f'{r[0]:.2f}' for r in runs)}), whole step {_median(r[1] for r in runs)} s CPU "
          f"({', '.join(f'{r[1]:.2f}' for r in runs)})")  # fmt: skip


def _classify(classify: Any, batch: list[Any]) -> list[Any]:
    if hasattr(classify, "classify_all"):
        return list(classify.classify_all(batch))
    return list(map(classify, batch))  # the reporter before its batched classifier


def _collect(collector: Any, findings: list[Any]) -> None:
    if hasattr(collector, "add_all"):
        collector.add_all(findings)
    else:  # the reporter before its batched collector
        for f in findings:
            collector.add(f)


def _median(values: Any) -> str:
    return f"{statistics.median(values):.2f}"


if __name__ == "__main__":
    main()
