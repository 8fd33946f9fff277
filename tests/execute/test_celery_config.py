"""``execute.celery_app.celery_config``: the redelivery-safety settings per broker."""

from __future__ import annotations

import pytest

from oncodrop.errors import ConfigError
from oncodrop.execute.celery_app import celery_config
from oncodrop.settings import Settings


def test_late_acks_reject_on_worker_loss_prefetch_one_and_no_result_backend() -> None:
    config = celery_config(Settings.load(None, executor="celery"))
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["result_backend"] is None and config["task_ignore_result"] is True


def test_redis_visibility_exceeds_the_job_timeout_and_dead_workers_are_scanned_often() -> None:
    settings = Settings.load(None, broker_url="redis://127.0.0.1:6379/0", job_timeout_s=3600, lease_s=300)
    options = celery_config(settings)["broker_transport_options"]
    assert options["visibility_timeout"] == 3600 + 600
    assert options["unacked_restore_throttle"] == 1
    assert options["unacked_restore_interval"] == 60


def test_sqs_broker_on_a_local_endpoint_uses_plain_http_and_the_predefined_queue() -> None:
    url = "http://127.0.0.1:5000/123456789012/jobs"
    settings = Settings.load(None, broker_url="sqs://k:s@127.0.0.1:5000", celery_queue="jobs",
                             celery_queue_url=url, job_timeout_s=100_000,
                             broker_visibility_timeout_s=100_001)  # fmt: skip
    options = celery_config(settings)["broker_transport_options"]
    assert options["is_secure"] is False
    assert options["predefined_queues"] == {"jobs": {"url": url}}
    assert options["visibility_timeout"] == 43_200  # capped at the SQS maximum


def test_a_visibility_timeout_shorter_than_the_job_timeout_is_refused() -> None:
    with pytest.raises(ConfigError, match="broker_visibility_timeout_s"):
        Settings.load(None, job_timeout_s=600, broker_visibility_timeout_s=300)


def test_sqs_events_without_a_queue_url_are_refused() -> None:
    with pytest.raises(ConfigError, match="queue_url"):
        Settings.load(None, events="sqs")


def test_broker_credentials_are_secrets_and_never_shown() -> None:
    settings = Settings.load(None, broker_url="redis://:hunter2@cache:6379/0")
    assert "hunter2" in settings.secret_values()
    assert "hunter2" not in str(settings.redacted_dict())
