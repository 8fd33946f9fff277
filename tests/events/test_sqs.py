"""The SQS consumer on real moto queues fed by real S3 notifications, into a real SQLite ledger."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moto_fixture
import pytest
from waiting import scaled, wait_for

from oncodrop.domain.state import SampleState
from oncodrop.events.sqs import SqsConsumer
from oncodrop.ledger import Ledger
from oncodrop.store.s3 import MiB, S3Store, aws_client, s3_client

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)

BRCA = "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"
COAD = "pcgr/v2.3.2/T001-COAD.grch37.vcf.gz"
MAX_RECEIVES = 2


@dataclass(frozen=True)
class Drop:
    """A bucket whose ObjectCreated events go to a queue with a dead-letter queue behind it."""

    bucket: str
    queue_url: str
    dlq_url: str
    s3: Any
    sqs: Any


def make_drop(endpoint: str, *, visibility_s: int = 30) -> Drop:
    name = f"onco-{uuid.uuid4().hex[:12]}"
    s3, sqs = s3_client(endpoint), aws_client("sqs", endpoint)
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    queue_url = sqs.create_queue(
        QueueName=name, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": str(visibility_s)}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    return Drop(name, queue_url, dlq_url, s3, sqs)


@pytest.fixture
def drop(moto_endpoint: str) -> Drop:
    return make_drop(moto_endpoint)


def consumer(drop: Drop, ledger: Ledger) -> SqsConsumer:
    return SqsConsumer(drop.queue_url, ledger, lambda bucket: f"s3://{bucket}", client=drop.sqs, wait_s=0)


def drain(c: SqsConsumer, polls: int = 5) -> list[Any]:
    """Poll until a poll receives nothing (the queue is empty for this consumer)."""
    results = []
    for _ in range(polls):
        result = c.poll_once()
        if result.received == 0:
            break
        results.append(result)
    return results


def visible(sqs: Any, queue_url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_an_uploaded_sample_is_queued_in_the_ledger_and_its_messages_deleted(
    drop: Drop, ledger: Ledger, testdata: Path
) -> None:
    key = "run 42/brca-0a1b2c-somatic.tar.gz"  # S3 sends it as run+42/...
    drop.s3.upload_file(str(testdata / BRCA), drop.bucket, key)
    etag = drop.s3.head_object(Bucket=drop.bucket, Key=key)["ETag"].strip('"')
    results = drain(consumer(drop, ledger))
    assert sum(r.received for r in results) == 2  # s3:TestEvent + the upload
    assert sum(r.deleted for r in results) == 2
    [record] = ledger.list_samples()
    assert (record.key, record.etag, record.size, record.state) == (key, etag, 5682, SampleState.QUEUED)
    assert record.store_url == f"s3://{drop.bucket}" and record.sample_id == "brca-0a1b2c"
    assert visible(drop.sqs, drop.queue_url) == 0


def test_a_multipart_upload_and_a_duplicate_event_become_one_sample(
    drop: Drop, ledger: Ledger, testdata: Path, tmp_path: Path
) -> None:
    big = tmp_path / "coad.tar.gz"
    chunk = (testdata / COAD).read_bytes()
    big.write_bytes(chunk * (6 * MiB // len(chunk) + 1))
    store = S3Store(drop.bucket, client=drop.s3, multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
    put = store.put_file(big, "coad-0a1b2d-somatic.tar.gz")  # S3 sends Put + CompleteMultipartUpload
    first = consumer(drop, ledger)
    results = drain(first)
    assert sum(r.received for r in results) == 3 and sum(r.deleted for r in results) == 3
    # the same notification delivered again later (at-least-once): still one sample
    duplicate = {"Records": [_created_record(drop.bucket, put.key, put.etag, put.size, "ObjectCreated:Put")]}
    drop.sqs.send_message(QueueUrl=drop.queue_url, MessageBody=json.dumps(duplicate))
    again = drain(consumer(drop, ledger))  # a fresh consumer: no memory, the ledger dedupes
    assert sum(r.deleted for r in again) == 1
    [record] = ledger.list_samples()
    assert (record.etag, record.state) == (put.etag, SampleState.QUEUED) and put.etag.endswith("-2")
    assert len(ledger.history(record.id)) == 2  # received, queued: nothing twice


def test_a_badly_named_upload_is_rejected_in_the_ledger_with_the_reason(
    drop: Drop, ledger: Ledger, testdata: Path
) -> None:
    drop.s3.upload_file(str(testdata / BRCA), drop.bucket, "brca-XYZ-somatic.tar.gz")
    drain(consumer(drop, ledger))
    [record] = ledger.list_samples()
    assert record.state is SampleState.REJECTED and record.reason_code == "bad_key"
    assert "id6 'XYZ' must be exactly 6 hexadecimal digits" in (record.reason or "")
    assert visible(drop.sqs, drop.queue_url) == 0


def test_a_message_that_is_not_an_s3_event_ends_in_the_dead_letter_queue(
    drop: Drop, ledger: Ledger
) -> None:
    c = consumer(drop, ledger)
    drain(c)  # the s3:TestEvent
    drop.sqs.send_message(QueueUrl=drop.queue_url, MessageBody="rm -rf / # not an S3 event")
    for _ in range(MAX_RECEIVES):
        result = c.poll_once()
        assert (result.received, result.undeliverable, result.deleted) == (1, 1, 0)
    assert c.poll_once().received == 0  # moved to the DLQ on the next receive
    dead = drop.sqs.receive_message(QueueUrl=drop.dlq_url, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in dead] == ["rm -rf / # not an S3 event"]
    assert ledger.list_samples() == []


def test_a_message_is_kept_for_redelivery_while_the_ledger_cannot_record_it(
    moto_endpoint: str, tmp_path: Path, testdata: Path
) -> None:
    drop = make_drop(moto_endpoint, visibility_s=1)
    db = tmp_path / "ledger.db"
    with Ledger.open(f"sqlite:///{db}") as ledger:
        c = consumer(drop, ledger)
        drain(c)  # the s3:TestEvent
        drop.s3.upload_file(str(testdata / BRCA), drop.bucket, "brca-0a1b2c-somatic.tar.gz")
        with sqlite3.connect(db) as raw:  # the ledger's table vanishes: every write fails
            raw.execute("ALTER TABLE samples RENAME TO samples_away")
        failed = c.poll_once()
        assert (failed.received, failed.kept, failed.deleted) == (1, 1, 0)
        with sqlite3.connect(db) as raw:
            raw.execute("ALTER TABLE samples_away RENAME TO samples")
        # the 1 s visibility timeout ends: SQS redelivers (polled, not slept on)
        redelivered = wait_for(lambda: (r := c.poll_once()).received and r, 10, "redelivery after the visibility timeout")
        assert (redelivered.received, redelivered.deleted, len(redelivered.admitted)) == (1, 1, 1)
        assert [r.key for r in ledger.list_samples()] == ["brca-0a1b2c-somatic.tar.gz"]


def test_an_older_event_delivered_after_a_newer_one_is_acknowledged_but_not_admitted(
    drop: Drop, ledger: Ledger
) -> None:
    c = consumer(drop, ledger)
    drain(c)
    key = "brca-0a1b2c-somatic.tar.gz"
    newer = _created_record(drop.bucket, key, "bbbb", 10, "ObjectCreated:Put", sequencer="0055AED6DCD9028200")
    older = _created_record(drop.bucket, key, "aaaa", 10, "ObjectCreated:Put", sequencer="0055AED6DCD90281F0")
    drop.sqs.send_message(QueueUrl=drop.queue_url, MessageBody=json.dumps({"Records": [newer]}))
    assert len(c.poll_once().admitted) == 1
    drop.sqs.send_message(QueueUrl=drop.queue_url, MessageBody=json.dumps({"Records": [older]}))
    late = c.poll_once()
    assert (late.superseded, late.deleted, late.admitted) == (1, 1, ())
    assert [r.etag for r in ledger.list_samples()] == ["bbbb"]


def test_run_polls_until_stopped(drop: Drop, ledger: Ledger, testdata: Path) -> None:
    c = SqsConsumer(drop.queue_url, ledger, client=drop.sqs, wait_s=1)
    stop = threading.Event()
    thread = threading.Thread(target=c.run, args=(stop,))
    thread.start()
    try:
        drop.s3.upload_file(str(testdata / BRCA), drop.bucket, "brca-0a1b2c-normal.tar.gz")
        wait_for(ledger.list_samples, 10, "the upload recorded in the ledger", interval_s=0.1)
    finally:
        stop.set()
        thread.join(timeout=scaled(5))
    assert not thread.is_alive()
    [record] = ledger.list_samples()
    assert (record.kind, record.store_url) == ("normal", f"s3://{drop.bucket}")


def _created_record(
    bucket: str, key: str, etag: str, size: int, name: str, *, sequencer: str | None = None
) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": key.replace(" ", "+"), "size": size, "eTag": etag}
    if sequencer:
        obj["sequencer"] = sequencer
    return {
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-25T12:00:00.000Z", "eventName": name,
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket}, "object": obj},
    }  # fmt: skip
