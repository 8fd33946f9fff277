"""Consume S3 event notifications from an SQS queue into the ledger, losing nothing.

One ``poll_once``:

1. long-polls the queue (``WaitTimeSeconds``) for up to 10 messages;
2. parses every record of every message (``oncodrop.events.s3events``). A message that is not
   an S3 notification is *not* deleted: it is made visible again at once, so after the queue's
   ``maxReceiveCount`` receives the redrive policy moves it to the dead-letter queue, where a
   person can look at it. It is never silently dropped;
3. collapses the batch to the newest event per object (Put + CompleteMultipartUpload + Copy of
   one upload -> one sample) and skips events older than one already admitted by this consumer
   (``sequencer`` order), so an older event never overrides a newer one;
4. hands each remaining event to ``oncodrop.events.admission.admit``, the one place that turns
   an object into ledger state (idempotent on store, key, etag: redeliveries change nothing);
5. deletes a message only when the ledger has recorded every object it mentions. If admission
   fails (ledger down), the message stays and SQS redelivers it after its visibility timeout.

Keys are bucket-relative, so ``store_url_for_bucket`` maps a bucket to a prefix-less store URL
(default ``s3://bucket``). The SQS API is reached at the queue URL's own host (AWS or moto
alike) unless ``endpoint_url`` (setting ``aws.sqs_endpoint_url``) names another (a VPC endpoint, say).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import InputRejected, OncodropError, TransientError
from oncodrop.events.admission import admit
from oncodrop.events.lambda_handler import queue_endpoint
from oncodrop.events.s3events import (
    S3ObjectEvent,
    collapse,
    is_newer,
    parse_notification,
)
from oncodrop.ledger import Ledger
from oncodrop.store.base import ObjectInfo
from oncodrop.store.s3 import aws_client, aws_errors

log = logging.getLogger(__name__)

StoreUrlFor = Callable[[str], str]
MAX_MESSAGES = 10  # the SQS maximum per receive
LONG_POLL_S = 20  # the SQS maximum wait; an idle consumer costs one request per 20 s


def bucket_store_url(bucket: str) -> str:
    """The default mapping: the whole bucket is the store, keys are bucket-relative."""
    return f"s3://{bucket}"


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll did, for logs, metrics and tests."""

    received: int = 0
    deleted: int = 0
    admitted: tuple[SampleRecord, ...] = ()
    superseded: int = 0  # events older than one already admitted: acknowledged, not admitted
    undeliverable: int = 0  # not S3 notifications: left for the dead-letter queue
    kept: int = 0  # admission failed: left for redelivery


@dataclass(frozen=True, slots=True)
class _Message:
    receipt: str
    message_id: str
    events: tuple[S3ObjectEvent, ...]


class SqsConsumer:
    """Moves S3 event notifications from ``queue_url`` into ``ledger`` (see module docstring)."""

    def __init__(
        self,
        queue_url: str,
        ledger: Ledger,
        store_url_for_bucket: StoreUrlFor = bucket_store_url,
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        wait_s: int = LONG_POLL_S,
        max_messages: int = MAX_MESSAGES,
        remember: int = 10_000,
    ) -> None:
        self.queue_url = queue_url
        self.ledger = ledger
        self.store_url_for_bucket = store_url_for_bucket
        self.wait_s = wait_s
        self.max_messages = max_messages
        self._client = client if client is not None else _client_for(queue_url, endpoint_url)
        self._remember = remember
        self._newest: OrderedDict[tuple[str, str], S3ObjectEvent] = OrderedDict()

    def poll_once(self) -> PollResult:
        """Receive one batch, record it in the ledger, delete what was recorded."""
        with aws_errors(f"receive from {self.queue_url}"):
            response = self._client.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=self.max_messages,
                WaitTimeSeconds=self.wait_s, AttributeNames=["ApproximateReceiveCount"],
            )  # fmt: skip
        raw = response.get("Messages", [])
        messages, undeliverable = self._parse(raw)
        recorded, admitted, superseded = self._admit(messages)
        done = [m for m in messages if all(e.object_id in recorded for e in m.events)]
        for kept in (m for m in messages if m not in done):
            log.info("message %s kept: SQS redelivers it after its visibility timeout", kept.message_id)
        deleted = self._delete(done)
        return PollResult(
            received=len(raw), deleted=deleted, admitted=tuple(admitted), superseded=superseded,
            undeliverable=undeliverable, kept=len(messages) - len(done),
        )  # fmt: skip

    def run(self, stop: threading.Event, *, backoff_s: float = 5.0) -> None:
        """Poll until ``stop`` is set; queue or ledger hiccups are logged and retried."""
        while not stop.is_set():
            try:
                self.poll_once()
            except TransientError as exc:
                log.warning("polling %s failed, will retry: %s", self.queue_url, exc.message)
                stop.wait(backoff_s)

    def _parse(self, raw: Sequence[dict[str, Any]]) -> tuple[list[_Message], int]:
        messages: list[_Message] = []
        undeliverable = 0
        for item in raw:
            try:
                events = parse_notification(item.get("Body", ""))
            except InputRejected as exc:
                undeliverable += 1
                receives = item.get("Attributes", {}).get("ApproximateReceiveCount", "?")
                log.warning(
                    "message %s is not an S3 notification (%s, receive %s); left for the dead-letter queue",
                    item.get("MessageId"), exc.rejection.field, receives,
                )  # fmt: skip
                self._release(item["ReceiptHandle"])
                continue
            messages.append(_Message(item["ReceiptHandle"], item.get("MessageId", ""), events))
        return messages, undeliverable

    def _admit(self, messages: Sequence[_Message]) -> tuple[set[tuple[str, str]], list[SampleRecord], int]:
        """Admit the newest event per object; returns the objects now safely recorded."""
        recorded: set[tuple[str, str]] = set()
        admitted: list[SampleRecord] = []
        superseded = 0
        for event in collapse(e for m in messages for e in m.events):
            known = self._newest.get(event.object_id)
            if known is not None and is_newer(known, event):
                superseded += 1
                recorded.add(event.object_id)  # the newer version is already in the ledger
                continue
            try:
                record = admit(_object_info(event), store_url=self.store_url_for_bucket(event.bucket),
                               ledger=self.ledger)  # fmt: skip
            except OncodropError as exc:
                log.warning("recording %s failed, message kept for redelivery: %s", event.key, exc.message)
                continue
            recorded.add(event.object_id)
            self._remember_newest(event)
            if record is not None:
                admitted.append(record)
        return recorded, admitted, superseded

    def _delete(self, messages: Sequence[_Message]) -> int:
        if not messages:
            return 0
        entries = [{"Id": str(i), "ReceiptHandle": m.receipt} for i, m in enumerate(messages)]
        with aws_errors(f"delete from {self.queue_url}"):
            response = self._client.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        for failure in response.get("Failed", []):  # redelivered later: harmless, the ledger dedupes
            log.warning("could not delete message %s: %s", failure.get("Id"), failure.get("Code"))
        return len(response.get("Successful", []))

    def _release(self, receipt: str) -> None:
        """Make a poison message visible again now, so it reaches the DLQ without waiting."""
        try:
            with aws_errors(f"release a message of {self.queue_url}"):
                self._client.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=0
                )
        except TransientError as exc:  # it becomes visible anyway when its timeout ends
            log.warning("could not release a message: %s", exc.message)

    def _remember_newest(self, event: S3ObjectEvent) -> None:
        self._newest[event.object_id] = event
        self._newest.move_to_end(event.object_id)
        while len(self._newest) > self._remember:
            self._newest.popitem(last=False)


def _object_info(event: S3ObjectEvent) -> ObjectInfo:
    modified: datetime = event.event_time
    return ObjectInfo(key=event.key, size=event.size, etag=event.etag, modified=modified)


def _client_for(queue_url: str, endpoint_url: str | None) -> Any:
    endpoint, region = queue_endpoint(queue_url)
    return aws_client("sqs", endpoint_url or endpoint, region=region)
