"""``Ledger.claim_specific``: the lease a Celery task takes on the one sample its message names."""

from __future__ import annotations

from oncodrop.domain.state import SampleState
from oncodrop.ledger import Ledger

from .conftest import ManualClock, add_sample


def test_claims_the_named_queued_sample_and_counts_an_attempt(ledger: Ledger) -> None:
    add_sample(ledger, 1)
    second = add_sample(ledger, 2)
    record = ledger.claim_specific(second.id, "celery@a", lease_s=30)
    assert record is not None
    assert (record.id, record.state, record.attempts, record.lease_owner) == (
        second.id, SampleState.RUNNING, 1, "celery@a",
    )  # fmt: skip
    assert ledger.get(second.id - 1).state is SampleState.QUEUED  # type: ignore[union-attr]


def test_a_duplicate_delivery_finds_the_lease_held_and_gets_nothing(ledger: Ledger) -> None:
    sample = add_sample(ledger)
    assert ledger.claim_specific(sample.id, "celery@a", lease_s=30) is not None
    assert ledger.claim_specific(sample.id, "celery@b", lease_s=30) is None
    assert ledger.get(sample.id).lease_owner == "celery@a"  # type: ignore[union-attr]


def test_an_expired_lease_is_taken_over_without_spending_an_attempt(ledger: Ledger, clock: ManualClock) -> None:
    sample = add_sample(ledger)
    ledger.claim_specific(sample.id, "celery@a", lease_s=30)
    clock.advance(31)
    record = ledger.claim_specific(sample.id, "celery@b", lease_s=30)
    assert record is not None and (record.lease_owner, record.attempts) == ("celery@b", 1)
    assert ledger.history(sample.id)[-1].reason_code == "lease_expired"


def test_finished_backing_off_and_unknown_samples_are_not_claimed(ledger: Ledger, clock: ManualClock) -> None:
    done = add_sample(ledger, 1)
    ledger.claim_specific(done.id, "w", lease_s=30)
    ledger.succeed(done.id, "w", "out.tar.gz", None)
    retrying = add_sample(ledger, 2)
    ledger.claim_specific(retrying.id, "w", lease_s=30)
    ledger.fail(retrying.id, "w", "boom", retryable=True, retry_delay_s=60)
    assert ledger.claim_specific(done.id, "w2", lease_s=30) is None
    assert ledger.claim_specific(retrying.id, "w2", lease_s=30) is None
    assert ledger.claim_specific(9999, "w2", lease_s=30) is None
    clock.advance(61)
    assert ledger.claim_specific(retrying.id, "w2", lease_s=30) is not None
