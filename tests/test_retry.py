"""The one RetryPolicy: delays as documented, tenacity-driven calls, Retry-After parsing."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from oncodrop.errors import ConfigError, TransientError
from oncodrop.execute.job import job_retry_policy
from oncodrop.retry import RetryPolicy, parse_retry_after
from oncodrop.settings import Settings


def test_delay_doubles_from_backoff_and_is_capped() -> None:
    policy = RetryPolicy(attempts=6, backoff_s=0.5, max_backoff_s=3.0)
    assert [policy.delay_s(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_job_policy_waits_30_60_120_s_up_to_15_min_within_its_jitter() -> None:
    policy = job_retry_policy(Settings.load(None, max_attempts=5))
    assert policy.attempts == 5
    for attempt, nominal in ((1, 30.0), (2, 60.0), (3, 120.0), (7, 900.0)):
        delays = [policy.delay_s(attempt) for _ in range(200)]
        assert min(delays) >= nominal * 0.75
        assert max(delays) <= min(nominal * 1.25, 900.0)
    spread = {round(policy.delay_s(1), 3) for _ in range(200)}
    assert len(spread) > 100  # really jittered, not constant


def test_retry_after_is_a_floor_and_the_cap_still_holds() -> None:
    policy = RetryPolicy(attempts=3, backoff_s=1.0, max_backoff_s=10.0)
    assert policy.delay_s(1, retry_after_s=4.0) == 4.0  # server asks for more than our backoff
    assert policy.delay_s(3, retry_after_s=0.5) == 4.0  # our backoff is longer already
    assert policy.delay_s(1, retry_after_s=3600.0) == 10.0  # never beyond max_backoff_s


def test_policy_rejects_nonsense_and_pickles() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=2.0)
    policy = job_retry_policy(Settings.load(None, max_attempts=3))
    assert pickle.loads(pickle.dumps(policy)) == policy  # it crosses into worker processes


def test_call_retries_transient_errors_only_and_reports_each_wait() -> None:
    calls: list[int] = []
    waits: list[float] = []
    seen: list[tuple[int, str, float]] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError(f"blip {len(calls)}", retry_after_s=2.0 if len(calls) == 2 else None)
        return "ok"

    policy = RetryPolicy(attempts=4, backoff_s=0.5, max_backoff_s=5.0)
    result = policy.call(flaky, sleep=waits.append, on_retry=lambda n, e, w: seen.append((n, str(e), w)))
    assert result == "ok"
    assert waits == [0.5, 2.0]  # backoff, then the server's Retry-After (above the 1.0 s backoff)
    assert seen == [(1, "blip 1", 0.5), (2, "blip 2", 2.0)]


def test_call_gives_up_with_the_last_transient_error_and_never_retries_others() -> None:
    waits: list[float] = []
    attempts: list[int] = []

    def down() -> None:
        attempts.append(1)
        raise TransientError(f"down {len(attempts)}")

    with pytest.raises(TransientError, match="down 3"):
        RetryPolicy(attempts=3, backoff_s=0.1).call(down, sleep=waits.append)
    assert waits == [0.1, 0.2]

    def refused() -> None:
        attempts.append(1)
        raise ConfigError("wrong URL")

    attempts.clear()
    with pytest.raises(ConfigError):
        RetryPolicy(attempts=5).call(refused, sleep=waits.append)
    assert len(attempts) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("7", 7.0), (" 120 ", 120.0), ("soon", None), ("-3", None)],
)
def test_retry_after_in_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 5, 4, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after("Mon, 04 May 2026 11:59:00 GMT", now) == 0.0  # already past
