"""The spot-notice watcher against a local HTTP server playing IMDSv2 on 127.0.0.1."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from imds_fake import NOTICE, FakeImds, serve_imds
from waiting import scaled, wait_for

from oncodrop.errors import TransientError
from oncodrop.fleet.interruption import (
    MetadataClient,
    SpotInterruptionWatcher,
    SpotNotice,
    parse_notice,
)


@pytest.fixture
def imds_after_three_polls() -> Iterator[FakeImds]:
    yield from serve_imds(FakeImds(notice_after=3))


def run_watcher(watcher: SpotInterruptionWatcher, timeout_s: float = 10.0) -> tuple[list[str], threading.Thread]:
    reasons: list[str] = []
    done = threading.Event()
    thread = threading.Thread(target=watcher, args=(reasons.append, done), daemon=True)
    thread.start()
    thread.join(scaled(timeout_s))
    done.set()
    thread.join(scaled(5))
    return reasons, thread


def test_no_notice_is_404_and_the_token_is_reused(imds: FakeImds) -> None:
    client = MetadataClient(imds.url)
    try:
        assert client.spot_notice() is None
        assert client.spot_notice() is None
    finally:
        client.close()
    assert (imds.token_requests, imds.notice_polls, imds.unauthorised) == (1, 2, 0)


def test_a_published_notice_is_read_with_action_and_time(imds: FakeImds) -> None:
    imds.publish()
    client = MetadataClient(imds.url)
    try:
        notice = client.spot_notice()
    finally:
        client.close()
    assert notice == SpotNotice("terminate", "2026-11-25T13:02:00Z")
    assert notice.reason == "spot interruption: instance will terminate at 2026-11-25T13:02:00Z"


def test_a_refused_token_is_renewed_once_and_the_poll_succeeds(imds: FakeImds) -> None:
    client = MetadataClient(imds.url)
    try:
        assert client.spot_notice() is None
        imds.revoke_tokens()
        imds.publish({"action": "stop", "time": "2026-11-25T13:05:00Z"})
        assert client.spot_notice() == SpotNotice("stop", "2026-11-25T13:05:00Z")
    finally:
        client.close()
    assert (imds.token_requests, imds.unauthorised) == (2, 1)


def test_an_unreachable_endpoint_is_transient(closed_port: int) -> None:
    client = MetadataClient(f"http://127.0.0.1:{closed_port}", timeout_s=0.5)
    try:
        with pytest.raises(TransientError, match="instance metadata .* unreachable"):
            client.spot_notice()
    finally:
        client.close()


def test_watcher_stops_the_worker_on_the_poll_where_the_notice_appears(imds_after_three_polls: FakeImds) -> None:
    reasons, thread = run_watcher(SpotInterruptionWatcher(imds_after_three_polls.url, interval_s=0.05))
    assert not thread.is_alive()  # it returned by itself (done is only set after the join)
    assert reasons == [f"spot interruption: instance will {NOTICE['action']} at {NOTICE['time']}"]
    assert imds_after_three_polls.notice_polls == 3
    assert imds_after_three_polls.token_requests == 1


def test_watcher_keeps_polling_quietly_until_the_worker_is_done(imds: FakeImds) -> None:
    reasons: list[str] = []
    done = threading.Event()
    thread = threading.Thread(target=SpotInterruptionWatcher(imds.url, interval_s=0.02), args=(reasons.append, done))
    thread.start()
    try:
        wait_for(lambda: imds.notice_polls >= 5, 5, "five notice polls")
    finally:
        done.set()
        thread.join(scaled(5))
    assert not thread.is_alive()
    assert reasons == []
    assert imds.notice_polls >= 5


def test_watcher_survives_an_unreachable_endpoint(closed_port: int, caplog: pytest.LogCaptureFixture) -> None:
    reasons: list[str] = []
    done = threading.Event()
    watcher = SpotInterruptionWatcher(f"http://127.0.0.1:{closed_port}", interval_s=0.02, timeout_s=0.2)
    thread = threading.Thread(target=watcher, args=(reasons.append, done))
    with caplog.at_level(logging.WARNING, logger="oncodrop.fleet.interruption"):
        thread.start()
        try:
            wait_for(lambda: any("still trying" in r.getMessage() for r in caplog.records), 5, "a failed poll logged")
            assert thread.is_alive()  # the failure was logged and survived
        finally:
            done.set()
            thread.join(scaled(5))
    assert not thread.is_alive() and reasons == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [('{"action": "hibernate", "time": "2026-11-25T13:00:00Z"}', SpotNotice("hibernate", "2026-11-25T13:00:00Z")),
     ("not json", SpotNotice("unknown", "unknown")), ("[1]", SpotNotice("unknown", "unknown"))],
)  # fmt: skip
def test_any_notice_body_counts_as_a_notice(body: str, expected: SpotNotice) -> None:
    assert parse_notice(body) == expected
