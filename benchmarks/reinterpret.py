"""Re-interpretation of past samples (issue 16): 1,000 demo-size samples, and the cost of a
sample whose interpretation does not change.

Four real samples (demo melanoma and breast tumours, the breast normal, a Lynch-panel normal)
are reported with demo bundle v1 by the real pipeline into a folder store; their outputs are
then copied to N past samples (keys ``bench{i}-…``), each recorded SUCCEEDED in a SQLite ledger
with its interpretation index row, as the worker records them. Two runs follow, each a real
``run_reinterpretation`` (claim under a lease, download the output, decode the interpretation
input, re-run matching/tiers/oncogenicity/ACMG, diff, write and upload a change report when
something changed, record it):

* **same knowledge**: v1 under a new version name: nothing changes for any sample;
* **v1 -> v2** (``oncodrop.demo.revision``): half the samples change (the melanoma's TP53
  R273H rises to Tier I, the Lynch normal's MSH6 VUS becomes LP) and get a change report with
  the full updated report; the other half do not.

Targets: all N re-interpreted in <= 5 min; a no-change sample <= 0.2 s. Changed samples' median
is also given per sample kind (somatic: the melanoma; normal: the Lynch panel).
Run: ``python benchmarks/reinterpret.py [--samples 1000] [--workers 1]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reinterpret_samples import replicate, report_past_samples, tarballs

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.revision import revise_demo_bundle
from oncodrop.domain.reinterpretation import ReinterpretJob
from oncodrop.execute import reinterpret as runner_module
from oncodrop.execute.reinterpret import Runner, RunnerTally
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Selection
from oncodrop.service.reinterpret import install_bundle, run_reinterpretation
from oncodrop.settings import ReinterpretSettings

TIMES: list[tuple[float, bool, str]] = []  # (seconds, changed, sample kind) per job, in this process


GC = {"full": 0, "full_s": 0.0, "start": 0.0}  # full collections in this process (workers=1)


def _gc_clock(phase: str, info: dict[str, int]) -> None:
    if info["generation"] != 2:
        return
    if phase == "start":
        GC["start"] = time.perf_counter()
    else:
        GC["full"] += 1
        GC["full_s"] += time.perf_counter() - GC["start"]


class TimedRunner(Runner):
    def run_one(self, job: ReinterpretJob, tally: RunnerTally) -> None:
        before = tally.changed
        start = time.perf_counter()
        super().run_one(job, tally)
        TIMES.append((time.perf_counter() - start, tally.changed > before, job.kind))


def timed_run(db: str, workers: int, workdir: Path) -> tuple[float, dict[str, int]]:
    TIMES.clear()
    GC.update(full=0, full_s=0.0)
    start = time.perf_counter()
    run = run_reinterpretation(db, Selection(keys=()), ReinterpretSettings(workers=workers), workdir=workdir)
    return time.perf_counter() - start, run.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1,
                        help="runner processes (more than 1: no per-sample times, wall time only)")
    parser.add_argument("--runs", choices=("both", "same", "v2"), default="both")
    args = parser.parse_args()
    gc.callbacks.append(_gc_clock)
    runner_module.Runner = TimedRunner  # type: ignore[misc]  # time each job (workers=1 runs in-process)
    import oncodrop.service.reinterpret as service_module

    service_module.Runner = TimedRunner  # type: ignore[misc]
    with tempfile.TemporaryDirectory(prefix="oncodrop-bench-reinterp-") as tmp:
        root = Path(tmp)
        v1 = build_demo_bundle(root / "v1")
        v2 = revise_demo_bundle(v1, root / "v2")
        same = root / "v1-again"
        shutil.copytree(v1, same)
        manifest = json.loads((same / "manifest.json").read_text())
        (same / "manifest.json").write_text(json.dumps({**manifest, "version": "2026.11-demo-again"}))
        db = f"sqlite:///{root / 'ledger.db'}"
        with Ledger.open(db) as ledger:
            real = report_past_samples(ledger, v1, tarballs(v1, root / "drops"), root / "real-store", root / "work")
            store_dir = root / "store"
            store_dir.mkdir()
            for record in ledger.list_samples(limit=100):
                assert record.output_key is not None
                shutil.copyfile(real.store.path_of(record.output_key), store_dir / record.output_key)
        # the benchmark's ledger: the four real outputs (copied into one store) and N copies of them
        bench_db = f"sqlite:///{root / 'n.db'}"
        with Ledger.open(bench_db) as ledger:
            seed = Ledger.open(db, migrate_schema=False)
            for record in seed.list_samples(limit=100):
                r, _ = ledger.admit_object(store_dir.as_uri(), record.key, "seed", 1, record.kind, record.sample_id,
                                           record.output_key)  # fmt: skip
                ledger.claim_specific(r.id, "bench", 600)
                ledger.succeed(r.id, "bench", record.output_key or "", record.headline, "2026.11-demo")
            seed.close()
            start = time.perf_counter()
            replicate(ledger, store_dir, store_dir.as_uri(), args.samples - 4, root / "unpacked")
            print(f"{args.samples} past samples recorded in {time.perf_counter() - start:.1f} s", flush=True)
            if args.runs != "v2":
                install_bundle(ledger, same)
        runs = [("same knowledge", None), ("v1 -> v2", v2)]
        runs = [r for r in runs if args.runs == "both" or (args.runs == "same") == (r[1] is None)]
        for label, bundle in runs:
            if bundle is not None:
                with Ledger.open(bench_db) as ledger:
                    install_bundle(ledger, bundle)
            wall, counts = timed_run(bench_db, args.workers, root / "runs")
            unchanged = sorted(t for t, changed, _ in TIMES if not changed)
            changed = sorted(t for t, c, _ in TIMES if c)
            line = f"{label}: {args.samples} samples in {wall:.1f} s ({wall / args.samples * 1000:.0f} ms/sample); {counts}"
            if unchanged:
                line += (f"; no-change sample median {statistics.median(unchanged) * 1000:.0f} ms, "
                         f"p95 {unchanged[int(0.95 * (len(unchanged) - 1))] * 1000:.0f} ms")  # fmt: skip
            if changed:
                kinds = sorted({k for _, c, k in TIMES if c})
                per_kind = ", ".join(
                    f"{kind} {statistics.median(t for t, c, k in TIMES if c and k == kind) * 1000:.0f} ms"
                    for kind in kinds
                )
                line += f"; changed sample median {statistics.median(changed) * 1000:.0f} ms ({per_kind})"
            if args.workers <= 1:
                line += f"; {GC['full']} full garbage collections, {GC['full_s']:.1f} s"
            print(line, flush=True)


if __name__ == "__main__":
    main()
