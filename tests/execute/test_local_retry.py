"""RetryPolicy and the exception -> sample-state mapping, tested alone."""

from __future__ import annotations

import random

import pytest

from oncodrop.errors import (
    BundleError,
    ConfigError,
    InputRejected,
    StateConflict,
    TransientError,
)
from oncodrop.execute.retry import Disposition, RetryPolicy, classify


def test_rejected_input_maps_to_reject_with_its_reason_code_and_location() -> None:
    exc = InputRejected(
        "bad_config", "tumor_site must be a string", file="config.toml", line=3, field="tumor_site"
    )
    failure = classify(exc)
    assert failure.disposition is Disposition.REJECT
    assert failure.reason_code == "bad_config"
    assert (
        failure.message
        == "tumor_site must be a string (file config.toml, line 3, field tumor_site)"
    )


@pytest.mark.parametrize(
    ("exc", "disposition", "code"),
    [
        (TransientError("S3 503"), Disposition.RETRY, "transient"),
        (ConfigError("no slack url"), Disposition.DEAD, "config_error"),
        (BundleError("no grch37"), Disposition.DEAD, "bundle_error"),
        (StateConflict("lost race"), Disposition.RETRY, "error"),
        (ZeroDivisionError("division by zero"), Disposition.RETRY, "error"),
    ],
)
def test_each_error_family_maps_to_one_disposition(
    exc: BaseException, disposition: Disposition, code: str
) -> None:
    failure = classify(exc)
    assert (failure.disposition, failure.reason_code) == (disposition, code)
    assert failure.message.startswith(type(exc).__name__)


def test_should_retry_only_what_retrying_can_fix() -> None:
    policy = RetryPolicy()
    assert policy.should_retry(TransientError("timeout"))
    assert policy.should_retry(RuntimeError("bug?"))
    assert not policy.should_retry(InputRejected("bad_vcf", "line 12 malformed"))
    assert not policy.should_retry(BundleError("corrupt"))


def test_backoff_doubles_and_is_capped_without_jitter() -> None:
    policy = RetryPolicy(backoff_base_s=10, backoff_cap_s=60, jitter=0)
    assert [policy.delay_s(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_jitter_stays_within_its_fraction() -> None:
    policy = RetryPolicy(
        backoff_base_s=100, backoff_cap_s=1000, jitter=0.25, _random=random.Random(7)
    )
    delays = [policy.delay_s(1) for _ in range(200)]
    assert min(delays) >= 75 and max(delays) <= 125
    assert len({round(d, 3) for d in delays}) > 100  # really spread, not constant


def test_long_messages_are_truncated_for_the_ledger() -> None:
    assert len(classify(RuntimeError("x" * 10_000)).message) == 2000
