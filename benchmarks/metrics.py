"""``/metrics`` scrape time with 10,000 samples that each ran (RUNNING -> SUCCEEDED/FAILED,
some retried, some re-run) in a SQLite ledger, plus 200 pending notifications. The ledger is
built with bulk inserts (the ledger's own API would take minutes for 40,000 transitions).
Measured in-process through the ASGI app, one scrape at a time; the first scrape is shown
apart (it reads the whole transition history once), then ``ROUNDS`` scrapes, then the same
after 100 more samples ran (what a scrape costs on a busy ledger).
Run: python benchmarks/metrics.py"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from oncodrop.domain.access import Role
from oncodrop.ledger import Ledger, access
from oncodrop.ledger.models import OutboxRow, SampleRow, TransitionRow
from oncodrop.settings import Settings
from oncodrop.web.app import create_app

N = 10_000
ROUNDS = 50


def seed(ledger: Ledger, store: str, first: int, n: int) -> None:
    """``n`` samples, each QUEUED -> RUNNING -> SUCCEEDED (every 7th: FAILED, retried, then
    SUCCEEDED; every 11th re-run as run 2)."""
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    samples, moves = [], []
    for i in range(first, first + n):
        at = t0 + timedelta(seconds=i * 3)
        samples.append({"id": i + 1, "store_url": store, "object_key": f"b{i % 50}-{i:06x}-somatic.tar.gz",
                        "etag": "e", "size": 1, "kind": "somatic", "sample_id": f"b{i % 50}-{i:06x}",
                        "output_key": f"b{i % 50}-{i:06x}-somatic-output.tar.gz", "state": "SUCCEEDED",
                        "version": 1, "run": 2 if i % 11 == 0 else 1, "attempts": 1, "max_attempts": 3,
                        "created_at": at, "updated_at": at})  # fmt: skip
        runs = (1, 2) if i % 11 == 0 else (1,)
        for run in runs:
            steps = [(None, "QUEUED"), ("QUEUED", "RUNNING")]
            if i % 7 == 0:
                steps += [("RUNNING", "FAILED"), ("FAILED", "QUEUED"), ("QUEUED", "RUNNING")]
            steps += [("RUNNING", "SUCCEEDED")]
            for k, (src, dst) in enumerate(steps):
                moves.append({"sample_pk": i + 1, "run": run, "from_state": src, "to_state": dst,
                              "at": at + timedelta(seconds=10 * k + 60 * run), "actor": "bench",
                              "reason_code": "tool_failed" if dst == "FAILED" else None})  # fmt: skip
    with ledger.engine.begin() as conn:
        conn.execute(insert(SampleRow), samples)
        conn.execute(insert(TransitionRow), moves)


def timed(client: TestClient, auth: dict[str, str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        got = client.get("/metrics", headers=auth)
        times.append(time.perf_counter() - t)
        assert got.status_code == 200 and "oncodrop_job_duration_seconds_count" in got.text
    return times


def main() -> None:
    root = Path(tempfile.mkdtemp())
    (root / "bucket").mkdir()
    settings = Settings.load(db=f"sqlite:///{root / 'l.db'}", store=(root / "bucket").as_uri())
    with Ledger.open(settings.db) as ledger:
        seed(ledger, settings.store, 0, N)
        with ledger.engine.begin() as conn:
            conn.execute(insert(OutboxRow), [{"sample_pk": i, "event_state": "SUCCEEDED", "sample": {},
                                              "created_at": datetime(2026, 11, 2, tzinfo=UTC), "attempts": 0,
                                              "done_targets": []} for i in range(1, 201)])  # fmt: skip
        secret, _ = access.create_token(ledger.engine, ledger.now(), "bench", Role.VIEWER, None)
        auth = {"Authorization": f"Bearer {secret}"}
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            first = timed(client, auth, 1)[0]
            steady = timed(client, auth, ROUNDS)
            seed(ledger, settings.store, N, 100)
            after = timed(client, auth, ROUNDS)
            body = client.get("/metrics", headers=auth).text
    count = next(line for line in body.splitlines() if line.startswith("oncodrop_job_duration_seconds_count"))
    print(f"python {sys.version.split()[0]}, {N} samples; {count}")
    print(f"first scrape {first * 1000:7.1f} ms")
    for name, times in (("steady", steady), ("after +100 runs", after)):
        print(f"{name:16s} p50 {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
