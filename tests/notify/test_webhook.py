from __future__ import annotations

import pytest

from oncodrop.domain.headline import Headline
from oncodrop.errors import ConfigError, TransientError
from oncodrop.notify import Notification, WebhookNotifier


def test_webhook_posts_the_documented_v1_schema(http_capture):
    n = Notification(
        event="succeeded", key="in/B-A1B2C3-somatic.tar.gz", sample_id="B-A1B2C3", kind="somatic",
        state="SUCCEEDED", attempts=1,
        headline=Headline(tier1=1, tier2=0, tmb=None, msi=None, top_signatures=("SBS13",), summary_line="x"),
        output_key="in/B-A1B2C3-somatic-output.tar.gz", id=17,
    )
    notifier = WebhookNotifier(http_capture.url("/oncodrop"))
    notifier.send(n)
    notifier.close()

    (got,) = http_capture.received
    assert got.headers["Idempotency-Key"] == "oncodrop-17"
    assert got.body == {
        "schema": "oncodrop.notification/v1",
        "notification_id": 17,
        "event": "succeeded",
        "key": "in/B-A1B2C3-somatic.tar.gz",
        "sample_id": "B-A1B2C3",
        "kind": "somatic",
        "state": "SUCCEEDED",
        "attempts": 1,
        "reason_code": None,
        "reason": None,
        "headline": {
            "tier1": 1, "tier2": 0, "tmb": None, "msi": None, "top_signatures": ["SBS13"],
            "pathogenic": 0, "likely_pathogenic": 0, "vus": 0, "summary_line": "x",
        },
        "output": {"key": "in/B-A1B2C3-somatic-output.tar.gz", "link": None},
        "bundle_version": None,
        "changes": [],
    }


def test_a_reinterpretation_notice_carries_the_bundle_the_changes_and_the_change_report(http_capture):
    n = Notification(
        event="reinterpreted", key="in/B-A1B2C3-somatic.tar.gz", sample_id="B-A1B2C3", kind="somatic",
        state="REINTERPRETED", output_key="in/B-A1B2C3-somatic-reinterpretation-v2.tar.gz", id=18,
        bundle_version="v2", changes=("TP53 p.R273H: tier III → I (new_tier_1_2)",),
    )
    notifier = WebhookNotifier(http_capture.url("/oncodrop"))
    notifier.send(n)
    notifier.close()
    (got,) = http_capture.received
    assert (got.body["event"], got.body["bundle_version"], got.body["changes"], got.body["output"]["key"]) == (
        "reinterpreted", "v2", ["TP53 p.R273H: tier III → I (new_tier_1_2)"],
        "in/B-A1B2C3-somatic-reinterpretation-v2.tar.gz",
    )


def test_server_errors_are_transient_and_client_errors_are_not(http_capture):
    http_capture.statuses[:] = [503, 404]
    notifier = WebhookNotifier(http_capture.url("/secret-token-path"))
    n = Notification(event="received", key="k.tar.gz", sample_id="B-A1B2C3", kind="normal", state="QUEUED")
    with pytest.raises(TransientError, match="HTTP 503") as transient:
        notifier.send(n)
    with pytest.raises(ConfigError, match="HTTP 404") as permanent:
        notifier.send(n)
    notifier.close()
    for exc in (transient.value, permanent.value):
        assert "secret-token-path" not in exc.message
        assert f"127.0.0.1:{http_capture.port}" in exc.message


def test_unknown_event_is_refused_at_construction():
    with pytest.raises(ValueError, match="unknown notification event"):
        Notification(event="exploded", key="k", sample_id="s", kind="somatic", state="?")  # type: ignore[arg-type]
