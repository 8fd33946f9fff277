"""The full cloud layout on moto_server: ``oncodrop serve --events sqs`` hears of uploads from
the bucket's S3-notification queue, and dispatches to two Celery workers through an SQS broker
(a predefined queue, plain HTTP). Every sample succeeds exactly once, outputs land in the bucket."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from service_harness import serve
from test_celery_redis import _brca, celery_env

from oncodrop.demo.cloud import create_drop
from oncodrop.ledger import Ledger
from oncodrop.store.s3 import aws_client, s3_client

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_uploads_heard_via_sqs_and_run_by_celery_over_an_sqs_broker_succeed_once_each(
    tmp_path, testdata, demo_bundle, moto_endpoint
) -> None:  # type: ignore[no-untyped-def]
    drop = create_drop(moto_endpoint, f"onco-celery-{uuid.uuid4().hex[:8]}")
    sqs, s3 = aws_client("sqs", moto_endpoint), s3_client(moto_endpoint)
    jobs_url = sqs.create_queue(QueueName=f"{drop.bucket}-jobs")["QueueUrl"]
    broker = f"sqs://testing:testing@{urlsplit(moto_endpoint).netloc}"
    names = [f"sqs{i}-5a5a5{i}-somatic.tar.gz" for i in range(3)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = celery_env(broker, ONCODROP_CELERY_QUEUE="jobs", ONCODROP_CELERY_QUEUE_URL=jobs_url,
                     ONCODROP_EVENTS="sqs", ONCODROP_QUEUE_URL=drop.queue_url,
                     ONCODROP_S3_ENDPOINT_URL=moto_endpoint)  # fmt: skip
    with serve(tmp_path, demo_bundle, workers=2, env=env) as served:
        for name in names:
            s3.upload_file(str(_brca(testdata, inbox, name)), drop.bucket, name)
        records = [served.wait_terminal(name, timeout_s=60) for name in names]
    assert [r.state.value for r in records] == ["SUCCEEDED"] * 3, [r.reason for r in records]
    assert {r.store_url for r in records} == {f"s3://{drop.bucket}"}
    with Ledger.open(served.db) as ledger:
        claims = [[h for h in ledger.history(r.id) if h.reason_code == "claimed"] for r in records]
    assert [len(c) for c in claims] == [1, 1, 1]
    assert all(c[0].actor.startswith("celery@") for c in claims)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=drop.bucket)["Contents"])
    assert [k for k in keys if k.endswith("-output.tar.gz")] == sorted(
        n.replace(".tar.gz", "-output.tar.gz") for n in names
    )
    for queue in (jobs_url, drop.queue_url):  # every job message acked, every S3 event consumed
        left = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
        assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"
