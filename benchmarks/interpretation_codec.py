"""Benchmark: the interpretation input's per-element encoding (``stream.element_json``).

Reads the variants of a VCF once with the reporter's reader (``open_variants``), classifies
them with the demo bundle and makes their ``finding_call``s, then times, over the variants and
over the calls (CPU, median of ``--runs``): the generic encoding alone (``codec.encode``) and
the element's text (``json.dumps`` of ``encode``, what ``element_json`` did before issue 12,
against ``element_json``, which writes the text straight from the value). Also checks that both
give the same text for every element. (``codec.fast_encode``, the generated dict encoder the
README's first table measured, was removed once ``element_json`` no longer used it.)

    PYTHONPATH=src .venv/bin/python benchmarks/interpretation_codec.py VCF [BUNDLE] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import Classifier
from oncodrop.report.interpretation.codec import encode
from oncodrop.report.interpretation.snapshot import finding_call
from oncodrop.report.interpretation.stream import element_json
from oncodrop.report.matching import EvidenceIndex
from oncodrop.report.vcf import open_variants
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

_dump = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


def _generic(item: Any) -> str:
    return _dump(encode(item))


def _cpu(fn: Callable[[Any], Any], items: Sequence[Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        for item in items:
            fn(item)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vcf", type=Path)
    parser.add_argument("bundle", type=Path, nargs="?", default=Path("/tmp/flat/bench/bundle"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = SampleConfig(sample=SampleSection(tumor_site="Skin"), assay=AssaySection(type="WGS", target_size_mb=2800))
    bundle = Bundle.open(args.bundle)
    with open_variants(args.vcf, config, mode="somatic") as stream:
        variants = list(stream.variants)
        build = stream.build
    assert build is not None
    classify = Classifier(bundle, EvidenceIndex.build(bundle.evidence(), build), config.sample.tumor_site)
    calls = [finding_call(classify(v), config.sample.tumor_site) for v in variants]
    for name, items in (("variants", variants), ("calls", calls)):
        same = all(element_json(i) == _generic(i) for i in items)
        cpu = {label: _cpu(fn, items, args.runs) for label, fn in
               (("encode", encode), ("dumps_encode", _generic), ("element_json", element_json))}  # fmt: skip
        print(json.dumps({"elements": name, "n": len(items), **{f"{k}_cpu_s": round(v, 3) for k, v in cpu.items()},
                          "text_speedup": round(cpu["dumps_encode"] / cpu["element_json"], 1),
                          "same_text": same, "load": round(os.getloadavg()[0], 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
