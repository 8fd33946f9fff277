"""The dispatcher/sweeper (``execute.sweeper``): which samples are (re-)sent to Celery, on a real
SQLite ledger with a hand-moved clock; the sender is a list, the executor's queue stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from testclock import Clock

from oncodrop.domain.sample import SampleRecord
from oncodrop.execute.sweeper import Sweeper
from oncodrop.ledger import Ledger


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock):  # type: ignore[no-untyped-def]
    with Ledger.open(f"sqlite:///{tmp_path / 'l.db'}", clock=clock) as opened:
        yield opened


def _queued(ledger: Ledger, n: int) -> SampleRecord:
    record, _ = ledger.record_object("s3://b", f"b-{n:06d}-somatic.tar.gz", f"e{n}", 10, "somatic",
                                     f"b-{n:06d}", f"b-{n:06d}-somatic-output.tar.gz")  # fmt: skip
    return ledger.queue(record.id)


def _sweeper(ledger: Ledger, clock: Clock, sent: list[int]) -> Sweeper:
    return Sweeper(ledger, sent.append, redispatch_s=600, clock=clock)


def test_new_queued_samples_are_sent_once_in_order(ledger: Ledger, clock: Clock) -> None:
    a, b = _queued(ledger, 1), _queued(ledger, 2)
    sent: list[int] = []
    sweeper = _sweeper(ledger, clock, sent)
    assert sweeper.sweep_once().sent == ((a.id, "new"), (b.id, "new"))
    clock.advance(5)
    assert sweeper.sweep_once().sent == ()
    assert sent == [a.id, b.id]


def test_a_message_nobody_claimed_is_resent_after_redispatch_s(ledger: Ledger, clock: Clock) -> None:
    a = _queued(ledger, 1)
    sent: list[int] = []
    sweeper = _sweeper(ledger, clock, sent)
    sweeper.sweep_once()
    clock.advance(599)
    assert sweeper.sweep_once().sent == ()
    clock.advance(2)
    assert sweeper.sweep_once().sent == ((a.id, "message lost"),)


def test_a_running_sample_is_left_alone_until_its_lease_expires(ledger: Ledger, clock: Clock) -> None:
    a = _queued(ledger, 1)
    sweeper = _sweeper(ledger, clock, [])
    sweeper.sweep_once()
    clock.advance(1)
    assert ledger.claim_specific(a.id, "celery@dead", lease_s=30) is not None
    clock.advance(29)
    assert sweeper.sweep_once().sent == ()
    clock.advance(2)
    assert sweeper.sweep_once().sent == ((a.id, "lease expired"),)
    clock.advance(1)
    assert sweeper.sweep_once().sent == ()  # once per expiry


def test_a_retry_is_sent_when_its_backoff_ends_and_finished_samples_never(
    ledger: Ledger, clock: Clock
) -> None:
    a, b = _queued(ledger, 1), _queued(ledger, 2)
    sweeper = _sweeper(ledger, clock, [])
    sweeper.sweep_once()
    clock.advance(1)
    ledger.claim_specific(a.id, "w", lease_s=30)
    ledger.fail(a.id, "w", "network blip", retryable=True, retry_delay_s=20)
    ledger.claim_specific(b.id, "w", lease_s=30)
    ledger.succeed(b.id, "w", "out", None)
    clock.advance(10)
    assert sweeper.sweep_once().sent == ()  # backing off
    clock.advance(11)
    assert sweeper.sweep_once().sent == ((a.id, "requeued"),)
