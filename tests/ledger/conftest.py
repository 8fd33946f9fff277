from __future__ import annotations

import multiprocessing as mp
import multiprocessing.synchronize
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncodrop.domain.sample import SampleRecord
from oncodrop.ledger import Ledger


@dataclass
class ManualClock:
    """A clock the test moves by hand, so lease expiry and backoff need no sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def ledger(ledger_url: str, clock: ManualClock) -> Iterator[Ledger]:
    with Ledger.open(ledger_url, clock=clock) as opened:
        yield opened


def add_sample(ledger: Ledger, n: int = 1, *, queue: bool = True) -> SampleRecord:
    """Record (and queue) the n-th demo object of a local bucket."""
    record, _ = ledger.record_object(
        "file:///data/bucket",
        f"batch1-{n:06d}-somatic.tar.gz",
        f"sha256-{n}",
        1000 + n,
        "somatic",
        f"batch1-{n:06d}",
        f"batch1-{n:06d}-somatic-output.tar.gz",
    )
    return ledger.queue(record.id) if queue else record


def claim_until_empty(
    url: str, worker: str, start: mp.synchronize.Event, out: mp.Queue[list[int]]
) -> None:
    """Process body for race tests: claim until nothing is left, report the ids won."""
    got: list[int] = []
    with Ledger.open(url, migrate_schema=False) as ledger:
        start.wait()
        while (record := ledger.claim(worker, lease_s=60)) is not None:
            got.append(record.id)
    out.put(got)
