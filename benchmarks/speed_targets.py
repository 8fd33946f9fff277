"""Benchmark: speed targets that used to be wall-clock asserts inside unit tests.

A unit test must not fail because the machine is busy, so these timings live here and are
printed, not asserted:

- ``fit_signatures``: COSMIC v3.4 refit of a 20,000-mutation catalogue with 100 bootstraps
  (target <= 2 s; was tests/report/metrics/test_signatures.py);
- ``write_synthetic_vcf``: 20,000 records, bgzipped and indexed (target <= 5 s; was
  tests/report/test_synth.py);
- ``build_demo_bundle``: re-using an identical bundle (target <= 1 s) and building a fresh one
  (target <= 15 s) (was tests/refdata/test_demo.py).

    .venv/bin/python benchmarks/speed_targets.py [--runs 3]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.signatures import fit_signatures, load_signature_matrix

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
MIXTURE = {"SBS17b": 0.4, "SBS17a": 0.2, "SBS1": 0.2, "SBS18": 0.2}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    cosmic = load_signature_matrix(REFERENCE / "pcgr/COSMIC_v3.4_SBS_GRCh38.txt")
    truth = np.array([MIXTURE.get(name, 0.0) for name in cosmic.names])
    counts = np.random.default_rng(5).multinomial(20_000, cosmic.matrix @ truth).astype(float)

    rng = random.Random(7)
    variants = [
        Variant(chrom=str(rng.randint(1, 22)), pos=pos, ref="C", alt="T", depth=100, alt_depth=rng.randint(5, 60))
        for pos in rng.sample(range(1, 40_000_000), 20_000)
    ]

    results: dict[str, tuple[float, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="oncodrop-speed-") as tmp:
        work = Path(tmp)
        demo = build_demo_bundle(work / "demo")
        for name, target, fn in [
            ("fit_signatures, 20k SNVs, 100 bootstraps", 2.0, lambda: fit_signatures(counts, cosmic, bootstrap=100)),
            ("write_synthetic_vcf, 20k records", 5.0,
             lambda: write_synthetic_vcf(work / f"synth-{time.monotonic_ns()}.vcf.gz", variants)),
            ("build_demo_bundle, identical bundle re-used", 1.0, lambda: build_demo_bundle(demo)),
            ("build_demo_bundle, fresh", 15.0, lambda: build_demo_bundle(work / f"fresh-{time.monotonic_ns()}")),
        ]:  # fmt: skip
            results[name] = (target, [timed(fn) for _ in range(runs)])

    print(f"# speed targets ({platform.python_version()}, {runs} runs each)")
    print("| step | runs (s) | median | target | met |")
    print("|---|---|---|---|---|")
    for name, (target, times) in results.items():
        median = statistics.median(times)
        listed = " / ".join(f"{t:.2f}" for t in times)
        print(f"| {name} | {listed} | {median:.2f} s | <= {target:g} s | {'yes' if median <= target else 'NO'} |")


if __name__ == "__main__":
    main()
