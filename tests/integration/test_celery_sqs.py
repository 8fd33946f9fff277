"""The Celery executor with an SQS broker on moto_server (predefined queue, plain HTTP): two
Celery worker processes drain it and every sample succeeds exactly once."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import boto3
import pytest
from service_harness import serve
from test_celery_redis import _brca, celery_env

from oncodrop.ledger import Ledger

pytestmark = pytest.mark.integration


def test_samples_dispatched_through_an_sqs_broker_succeed_once_each(
    tmp_path, testdata, demo_bundle, moto_endpoint
) -> None:  # type: ignore[no-untyped-def]
    sqs = boto3.client("sqs", endpoint_url=moto_endpoint, region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName=f"oncodrop-jobs-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    broker = f"sqs://testing:testing@{urlsplit(moto_endpoint).netloc}"
    names = [f"sqs{i}-5a5a5{i}-somatic.tar.gz" for i in range(3)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tarballs = [_brca(testdata, inbox, name) for name in names]
    env = celery_env(broker, ONCODROP_CELERY_QUEUE="jobs", ONCODROP_CELERY_QUEUE_URL=queue_url)
    with serve(tmp_path, demo_bundle, workers=2, env=env) as served:
        for tarball in tarballs:
            (served.bucket / tarball.name).write_bytes(tarball.read_bytes())
        records = [served.wait_terminal(name, timeout_s=60) for name in names]
    assert [r.state.value for r in records] == ["SUCCEEDED"] * 3, [r.reason for r in records]
    with Ledger.open(served.db) as ledger:
        claims = [[h for h in ledger.history(r.id) if h.reason_code == "claimed"] for r in records]
    assert [len(c) for c in claims] == [1, 1, 1]
    assert all(c[0].actor.startswith("celery@") for c in claims)
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == sorted(n.replace(".tar.gz", "-output.tar.gz") for n in names)
    left = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"  # every message acked
