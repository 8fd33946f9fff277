"""The scaler with the local provider: real worker processes against a real SQLite ledger."""

from __future__ import annotations

from pathlib import Path

from fleet_jobs import (
    VCF,
    OutputJob,
    queue_sample,
    read_journal,
    state_of,
    worker_config,
)
from waiting import scaled, wait_for

from oncodrop.domain.state import SampleState
from oncodrop.fleet.local import LocalFleet
from oncodrop.fleet.policy import Rule, ScalingLimits
from oncodrop.fleet.scaler import Scaler
from oncodrop.ledger import Ledger

S = SampleState


def output_job(tmp_path: Path, testdata: Path, sleep_s: float = 0.0) -> OutputJob:
    (tmp_path / "out").mkdir(exist_ok=True)
    return OutputJob(testdata / VCF, tmp_path / "out", tmp_path / "journal.jsonl", sleep_s)


def test_backlog_starts_workers_up_to_max_and_they_exit_when_idle(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    records = [queue_sample(ledger, n) for n in range(1, 4)]
    job = output_job(tmp_path, testdata)
    idle_s = scaled(1.0)
    limits = ScalingLimits(min_workers=0, max_workers=2, idle_timeout_s=idle_s, cooldown_s=0)
    with LocalFleet(worker_config(ledger, tmp_path / "work", job, idle_exit_s=idle_s)) as fleet:
        scaler = Scaler(ledger, fleet, limits)
        first = scaler.tick()
        assert (first.snapshot.backlog, first.decision.rule, first.started) == (3, Rule.SCALE_UP, ("local-0", "local-1"))
        assert scaler.tick().decision.rule is Rule.STEADY  # two live workers for the backlog: enough
        wait_for(lambda: all(state_of(ledger, r.id) is S.SUCCEEDED for r in records), what="all samples done")
        wait_for(lambda: fleet.workers() == [], what="idle workers gone")
        idle = scaler.tick()
        assert (idle.snapshot.backlog, idle.decision.rule, idle.started) == (0, Rule.STEADY, ())
        later = queue_sample(ledger, 4)
        again = scaler.tick()
        assert (again.decision.rule, again.started) == (Rule.SCALE_UP, ("local-2",))
        wait_for(lambda: state_of(ledger, later.id) is S.SUCCEEDED, what="late sample done")
    outputs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outputs == [f"brca-00000{n}-somatic-output.tar.gz" for n in range(1, 5)]
    workers = {e["worker"] for e in read_journal(tmp_path / "journal.jsonl") if e["event"] == "finish"}
    assert 2 <= len(workers) <= 3


def test_stopping_a_busy_local_worker_requeues_its_sample_without_counting_a_failure(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    record = queue_sample(ledger, 1)
    job = output_job(tmp_path, testdata, sleep_s=scaled(30))  # still working when stopped
    with LocalFleet(worker_config(ledger, tmp_path / "work", job)) as fleet:
        (worker_id,) = fleet.start(1)
        wait_for(lambda: state_of(ledger, record.id) is S.RUNNING, what="sample running")
        wait_for(lambda: bool(read_journal(tmp_path / "journal.jsonl")), what="job started")
        fleet.stop([worker_id])
        wait_for(lambda: fleet.workers() == [], what="worker exit")
        released = ledger.get(record.id)
    assert released is not None
    assert (released.state, released.attempts, released.lease_owner) == (S.QUEUED, 0, None)
    last = ledger.history(record.id)[-1]
    assert (last.from_state, last.to_state, last.reason) == (S.RUNNING, S.QUEUED, "worker shutting down")
    assert list((tmp_path / "out").iterdir()) == []
