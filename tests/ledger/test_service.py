"""Sample life cycle through the public Ledger API, on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oncodrop.domain.headline import Headline
from oncodrop.domain.state import SampleState
from oncodrop.errors import StateConflict
from oncodrop.ledger import Ledger

from .conftest import ManualClock, add_sample

S = SampleState


def test_recording_the_same_object_version_twice_returns_the_first_record(ledger: Ledger) -> None:
    args = ("file:///b", "b1-000001-somatic.tar.gz", "abc", 10, "somatic", "b1-000001", "o.tar.gz")
    first, created_first = ledger.record_object(*args)
    again, created_again = ledger.record_object(*args)
    assert (created_first, created_again) == (True, False)
    assert again.id == first.id
    assert ledger.counts_by_state()[S.RECEIVED] == 1
    assert len(ledger.history(first.id)) == 1


def test_a_new_etag_of_the_same_key_is_a_new_sample(ledger: Ledger) -> None:
    one, _ = ledger.record_object("file:///b", "k", "etag-1", 1, "somatic", "b1-000001", None)
    two, created = ledger.record_object("file:///b", "k", "etag-2", 1, "somatic", "b1-000001", None)
    assert created and two.id != one.id


def test_record_carries_what_notifications_and_workers_need(ledger: Ledger) -> None:
    record = add_sample(ledger, 5)
    assert record.state is S.QUEUED
    assert (record.kind, record.sample_id) == ("somatic", "batch1-000005")
    assert record.output_key == "batch1-000005-somatic-output.tar.gz"
    assert (record.attempts, record.max_attempts, record.run) == (0, 3, 1)


def test_history_keeps_every_transition_with_actor_and_reason(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("worker-a", lease_s=30)
    ledger.succeed(record.id, "worker-a", "out.tar.gz", Headline(tier1=2, tmb=7.5))
    steps = [(h.from_state, h.to_state, h.actor, h.reason_code) for h in ledger.history(record.id)]
    assert steps == [
        (None, S.RECEIVED, "intake", "received"),
        (S.RECEIVED, S.QUEUED, "intake", "queued"),
        (S.QUEUED, S.RUNNING, "worker-a", "claimed"),
        (S.RUNNING, S.SUCCEEDED, "worker-a", "succeeded"),
    ]


def test_success_stores_output_key_and_headline_and_drops_the_lease(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("worker-a", lease_s=30)
    done = ledger.succeed(record.id, "worker-a", "out.tar.gz", Headline(tier1=2, tmb=7.5))
    assert done.state is S.SUCCEEDED
    assert done.headline == Headline(tier1=2, tmb=7.5)
    assert (done.lease_owner, done.lease_expires_at) == (None, None)
    assert ledger.get(record.id) == done


def test_reject_records_the_reason_a_person_can_act_on(ledger: Ledger) -> None:
    record = add_sample(ledger, queue=False)
    msg = "config.toml line 3: field 'tumor_site' must be a string"
    rejected = ledger.reject(record.id, "bad_config", msg)
    assert (rejected.state, rejected.reason_code, rejected.reason) == (
        S.REJECTED,
        "bad_config",
        msg,
    )


def test_worker_rejection_requires_holding_the_lease(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("worker-a", lease_s=30)
    with pytest.raises(StateConflict):
        ledger.reject(record.id, "bad_vcf", "x", worker_id="worker-b")
    assert ledger.reject(record.id, "bad_vcf", "x", worker_id="worker-a").state is S.REJECTED


def test_terminal_state_cannot_be_changed_by_ordinary_calls(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    ledger.succeed(record.id, "w", "out", None)
    with pytest.raises(StateConflict):
        ledger.reject(record.id, "bad_vcf", "late")
    assert ledger.get(record.id).state is S.SUCCEEDED  # type: ignore[union-attr]


def test_retryable_failure_requeues_with_backoff(ledger: Ledger, clock: ManualClock) -> None:
    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    failed = ledger.fail(record.id, "w", "S3 timeout", retryable=True, retry_delay_s=60)
    assert failed.state is S.QUEUED
    assert failed.not_before == clock.now + timedelta(seconds=60)
    assert ledger.claim("w", lease_s=30) is None  # backoff not over
    clock.advance(61)
    assert ledger.claim("w", lease_s=30).attempts == 2  # type: ignore[union-attr]
    codes = [h.reason_code for h in ledger.history(record.id)][-3:]
    assert codes == ["error", "retry_scheduled", "claimed"]


def test_max_attempts_leads_to_dead(ledger: Ledger) -> None:
    record = add_sample(ledger)
    for _ in range(3):
        claimed = ledger.claim("w", lease_s=30)
        assert claimed is not None
        final = ledger.fail(record.id, "w", "boom", retryable=True)
    assert (final.state, final.attempts) == (S.DEAD, 3)
    assert ledger.history(record.id)[-1].reason_code == "attempts_exhausted"
    assert ledger.claim("w", lease_s=30) is None


def test_non_retryable_failure_is_dead_at_once_with_its_reason(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    dead = ledger.fail(
        record.id, "w", "bundle has no GRCh37", retryable=False, reason_code="bundle_error"
    )
    assert (dead.state, dead.attempts, dead.reason_code) == (S.DEAD, 1, "bundle_error")
    assert dead.reason == "bundle has no GRCh37"


def test_release_requeues_without_spending_an_attempt(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    released = ledger.release(record.id, "w")
    assert (released.state, released.attempts, released.lease_owner) == (S.QUEUED, 0, None)


def test_rerun_reopens_a_finished_sample_as_a_new_run(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    ledger.fail(record.id, "w", "bad", retryable=False)
    again = ledger.rerun(record.id, actor="alice", reason="bundle fixed")
    assert (again.id, again.state, again.run, again.attempts) == (record.id, S.QUEUED, 2, 0)
    last = ledger.history(record.id)[-1]
    assert (last.from_state, last.to_state, last.run) == (S.DEAD, S.QUEUED, 2)
    assert (last.actor, last.reason_code, last.reason) == ("alice", "rerun", "bundle fixed")
    assert len(ledger.list_samples()) == 1


def test_rerun_of_an_unfinished_sample_is_refused(ledger: Ledger) -> None:
    record = add_sample(ledger)
    with pytest.raises(StateConflict, match="only finished samples"):
        ledger.rerun(record.id, actor="alice", reason="impatient")


def test_counts_and_listing_by_state(ledger: Ledger) -> None:
    for n in range(1, 4):
        add_sample(ledger, n)
    ledger.claim("w", lease_s=30)
    counts = ledger.counts_by_state()
    assert (counts[S.QUEUED], counts[S.RUNNING], counts[S.DEAD]) == (2, 1, 0)
    assert [r.sample_id for r in ledger.list_samples(S.QUEUED)] == [
        "batch1-000003",
        "batch1-000002",
    ]


def test_poller_memory_survives_reopening(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as first:
        assert first.mark_seen("file:///b", "k.tar.gz", "e1") is True
        assert first.mark_seen("file:///b", "k.tar.gz", "e1") is False
    with Ledger.open(ledger_url) as second:
        assert second.seen_objects("file:///b") == {("k.tar.gz", "e1")}
        assert second.seen_objects("file:///other") == frozenset()


def test_report_headline_round_trips_through_the_ledger(ledger: Ledger) -> None:

    record = add_sample(ledger)
    ledger.claim("w", lease_s=30)
    headline = Headline(tier1=1, tier2=4, tmb=12.5, msi="MSS", top_signatures=("SBS1", "SBS5"))
    done = ledger.succeed(record.id, "w", "out.tar.gz", headline)
    stored = ledger.get(record.id)
    assert stored is not None and stored.headline == done.headline
    assert (stored.headline.tier1, stored.headline.tmb, stored.headline.msi) == (
        1,
        12.5,
        "MSS",
    )
    assert stored.headline.top_signatures == ("SBS1", "SBS5")
