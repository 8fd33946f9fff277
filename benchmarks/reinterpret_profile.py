"""cProfile of one changed-sample re-interpretation (issue 16): where a changed sample's time goes.

The same past samples as ``benchmarks/reinterpret.py`` (demo bundle v1, real pipeline), then the
v1 -> v2 re-interpretation of the melanoma tumour and the Lynch-panel normal, each ``--repeat``
times with one warm ``Knowledge`` (as a runner keeps it across jobs): ``run_job`` is profiled
after one untimed warm-up (and the heap freeze ``Runner.run`` does then, in checkouts that have
it), and the top functions by cumulative and own time are printed. Own time of tiny functions
(``re.Pattern.fullmatch``, ``html.predictions``) that dwarfs what they cost alone is a full
garbage collection that happened to start inside them.

Run: ``python benchmarks/reinterpret_profile.py [--repeat 20] [--top 25]``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reinterpret_samples import report_past_samples, tarballs

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.revision import revise_demo_bundle
from oncodrop.domain.reinterpretation import ReinterpretJob, ReinterpretState
from oncodrop.execute import reinterpret as runner_module
from oncodrop.execute.reinterpret import RunnerConfig, run_job
from oncodrop.ledger import Ledger
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.reinterpret.rerun import Knowledge


def _job(key: str, output_key: str) -> ReinterpretJob:
    return ReinterpretJob(id=1, sample_pk=1, sample_key=key, sample_output_key=output_key, kind="",
                          bundle_version="v2", state=ReinterpretState.RUNNING, attempts=1)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", type=Path, help="also save each profile as DUMP-{kind}.prof (pstats)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oncodrop-prof-reinterp-") as tmp:
        root = Path(tmp)
        v1 = build_demo_bundle(root / "v1")
        v2 = revise_demo_bundle(v1, root / "v2")
        with Ledger.open(f"sqlite:///{root / 'ledger.db'}") as ledger:
            past = report_past_samples(ledger, v1, tarballs(v1, root / "drops"), root / "store", root / "work")
            outputs = {r.key: r.output_key for r in ledger.list_samples(limit=100)}
        cfg = RunnerConfig(bundle=v2, bundle_version="v2", announce=(), workdir=root / "runs")
        knowledge = Knowledge(Bundle.open(v2))
        for kind in ("melanoma", "lynch"):
            key = next(k for k in outputs if kind in k)
            output_key = outputs[key]
            assert output_key is not None
            job = _job(key, output_key)

            def once(n: int, kind: str = kind, job: ReinterpretJob = job, output_key: str = output_key) -> None:
                scratch = root / "runs" / f"{kind}-{n}"
                scratch.mkdir(parents=True)
                result = run_job(job, output_key, past.store, knowledge, cfg, scratch)
                assert result.changes and result.output_key is not None, f"{kind}: expected changes"
                past.store.path_of(result.output_key).unlink()  # the next run writes it again

            once(-1)  # warm-up: a runner's Knowledge is built by its first job
            freeze = getattr(runner_module, "freeze_long_lived", None)  # absent in checkouts before it
            if freeze is not None:
                freeze()  # as Runner.run does after its first job
            profile = cProfile.Profile()
            start = time.perf_counter()
            profile.enable()
            for n in range(args.repeat):
                once(n)
            profile.disable()
            wall = (time.perf_counter() - start) / args.repeat
            gc.unfreeze()
            if args.dump:
                profile.dump_stats(f"{args.dump}-{kind}.prof")
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            print(f"== {kind} ({key}): {wall * 1000:.0f} ms per changed sample under cProfile, {args.repeat} runs")
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            print(out.getvalue().replace(str(Path(sys.prefix)), "<venv>"))
        knowledge.close()


if __name__ == "__main__":
    main()
