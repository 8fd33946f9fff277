from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from pydantic import SecretStr
from waiting import scaled

from oncodrop.notify import (
    Fanout,
    Notification,
    RetryPolicy,
    SlackNotifier,
    WebhookNotifier,
    deliver,
    fanout_from_settings,
)
from oncodrop.settings import NotifySettings

N = Notification(
    event="failed", key="in/B-A1B2C3-somatic.tar.gz", sample_id="B-A1B2C3", kind="somatic",
    state="FAILED", attempts=2, reason_code="transient", reason="store timed out",
)
FAST = RetryPolicy(attempts=3, backoff_s=0.01)


def test_target_answering_500_twice_then_200_is_retried_until_delivered(http_capture):
    http_capture.statuses[:] = [500, 500, 200]
    fanout = Fanout([WebhookNotifier(http_capture.url())], FAST)
    (delivery,) = fanout.send(N)
    fanout.close()
    assert delivery.ok and delivery.attempts == 3
    assert len(http_capture.received) == 3
    assert all(r.body == http_capture.received[0].body for r in http_capture.received)


def test_dead_and_hanging_targets_neither_raise_nor_delay_the_healthy_one(http_capture, second_capture, closed_port):
    timeout_s = scaled(0.5)
    second_capture.delay_s = 3 * timeout_s  # hangs longer than the notifier's timeout
    dead = WebhookNotifier(f"http://127.0.0.1:{closed_port}/hook")
    hanging = WebhookNotifier(second_capture.url(), timeout_s=timeout_s)
    healthy = SlackNotifier(http_capture.url("/services/T/B/X"))
    fanout = Fanout([dead, hanging, healthy], RetryPolicy(attempts=2, backoff_s=0.01))

    deliveries = fanout.send(N)
    fanout.close()

    assert [d.ok for d in deliveries] == [False, False, True]
    assert deliveries[0].attempts == 2 and "unreachable" in (deliveries[0].error or "")
    assert "timed out" in (deliveries[1].error or "")
    (received,) = http_capture.received
    _, retry = (r.at for r in second_capture.received)  # two attempts at the hanging target
    assert received.at < retry  # the healthy target did not wait for the hanging one to time out
    assert received.body["text"].startswith("oncodrop: B-A1B2C3 (somatic) FAILED")


def test_failure_log_names_the_host_and_never_the_secret_url(closed_port, caplog):
    url = f"http://127.0.0.1:{closed_port}/services/T0SECRET/B0SECRET/tokenSECRET"
    fanout = Fanout([SlackNotifier(url)], RetryPolicy(attempts=2, backoff_s=0.0))
    with caplog.at_level(logging.INFO, logger="oncodrop.notify"):
        (delivery,) = fanout.send(N)
    fanout.close()
    assert not delivery.ok
    assert f"slack(127.0.0.1:{closed_port})" in caplog.text
    assert "giving up on failed of in/B-A1B2C3-somatic.tar.gz after 2 attempt(s)" in caplog.text
    assert "SECRET" not in caplog.text


def test_retry_after_seconds_from_a_429_is_honoured(http_capture):
    http_capture.statuses[:] = [429, 200]
    http_capture.headers[429] = {"Retry-After": "1"}
    fanout = Fanout([WebhookNotifier(http_capture.url())], RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=5.0))
    (delivery,) = fanout.send(N)
    fanout.close()
    assert (delivery.ok, delivery.attempts) == (True, 2)
    first, second = http_capture.received
    assert second.at - first.at >= 0.95  # waited for the server, not the 0.01 s backoff


def test_retry_after_http_date_from_a_503_is_honoured_up_to_the_cap(http_capture):
    later = datetime.now(UTC) + timedelta(hours=1)
    http_capture.statuses[:] = [503, 503]
    http_capture.headers[503] = {"Retry-After": format_datetime(later, usegmt=True)}
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.2)
    notifier = WebhookNotifier(http_capture.url())
    delivery = deliver(notifier, N, policy, sleep=waits.append)
    notifier.close()
    assert (delivery.ok, delivery.attempts) == (True, 3)
    assert waits == [0.2, 0.2]  # an hour asked for, capped at max_backoff_s


def test_settings_with_both_urls_give_a_slack_and_a_webhook_target():
    settings = NotifySettings(
        slack_webhook_url=SecretStr("https://hooks.slack.com/services/T/B/X"),
        webhook_url=SecretStr("https://example.org/hook?token=abc"),
        attempts=5,
    )
    fanout = fanout_from_settings(settings)
    assert [n.name for n in fanout.notifiers] == ["slack(hooks.slack.com)", "webhook(example.org)"]
    assert fanout.retry.attempts == 5
    fanout.close()
    assert fanout_from_settings(NotifySettings()).send(N) == ()
