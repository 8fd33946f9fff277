"""Spot interruption end to end: worker A gets a notice mid-job -> lease released at once ->
worker B finishes the sample -> one output, and A exits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet_jobs import (
    VCF,
    OutputJob,
    queue_sample,
    read_journal,
    state_of,
    worker_config,
)
from imds_fake import NOTICE, FakeImds, serve_imds
from waiting import scaled, wait_for

from oncodrop.domain.state import SampleState
from oncodrop.fleet.interruption import SpotInterruptionWatcher
from oncodrop.fleet.local import LocalFleet
from oncodrop.ledger import Ledger

S = SampleState
LEASE_S = scaled(600.0)  # far longer than the test: the requeue cannot be a lease expiry


@pytest.fixture
def imds_a() -> Iterator[FakeImds]:
    yield from serve_imds(FakeImds())


@pytest.fixture
def imds_b() -> Iterator[FakeImds]:
    yield from serve_imds(FakeImds())


def test_spot_notice_requeues_the_job_at_once_and_it_finishes_once_on_another_worker(
    ledger: Ledger, tmp_path: Path, testdata: Path, imds_a: FakeImds, imds_b: FakeImds
) -> None:
    out, journal = tmp_path / "out", tmp_path / "journal.jsonl"
    out.mkdir()
    job = OutputJob(testdata / VCF, out, journal, sleep_s=scaled(3.0))  # A is still working at the notice
    record = queue_sample(ledger, 1)

    def machine(imds: FakeImds, name: str) -> LocalFleet:
        watcher = SpotInterruptionWatcher(imds.url, interval_s=0.1)
        return LocalFleet(worker_config(ledger, tmp_path / name, job, lease_s=LEASE_S, watchers=(watcher,)))

    with machine(imds_a, "a") as fleet_a, machine(imds_b, "b") as fleet_b:
        fleet_a.start(1)
        wait_for(lambda: bool(read_journal(journal)), what="job started on A")
        running = ledger.get(record.id)
        assert running is not None and running.state is S.RUNNING
        worker_a = running.lease_owner
        fleet_b.start(1)
        imds_a.publish()
        wait_for(lambda: state_of(ledger, record.id) is S.SUCCEEDED, what="sample done on B")
        wait_for(lambda: fleet_a.workers() == [], timeout_s=10, what="worker A exit")
        assert fleet_a.exit_codes == {"local-0": 0}
        assert len(fleet_b.workers()) == 1  # B keeps serving
    done = ledger.get(record.id)
    assert done is not None and done.attempts == 1  # the interrupted claim was handed back
    moves = [(h.from_state, h.to_state, h.actor, h.reason) for h in ledger.history(record.id)]
    released = (S.RUNNING, S.QUEUED, worker_a, f"spot interruption: instance will terminate at {NOTICE['time']}")
    assert released in moves
    worker_b = moves[-1][2]
    assert worker_b != worker_a and moves[-2][:3] == (S.QUEUED, S.RUNNING, worker_b)
    assert not any(h.reason_code == "lease_expired" for h in ledger.history(record.id))  # handed back, not expired
    events = [(e["event"], e["worker"]) for e in read_journal(journal)]
    assert events == [("start", worker_a), ("start", worker_b), ("finish", worker_b)]
    assert [p.name for p in out.iterdir()] == ["brca-000001-somatic-output.tar.gz"]
    assert imds_b.notice_polls > 0 and imds_b.notice is None
