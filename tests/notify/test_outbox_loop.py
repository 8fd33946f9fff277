"""The notifier loop over a real SQLite ledger and real HTTP targets on 127.0.0.1."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from httpcapture import CaptureServer
from pydantic import SecretStr
from testclock import Clock
from waiting import wait_for

from oncodrop.domain.sample import SampleRecord
from oncodrop.ledger import Ledger
from oncodrop.notify import NotifierLoop, SlackNotifier, WebhookNotifier, notifiers_from_settings, outbox_policy
from oncodrop.retry import RetryPolicy
from oncodrop.settings import NotifySettings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", clock=clock) as opened:
        yield opened


def _succeeded(ledger: Ledger, n: int = 1) -> SampleRecord:
    record, _ = ledger.admit_object("file:///b", f"b-{n:06d}-somatic.tar.gz", f"e{n}", 10, "somatic",
                                    f"b-{n:06d}", f"b-{n:06d}-somatic-output.tar.gz")  # fmt: skip
    ledger.claim_specific(record.id, "w1", lease_s=60)
    return ledger.succeed(record.id, "w1", record.output_key or "", None)


def _link(record: SampleRecord) -> str:
    return f"https://example.invalid/{record.output_key}?fresh"


POLICY = RetryPolicy(attempts=4, backoff_s=10, max_backoff_s=600)


def test_a_notice_is_delivered_once_with_its_id_and_a_link_made_at_delivery(
    ledger: Ledger, http_capture: CaptureServer
) -> None:
    record = _succeeded(ledger)
    loop = NotifierLoop(ledger, [WebhookNotifier(http_capture.url())], POLICY, link_for=_link)
    try:
        assert loop.run_once() == 1
        assert loop.run_once() == 0
    finally:
        loop.close()
    (got,) = http_capture.received
    ((item, outcome),) = ledger.notifications()
    assert outcome == "delivered"
    assert got.body["notification_id"] == item.id and got.headers["Idempotency-Key"] == f"oncodrop-{item.id}"
    assert got.body["output"] == {"key": record.output_key, "link": _link(record)}


def test_a_failing_target_is_retried_after_its_retry_after_and_the_healthy_one_is_not_resent(
    ledger: Ledger, clock: Clock, http_capture: CaptureServer, second_capture: CaptureServer
) -> None:
    _succeeded(ledger)
    second_capture.statuses[:] = [503, 500]
    second_capture.headers[503] = {"Retry-After": "120"}
    loop = NotifierLoop(ledger, [WebhookNotifier(http_capture.url()), SlackNotifier(second_capture.url())], POLICY)
    try:
        assert loop.run_once() == 1  # healthy: done; slack: 503, Retry-After 120 s
        clock.advance(119)
        assert loop.run_once() == 0  # the server asked for 120 s
        clock.advance(2)
        assert loop.run_once() == 1  # 500: backoff 20 s (+/- nothing: no jitter)
        clock.advance(21)
        assert loop.run_once() == 1  # 200
        clock.advance(3600)
        assert loop.run_once() == 0
    finally:
        loop.close()
    assert len(http_capture.received) == 1 and len(second_capture.received) == 3
    ((item, outcome),) = ledger.notifications()
    assert (outcome, item.attempts) == ("delivered", 3)


def test_a_target_that_keeps_failing_is_given_up_after_the_attempts(
    ledger: Ledger, clock: Clock, http_capture: CaptureServer
) -> None:
    _succeeded(ledger)
    http_capture.statuses[:] = [500] * 10
    loop = NotifierLoop(ledger, [WebhookNotifier(http_capture.url())], RetryPolicy(attempts=3, backoff_s=1))
    try:
        for _ in range(5):
            loop.run_once()
            clock.advance(60)
    finally:
        loop.close()
    assert len(http_capture.received) == 3
    assert ledger.notifications()[0][1] == "abandoned" and ledger.pending_notifications() == 0


def test_a_hanging_target_costs_one_timeout_and_delays_no_other_target(
    ledger: Ledger, http_capture: CaptureServer, second_capture: CaptureServer
) -> None:
    _succeeded(ledger, 1)
    _succeeded(ledger, 2)
    second_capture.delay_s = 30  # answers far too late
    hanging = SlackNotifier(second_capture.url(), timeout_s=0.5)
    loop = NotifierLoop(ledger, [WebhookNotifier(http_capture.url()), hanging], POLICY, timeout_s=0.5)
    try:
        assert loop.run_once() == 2  # returns: the round does not wait for the hanging target
    finally:
        loop.close()
    assert sorted(r.body["key"] for r in http_capture.received) == ["b-000001-somatic.tar.gz",
                                                                     "b-000002-somatic.tar.gz"]  # fmt: skip
    assert [(item.done_targets, outcome) for item, outcome in ledger.notifications()] == [
        (frozenset({f"webhook(127.0.0.1:{http_capture.port})"}), None)
    ] * 2


def test_two_loops_on_one_ledger_deliver_each_notice_once(tmp_path: Path, http_capture: CaptureServer) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url) as ledger:
        for n in range(1, 41):
            _succeeded(ledger, n)
    stop = threading.Event()
    ledgers = [Ledger.open(url, migrate_schema=False) for _ in range(2)]
    loops = [NotifierLoop(lg, [WebhookNotifier(http_capture.url())], POLICY, owner=f"loop-{i}")
             for i, lg in enumerate(ledgers)]  # fmt: skip
    threads = [threading.Thread(target=loop.run, args=(stop, 0.05)) for loop in loops]
    for thread in threads:
        thread.start()
    try:
        with Ledger.open(url, migrate_schema=False) as ledger:
            deadline = datetime.now(UTC) + timedelta(seconds=120)
            while ledger.pending_notifications() and datetime.now(UTC) < deadline:
                stop.wait(0.1)
            assert ledger.pending_notifications() == 0
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for loop, lg in zip(loops, ledgers, strict=True):
            loop.close()
            lg.close()
    ids = Counter(r.body["notification_id"] for r in http_capture.received)
    assert len(ids) == 40 and set(ids.values()) == {1}


def test_a_stopping_loop_hands_its_claims_back_for_the_next_one(ledger: Ledger, http_capture: CaptureServer) -> None:
    _succeeded(ledger)
    stopping = NotifierLoop(ledger, [WebhookNotifier(http_capture.url())], POLICY, owner="old")
    ledger.claim_notifications("old", limit=10, claim_s=600)  # as if a round were under way
    stopping.close()
    nxt = NotifierLoop(ledger, [WebhookNotifier(http_capture.url())], POLICY, owner="new")
    try:
        assert nxt.run_once() == 1
    finally:
        nxt.close()
    assert len(http_capture.received) == 1 and ledger.pending_notifications() == 0


def test_a_target_that_took_the_notice_is_recorded_while_another_still_hangs(
    ledger: Ledger, http_capture: CaptureServer, second_capture: CaptureServer
) -> None:
    """Chaos finding: the round was recorded only after its slowest target, so a ``serve``
    SIGKILLed while Slack hung sent the notice to the webhook again after the restart."""
    _succeeded(ledger)
    second_capture.gate.clear()  # Slack hangs until the test opens the gate
    webhook = WebhookNotifier(http_capture.url())
    loop = NotifierLoop(ledger, [webhook, SlackNotifier(second_capture.url(), timeout_s=60)], POLICY, timeout_s=60)
    round_ = threading.Thread(target=loop.run_once, daemon=True)
    round_.start()
    try:
        wait_for(lambda: second_capture.received and http_capture.answered, 30, "both sends under way")
        # the round is still waiting for Slack; the webhook's delivery is in the ledger already
        wait_for(lambda: ledger.notifications()[0][0].done_targets == {webhook.name}, 30, "the webhook noted")
        ((_item, outcome),) = ledger.notifications()
        assert outcome is None and round_.is_alive()
    finally:
        second_capture.gate.set()
        round_.join(timeout=30)
        loop.close()
    assert [(item.done_targets, outcome) for item, outcome in ledger.notifications()] == [
        (frozenset({webhook.name, f"slack(127.0.0.1:{second_capture.port})"}), "delivered")
    ]


def test_the_log_of_a_failing_target_names_its_host_and_never_its_secret_url(
    ledger: Ledger, clock: Clock, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    record = _succeeded(ledger)
    url = f"http://127.0.0.1:{closed_port}/services/T0SECRET/B0SECRET/tokenSECRET"
    loop = NotifierLoop(ledger, [SlackNotifier(url)], RetryPolicy(attempts=2, backoff_s=1))
    try:
        with caplog.at_level(logging.INFO, logger="oncodrop.notify"):
            assert loop.run_once() == 1
            clock.advance(60)
            assert loop.run_once() == 1
    finally:
        loop.close()
    assert ledger.notifications()[0][1] == "abandoned"
    assert f"slack(127.0.0.1:{closed_port})" in caplog.text
    assert f"giving up notification {ledger.notifications()[0][0].id} (SUCCEEDED of {record.key})" in caplog.text
    assert "SECRET" not in caplog.text


def test_the_notify_settings_give_one_target_per_url_and_their_retry_policy() -> None:
    settings = NotifySettings(
        slack_webhook_url=SecretStr("https://hooks.slack.com/services/T/B/X"),
        webhook_url=SecretStr("https://example.org/hook?token=abc"),
        attempts=5, backoff_s=2.0, timeout_s=3.0,
    )  # fmt: skip
    targets = notifiers_from_settings(settings)
    assert [n.name for n in targets] == ["slack(hooks.slack.com)", "webhook(example.org)"]
    assert (outbox_policy(settings).attempts, outbox_policy(settings).backoff_s) == (5, 2.0)
    assert notifiers_from_settings(NotifySettings()) == []
