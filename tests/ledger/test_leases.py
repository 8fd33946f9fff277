"""Claims, leases and compare-and-set races, with real processes on one SQLite file."""

from __future__ import annotations

import multiprocessing as mp
from datetime import timedelta

import pytest

from oncodrop.domain.state import SampleState
from oncodrop.errors import ReasonCode, StateConflict
from oncodrop.ledger import Ledger, OutageBudget
from oncodrop.retry import RetryPolicy

from .conftest import ManualClock, add_sample, claim_until_empty

S = SampleState


def test_claim_takes_the_oldest_queued_sample_first(ledger: Ledger) -> None:
    first, second = add_sample(ledger, 1), add_sample(ledger, 2)
    assert ledger.claim("w", lease_s=30).id == first.id  # type: ignore[union-attr]
    assert ledger.claim("w", lease_s=30).id == second.id  # type: ignore[union-attr]
    assert ledger.claim("w", lease_s=30) is None


def test_received_samples_are_not_claimable_until_queued(ledger: Ledger) -> None:
    add_sample(ledger, queue=False)
    assert ledger.claim("w", lease_s=30) is None


def test_claim_sets_lease_and_counts_an_attempt(ledger: Ledger, clock: ManualClock) -> None:
    add_sample(ledger)
    claimed = ledger.claim("worker-a", lease_s=30)
    assert claimed is not None
    assert (claimed.state, claimed.lease_owner, claimed.attempts) == (S.RUNNING, "worker-a", 1)
    assert claimed.lease_expires_at == clock.now + timedelta(seconds=30)


def test_expired_lease_is_reclaimed_by_another_worker(ledger: Ledger, clock: ManualClock) -> None:
    record = add_sample(ledger)
    ledger.claim("worker-a", lease_s=10)
    clock.advance(5)
    assert ledger.claim("worker-b", lease_s=10) is None  # still leased
    clock.advance(6)
    taken = ledger.claim("worker-b", lease_s=10)
    assert taken is not None
    # a dead holder is not the sample's doing: its attempt is handed back, the loss counted
    assert (taken.id, taken.lease_owner, taken.attempts) == (record.id, "worker-b", 1)
    assert ledger.lease_losses(record.id) == 1
    last = ledger.history(record.id)[-1]
    assert (last.from_state, last.to_state, last.reason_code) == (
        S.RUNNING,
        S.RUNNING,
        "lease_expired",
    )


def test_old_owner_cannot_finish_after_losing_the_lease(ledger: Ledger, clock: ManualClock) -> None:
    record = add_sample(ledger)
    ledger.claim("worker-a", lease_s=10)
    clock.advance(11)
    ledger.claim("worker-b", lease_s=10)
    with pytest.raises(StateConflict):
        ledger.succeed(record.id, "worker-a", "out", None)
    with pytest.raises(StateConflict):
        ledger.heartbeat(record.id, "worker-a", lease_s=10)
    assert ledger.succeed(record.id, "worker-b", "out", None).state is S.SUCCEEDED


def test_heartbeat_keeps_a_long_job_leased(ledger: Ledger, clock: ManualClock) -> None:
    record = add_sample(ledger)
    ledger.claim("worker-a", lease_s=10)
    for _ in range(5):  # 40 s of work, four times the lease
        clock.advance(8)
        renewed = ledger.heartbeat(record.id, "worker-a", lease_s=10)
        assert ledger.claim("worker-b", lease_s=10) is None
    assert renewed.lease_expires_at == clock.now + timedelta(seconds=10)
    assert renewed.heartbeat_at == clock.now
    assert renewed.version == 3  # heartbeats are not transitions


def test_racing_claimers_in_separate_processes_never_share_a_sample(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ids = [add_sample(ledger, n).id for n in range(1, 21)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=claim_until_empty, args=(ledger_url, f"w{i}", start, out))
        for i in range(3)
    ]
    for p in procs:
        p.start()
    start.set()
    claimed = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    flat = [i for got in claimed for i in got]
    assert sorted(flat) == ids  # every sample exactly once
    with Ledger.open(ledger_url) as ledger:
        assert ledger.counts_by_state()[S.RUNNING] == 20
        assert all(r.attempts == 1 for r in ledger.list_samples())


def test_two_claimers_race_for_one_sample_and_only_one_wins(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        add_sample(ledger)
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=claim_until_empty, args=(ledger_url, f"w{i}", start, out))
        for i in range(2)
    ]
    for p in procs:
        p.start()
    start.set()
    results = sorted(len(out.get(timeout=60)) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert results == [0, 1]


OUTAGE = OutageBudget(budget_s=100, backoff=RetryPolicy(attempts=1, backoff_s=2, max_backoff_s=5))


def _fail(ledger: Ledger, record_id: int, code: ReasonCode) -> None:
    ledger.fail(record_id, "w", "store returned 503", retryable=True, reason_code=code, retry_delay_s=1,
                outage=OUTAGE)  # fmt: skip


def test_outage_failures_spend_no_attempt_until_the_outage_outlasts_its_budget(
    ledger: Ledger, clock: ManualClock
) -> None:
    record = add_sample(ledger)
    delays = []
    for _ in range(4):  # t = 0, 40, 80: within the 100 s budget; backoff 2, 4, 5 (capped)
        claimed = ledger.claim("w", lease_s=30)
        assert claimed is not None and claimed.attempts == 1
        _fail(ledger, record.id, ReasonCode.TRANSIENT)
        after = ledger.get(record.id)
        assert after is not None
        if after.attempts == 1:  # the outage outlasted its budget: this one counted
            break
        assert (after.state, after.attempts) == (S.QUEUED, 0)
        assert after.not_before is not None
        delays.append((after.not_before - clock.now).total_seconds())
        clock.advance(40)
    assert delays == [2, 4, 5]
    assert (after.state, after.attempts) == (S.QUEUED, 1)
    codes = [h.reason_code for h in ledger.history(record.id) if h.to_state is S.QUEUED][1:]
    assert codes == ["outage_retry", "outage_retry", "outage_retry", "retry_scheduled"]


def test_a_failure_of_the_sample_ends_the_outage_streak_and_counts(ledger: Ledger, clock: ManualClock) -> None:
    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    _fail(ledger, record.id, ReasonCode.TRANSIENT)
    clock.advance(10)
    ledger.claim("w", lease_s=30)
    _fail(ledger, record.id, ReasonCode.JOB_CRASHED)  # the sample's own doing: counted
    clock.advance(10)
    ledger.claim("w", lease_s=30)
    _fail(ledger, record.id, ReasonCode.TRANSIENT)  # a new outage: not counted
    after = ledger.get(record.id)
    assert after is not None and (after.state, after.attempts) == (S.QUEUED, 1)


def test_lost_leases_are_counted_per_run(ledger: Ledger, clock: ManualClock) -> None:
    record = add_sample(ledger)
    for worker in ("a", "b", "c"):
        assert ledger.claim(worker, lease_s=10) is not None
        clock.advance(11)
    assert ledger.lease_losses(record.id) == 2
    taken = ledger.claim("d", lease_s=10)
    assert taken is not None and taken.attempts == 1 and ledger.lease_losses(record.id) == 3
