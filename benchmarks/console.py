"""Console API latency with 10,000 samples in a SQLite ledger (issue targets: list p95 <= 100 ms,
detail p95 <= 30 ms, server side). Measured in-process through the ASGI app (no network), so
it is the server's time. Wall time on a shared machine includes waiting for a CPU; the CPU time
of the process (client and server threads, one request at a time) is shown beside it, an upper
bound of the server's own work that other processes do not inflate.
Run: python benchmarks/console.py"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from oncodrop.domain.access import Role
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.web.app import create_app

N = 10_000
ROUNDS = 200


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def seeded_settings(root: Path) -> Settings:
    """Settings of a SQLite ledger and a local-folder bucket under ``root`` (made here)."""
    (root / "bucket").mkdir()
    return Settings.load(db=f"sqlite:///{root / 'l.db'}", store=(root / "bucket").as_uri())


def seed(ledger: Ledger, store_url: str, n: int = N) -> float:
    """Record ``n`` samples one ledger transaction each, as intake does (50 batches, two thirds
    then QUEUED, the rest left RECEIVED); returns the seconds it took. Shared with
    ``console_browser.py`` so both benchmarks measure the same ledger."""
    t0 = time.perf_counter()
    for i in range(n):
        rec, _ = ledger.record_object(store_url, f"b{i % 50}-{i:06x}-somatic.tar.gz", "e", 1, "somatic",
                                      f"b{i % 50}-{i:06x}", None)  # fmt: skip
        if i % 3:
            ledger.queue(rec.id)
    return time.perf_counter() - t0


def main() -> None:
    settings = seeded_settings(Path(tempfile.mkdtemp()))
    with Ledger.open(settings.db) as ledger:
        print(f"seeded {N} samples in {seed(ledger, settings.store):.1f} s")
        secret, _ = access.create_token(ledger.engine, ledger.now(), "bench", Role.VIEWER, None)
        auth = {"Authorization": f"Bearer {secret}"}
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            for name, path, params in (
                ("list (50, newest)", "/api/v1/samples", {}),
                ("list (state=QUEUED)", "/api/v1/samples", {"state": "QUEUED"}),
                ("list (batch=b7)", "/api/v1/samples", {"batch": "b7"}),
                ("list (cursor deep)", "/api/v1/samples", {"cursor": "200"}),
                ("detail", "/api/v1/samples/5000", {}),
            ):
                times, cpu = [], []
                for _ in range(ROUNDS):
                    t, c = time.perf_counter(), time.process_time()
                    assert client.get(path, params=params, headers=auth).status_code == 200
                    times.append(time.perf_counter() - t)
                    cpu.append(time.process_time() - c)
                print(
                    f"{name:22s} p50 {statistics.median(times) * 1000:6.1f} ms  p95 {p95(times):6.1f} ms  "
                    f"cpu p50 {statistics.median(cpu) * 1000:6.1f} ms  cpu p95 {p95(cpu):6.1f} ms"
                )


if __name__ == "__main__":
    main()
