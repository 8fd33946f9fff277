"""The notification outbox: written by terminal transitions in their transaction, claimed by one
notifier loop at a time, settled per round."""

from __future__ import annotations

from oncodrop.domain.headline import Headline
from oncodrop.domain.outbox import OutboxOutcome
from oncodrop.domain.state import SampleState
from oncodrop.errors import ReasonCode
from oncodrop.ledger import Ledger

from .conftest import ManualClock, add_sample

S = SampleState
O = OutboxOutcome


def _states(ledger: Ledger) -> list[tuple[int, str]]:
    return [(item.record.id, item.record.state.value) for item, _ in ledger.notifications()]


def test_each_terminal_transition_writes_one_notice_and_no_other_move_does(ledger: Ledger) -> None:
    ok, bad, dead, retried = (add_sample(ledger, n) for n in range(1, 5))
    assert ledger.notifications() == []  # RECEIVED -> QUEUED says nothing
    for record in (ok, bad, dead, retried):
        assert ledger.claim_specific(record.id, "w1", lease_s=60) is not None
    ledger.succeed(ok.id, "w1", "out.tar.gz", Headline(tier1=2))
    ledger.reject(bad.id, ReasonCode.BAD_VCF, "x.vcf line 3: POS is not a number", worker_id="w1")
    ledger.fail(dead.id, "w1", "config", retryable=False, reason_code=ReasonCode.CONFIG_ERROR)
    ledger.fail(retried.id, "w1", "503", retryable=True, retry_delay_s=5)  # FAILED -> QUEUED: quiet
    assert _states(ledger) == [(ok.id, "SUCCEEDED"), (bad.id, "REJECTED"), (dead.id, "DEAD")]
    succeeded = ledger.notifications(ok.id)[0][0].record
    assert (succeeded.output_key, succeeded.headline) == ("out.tar.gz", Headline(tier1=2))
    assert ledger.pending_notifications() == 3


def test_a_replaced_upload_is_rejected_quietly(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("w1", lease_s=60)
    ledger.reject(record.id, ReasonCode.OBJECT_CHANGED, "replaced", worker_id="w1")
    assert ledger.get(record.id).state is S.REJECTED  # type: ignore[union-attr]
    assert ledger.notifications() == []


def test_admission_records_and_rejects_in_one_step_with_one_notice(ledger: Ledger) -> None:
    args = ("file:///b", "bad name.tar.gz", "e1", 10, "somatic", "bad name", None)
    first, created = ledger.admit_object(*args, rejection=(ReasonCode.BAD_KEY, "rename it"))
    again, created_again = ledger.admit_object(*args, rejection=(ReasonCode.BAD_KEY, "rename it"))
    assert (first.state, created, again.id, created_again) == (S.REJECTED, True, first.id, False)
    assert [h.to_state for h in ledger.history(first.id)] == [S.RECEIVED, S.REJECTED]
    assert _states(ledger) == [(first.id, "REJECTED")]


def test_admitting_a_version_left_received_drives_it_on(ledger: Ledger) -> None:
    args = ("file:///b", "b-000001-somatic.tar.gz", "e1", 10, "somatic", "b-000001", "out")
    left, _ = ledger.record_object(*args)  # a crash after recording, before classifying
    assert left.state is S.RECEIVED
    record, created = ledger.admit_object(*args)
    assert (record.id, record.state, created) == (left.id, S.QUEUED, False)


def test_a_notice_keeps_the_sample_as_it_was_when_announced(ledger: Ledger) -> None:
    record = add_sample(ledger)
    ledger.claim("w1", lease_s=60)
    ledger.succeed(record.id, "w1", "out.tar.gz", None)
    ledger.rerun(record.id, actor="alice", reason="new bundle")
    (item, outcome), = ledger.notifications()
    assert (item.record.state, item.record.run, outcome) == (S.SUCCEEDED, 1, None)


def test_a_claimed_notice_is_not_handed_to_a_second_loop_until_the_claim_lapses(
    ledger: Ledger, clock: ManualClock
) -> None:
    record = add_sample(ledger)
    ledger.claim("w1", lease_s=60)
    ledger.succeed(record.id, "w1", "out", None)
    (item,) = ledger.claim_notifications("loop-a", limit=10, claim_s=30)
    assert ledger.claim_notifications("loop-b", limit=10, claim_s=30) == []
    clock.advance(31)  # loop-a died mid-round
    (again,) = ledger.claim_notifications("loop-b", limit=10, claim_s=30)
    assert again.id == item.id
    assert not ledger.settle_notification(item.id, "loop-a", outcome=O.DELIVERED, done_targets=["x"])
    assert ledger.settle_notification(again.id, "loop-b", outcome=O.DELIVERED, done_targets=["x"])
    clock.advance(100)
    assert ledger.claim_notifications("loop-a", limit=10, claim_s=30) == []
    assert ledger.notifications()[0][1] == "delivered" and ledger.pending_notifications() == 0


def test_a_retried_notice_waits_for_its_backoff_and_remembers_its_targets(
    ledger: Ledger, clock: ManualClock
) -> None:
    record = add_sample(ledger)
    ledger.claim("w1", lease_s=60)
    ledger.succeed(record.id, "w1", "out", None)
    (item,) = ledger.claim_notifications("loop", limit=10, claim_s=30)
    ledger.settle_notification(item.id, "loop", outcome=O.RETRY, done_targets=["webhook(a)"], retry_in_s=20,
                               error="slack(b): HTTP 500")  # fmt: skip
    clock.advance(19)
    assert ledger.claim_notifications("loop", limit=10, claim_s=30) == []
    clock.advance(2)
    (again,) = ledger.claim_notifications("loop", limit=10, claim_s=30)
    assert (again.attempts, again.done_targets) == (1, frozenset({"webhook(a)"}))
