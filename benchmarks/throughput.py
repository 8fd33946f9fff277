"""Throughput and recovery benchmark: the demo breast sample through local workers.

Measures, on the real pipeline (local-folder store, SQLite ledger, ``LocalExecutor`` with the
pipeline job and the real somatic reporter on the demo bundle; no poller, samples are queued in
the ledger directly so only the workers are timed):

- samples/min with 1, 2 and 4 workers (``--samples`` copies each), and scaling efficiency
  (throughput with n workers / (n x throughput with 1));
- time to first claim: executor start -> the first sample RUNNING (a fresh worker process,
  its imports, the ledger connection; the fork server preloads in the background);
- recovery after a worker kill: SIGKILL of the worker holding a running sample -> the sample
  RUNNING again under another worker (default ``lease_s`` 20 s, ``heartbeat_s`` 3 s), and ->
  SUCCEEDED;
- bomb refusal: time for ``intake.unpack`` to refuse a tarball holding a 2 GiB member of zeros.

    .venv/bin/python benchmarks/throughput.py [--samples 6] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from oncodrop.domain.state import SampleState
from oncodrop.errors import InputRejected
from oncodrop.execute.local import LocalExecutor
from oncodrop.execute.pipeline_job import worker_config
from oncodrop.intake.tarball import unpack
from oncodrop.ledger import Ledger
from oncodrop.settings import IntakeLimits, Settings
from oncodrop.store.local import LocalStore

S = SampleState


def wait(check: Callable[[], bool], timeout_s: float, poll_s: float = 0.05) -> float:
    """Seconds until ``check()`` holds (raises after ``timeout_s``)."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout_s:
            raise TimeoutError("benchmark condition not reached")
        time.sleep(poll_s)
    return time.monotonic() - start


def queue_copies(bucket: Path, ledger: Ledger, tarball: Path, n: int, tag: str) -> list[int]:
    """``n`` copies of ``tarball`` in the bucket under fresh keys, recorded and queued."""
    store = LocalStore(bucket)
    ids = []
    for i in range(n):
        key = f"{tag}{i}-{i:06x}-somatic.tar.gz"
        shutil.copyfile(tarball, bucket / key)
        info = store.head(key)
        assert info is not None
        record, _ = ledger.record_object(store.url, key, info.etag, info.size, "somatic", f"{tag}{i}-{i:06x}",
                                         key.replace(".tar.gz", "-output.tar.gz"))  # fmt: skip
        ids.append(ledger.queue(record.id).id)
    return ids


def states(ledger: Ledger, ids: list[int]) -> list[SampleState]:
    return [r.state for r in ledger.list_samples(limit=100_000) if r.id in ids]


def settings_for(root: Path, bundle: Path, workers: int) -> Settings:
    return Settings.load(None, store=f"file://{root / 'bucket'}", db=f"sqlite:///{root / 'ledger.db'}",
                         bundle=bundle, workdir=root / "work", workers=workers, poll_interval=0.25,
                         log_level="WARNING")  # fmt: skip


def throughput(base: Path, bundle: Path, tarball: Path, workers: int, samples: int) -> dict[str, float]:
    root = base / f"tp-{workers}"
    (root / "bucket").mkdir(parents=True)
    settings = settings_for(root, bundle, workers)
    with Ledger.open(settings.db) as ledger:
        ids = queue_copies(root / "bucket", ledger, tarball, samples, f"tp{workers}x")
        executor = LocalExecutor(worker_config(settings, settings.work_root), workers=workers)
        started, wall = time.monotonic(), datetime.now(UTC)
        executor.start()
        try:
            wait(lambda: all(s in (S.SUCCEEDED, S.DEAD, S.REJECTED) for s in states(ledger, ids)), 3600, 0.2)
            elapsed = time.monotonic() - started
        finally:
            executor.stop()
        done = states(ledger, ids)
        history = [h for i in ids for h in ledger.history(i)]
    assert all(s is S.SUCCEEDED for s in done), done
    claims = sorted(h.at for h in history if h.reason_code == "claimed")
    finishes = [h.at for h in history if h.to_state is S.SUCCEEDED]
    busy = (max(finishes) - min(claims)).total_seconds()
    # each worker's first claim, from executor start (ledger timestamps, same clock)
    owners: dict[str, datetime] = {}
    for h in sorted(history, key=lambda h: h.at):
        if h.reason_code == "claimed":
            owners.setdefault(h.actor, h.at)
    firsts = sorted((at - wall).total_seconds() for at in owners.values())
    return {"workers": workers, "first_claim_s": firsts[0], "last_first_claim_s": firsts[-1], "elapsed_s": elapsed,
            "per_min": samples / busy * 60, "per_min_wall": samples / elapsed * 60}  # fmt: skip


def recovery(base: Path, bundle: Path, tarball: Path) -> dict[str, float]:
    root = base / "recovery"
    (root / "bucket").mkdir(parents=True)
    settings = settings_for(root, bundle, 2)
    with Ledger.open(settings.db) as ledger:
        [rid] = queue_copies(root / "bucket", ledger, tarball, 1, "rec")
        with LocalExecutor(worker_config(settings, settings.work_root), workers=2):
            wait(lambda: (r := ledger.get(rid)) is not None and r.state is S.RUNNING, 120)
            record = ledger.get(rid)
            assert record is not None and record.lease_owner is not None
            victim = record.lease_owner
            killed = time.monotonic()
            os.kill(int(victim.split(":")[1]), signal.SIGKILL)
            reclaim = wait(lambda: (r := ledger.get(rid)) is not None and r.lease_owner not in (None, victim)
                           or r.state is S.SUCCEEDED, 300)  # fmt: skip
            wait(lambda: (r := ledger.get(rid)) is not None and r.state is S.SUCCEEDED, 600)
            finished = time.monotonic() - killed
        done = ledger.get(rid)
    assert done is not None and done.state is S.SUCCEEDED and done.attempts == 1
    return {"reclaim_s": reclaim, "succeeded_s": finished, "lease_s": settings.lease_s,
            "heartbeat_s": settings.heartbeat_s}  # fmt: skip


def bomb(base: Path, member_bytes: int = 2 * 1024**3) -> dict[str, float]:
    """A well-named tarball with one ``member_bytes`` member of zeros; time to refusal."""
    path = base / "bomb-0b0b0b-somatic.tar.gz"
    made = time.monotonic()
    info = tarfile.TarInfo("bomb-0b0b0b-somatic.vcf")
    info.size = member_bytes
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = bytes(8 * 1024**2)
    with path.open("wb") as out:
        out.write(compressor.compress(info.tobuf(format=tarfile.GNU_FORMAT)))
        left = member_bytes
        while left:
            chunk = zeros[: min(left, len(zeros))]
            out.write(compressor.compress(chunk))
            left -= len(chunk)
        out.write(compressor.compress(bytes(2 * 512 + (-member_bytes) % 512)))
        out.write(compressor.flush())
    built = time.monotonic() - made
    start = time.monotonic()
    try:
        unpack(path, base / "bomb-work", IntakeLimits())
        raise AssertionError("the bomb was unpacked")
    except InputRejected as exc:
        refused = time.monotonic() - start
        reason = exc.message
    return {"compressed_bytes": path.stat().st_size, "build_s": built, "refused_s": refused, "reason": reason}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--skip-bomb", action="store_true")
    args = parser.parse_args()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    # imported here, not at the top: spawned workers re-import this script as their __main__,
    # and a worker of `serve` does not import the demo either (keeps first-claim times honest)
    from oncodrop.demo.bundle import build_demo_bundle
    from oncodrop.demo.samples import make_demo_samples

    with tempfile.TemporaryDirectory(prefix="oncodrop-throughput-") as tmp:
        base = Path(tmp)
        bundle = build_demo_bundle(base / "bundle" / "oncodrop-demo")
        demo = make_demo_samples(base / "samples", bundle)
        tarball = next(s.path for s in demo if s.key.startswith("demo_breast") and "somatic" in s.key)
        if not args.skip_bomb:
            b = bomb(base)
            print(f"bomb: {b['compressed_bytes']} B compressed holding 2 GiB; refused in {b['refused_s']:.3f} s "
                  f"(built in {b['build_s']:.1f} s): {b['reason']}")  # fmt: skip
        results = [throughput(base, bundle, tarball, n, args.samples) for n in args.workers]
        one = next((r["per_min"] for r in results if r["workers"] == 1), None)
        print("| workers | samples/min | scaling efficiency | first claim after start (first / last worker) "
              "| wall incl. start |")  # fmt: skip
        print("|---|---|---|---|---|")
        for r in results:
            eff = f"{r['per_min'] / (r['workers'] * one):.0%}" if one else "–"
            print(f"| {r['workers']:.0f} | {r['per_min']:.1f} | {eff} | {r['first_claim_s']:.2f} s / "
                  f"{r['last_first_claim_s']:.2f} s | {r['elapsed_s']:.1f} s |")  # fmt: skip
        rec = recovery(base, bundle, tarball)
        print(f"recovery: worker SIGKILLed -> re-claimed in {rec['reclaim_s']:.1f} s, SUCCEEDED after "
              f"{rec['succeeded_s']:.1f} s (lease_s {rec['lease_s']:g}, heartbeat_s {rec['heartbeat_s']:g})")


if __name__ == "__main__":
    main()
