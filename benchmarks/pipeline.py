"""Pipeline benchmark: 200 small samples through the embedded service (local folder, SQLite,
2 local workers, the real reporter on the demo bundle).

Reports, per sample:
- overhead = RUNNING→SUCCEEDED wall time minus the reporter's own time (from provenance.json):
  fetch, verify, unpack, config, package, upload, ledger writes and process hand-offs;
- upload→RUNNING latency = from the object appearing in the bucket to the worker's claim.
Samples are dropped at a steady pace below the workers' capacity, so the latency measures
detection and dispatch rather than queueing behind a backlog (reported separately as
QUEUED→RUNNING).

    .venv/bin/python benchmarks/pipeline.py [--samples 200] [--poll-interval 1.0] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.state import SampleState
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.intake.pack import pack_sample
from oncodrop.service.embedded import EmbeddedService, all_terminal
from oncodrop.settings import Settings
from oncodrop.store.local import LocalStore


def small_sample(work: Path, index: int) -> Path:
    variants = [
        Variant("7", 140453136 + 37 * i, "A", "T", depth=120, alt_depth=40, vaf=0.33,
                consequence=Consequence(gene="BRAF", terms=("intron_variant",), impact="MODIFIER", source="VEP"))
        for i in range(20)
    ]  # fmt: skip
    vcf = write_synthetic_vcf(work / f"s{index}.vcf.gz", variants, samples=("TUMOR",), build="grch37")
    config = work / f"s{index}.toml"
    config.write_text('[sample]\ngenome_build = "grch37"\n')
    return pack_sample(work / f"bench{index:03d}-{index:06x}-somatic.tar.gz", vcf, config, index=Path(f"{vcf}.tbi"))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between drops")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oncodrop-bench-") as tmp:
        root = Path(tmp)
        bundle = build_demo_bundle(root / "bundle")
        inbox = root / "inbox"
        inbox.mkdir()
        tarballs = [small_sample(inbox, i) for i in range(args.samples)]
        (root / "bucket").mkdir()
        (root / "work").mkdir(mode=0o700)
        settings = Settings.load(None, store=(root / "bucket").as_uri(), db=f"sqlite:///{root / 'ledger.db'}",
                                 bundle=bundle, workers=args.workers, poll_interval=args.poll_interval,
                                 workdir=root / "work", settle_s=0.5)  # put_file is atomic  # fmt: skip
        store = LocalStore(root / "bucket")
        dropped: dict[str, datetime] = {}
        started = time.monotonic()
        with EmbeddedService(settings) as service:
            for tarball in tarballs:
                store.put_file(tarball, tarball.name)
                dropped[tarball.name] = datetime.now(UTC)
                time.sleep(args.pace)
            ok = service.wait(all_terminal(args.samples), timeout_s=600)
            records = service.ledger.list_samples(limit=10_000)
            histories = {r.key: service.ledger.history(r.id) for r in records}
        wall = time.monotonic() - started
        overhead, latency, queued_wait = [], [], []
        for record in records:
            assert record.state is SampleState.SUCCEEDED, (record.key, record.state, record.reason)
            steps = histories[record.key]
            running = next(h.at for h in steps if h.to_state is SampleState.RUNNING)
            queued = next(h.at for h in steps if h.to_state is SampleState.QUEUED)
            done = next(h.at for h in steps if h.to_state is SampleState.SUCCEEDED)
            with tarfile.open(store.path_of(record.output_key or "")) as tar:
                root_name = (record.output_key or "").removesuffix(".tar.gz")
                prov = json.loads(tar.extractfile(f"{root_name}/provenance.json").read())  # type: ignore[union-attr]
            reporter_s = prov["timings"]["report"]
            overhead.append((done - running).total_seconds() - reporter_s)
            latency.append((running - dropped[record.key]).total_seconds())
            queued_wait.append((running - queued).total_seconds())
    print(json.dumps({
        "samples": args.samples, "workers": args.workers, "poll_interval_s": args.poll_interval,
        "all_succeeded": ok, "wall_s": round(wall, 1),
        "overhead_s": {"p50": round(pct(overhead, 0.5), 3), "p95": round(pct(overhead, 0.95), 3),
                       "mean": round(statistics.fmean(overhead), 3)},
        "upload_to_running_s": {"p50": round(pct(latency, 0.5), 3), "p95": round(pct(latency, 0.95), 3)},
        "queued_to_running_s": {"p50": round(pct(queued_wait, 0.5), 3), "p95": round(pct(queued_wait, 0.95), 3)},
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
