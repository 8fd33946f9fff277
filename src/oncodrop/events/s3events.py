"""S3 event notifications -> typed ``S3ObjectEvent`` records (stdlib only: the Lambda ships it).

The same ``{"Records": [...]}`` JSON arrives through every route (S3 -> SQS, S3 -> Lambda,
our Lambda -> SQS, S3 -> SNS -> SQS). What we do with it, and why:

- every record is read, not only ``Records[0]`` (the system we replace lost samples that way);
- S3 URL-encodes keys with ``+`` for a space, so keys are decoded with ``unquote_plus``;
- ``s3:TestEvent`` (sent once when a notification is configured) carries no objects;
- only ``ObjectCreated:*`` records are objects to process; removals and the like are skipped;
- a body that is not an S3 notification raises ``InputRejected('bad_event')`` naming the field,
  so the consumer leaves the message for the dead-letter queue instead of dropping it;
- ``collapse`` keeps one event per object (bucket, key): the newest by ``sequencer`` (compared
  as hexadecimal numbers, as S3 defines it), falling back to ``eventTime`` where a server sends
  no sequencer. Put + CompleteMultipartUpload + Copy of one upload become one sample, and an
  older event never overrides a newer one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from oncodrop.errors import InputRejected, ReasonCode

CREATED_PREFIX = "ObjectCreated:"
TEST_EVENT = "s3:TestEvent"


@dataclass(frozen=True, slots=True)
class S3ObjectEvent:
    """One ``ObjectCreated`` record: which object version appeared, and when."""

    bucket: str
    key: str  # decoded (``a b.tar.gz``, not ``a+b.tar.gz``)
    size: int
    etag: str  # without quotes
    event_name: str  # "ObjectCreated:Put", "ObjectCreated:CompleteMultipartUpload", ...
    event_time: datetime
    version_id: str | None = None
    sequencer: str | None = None
    region: str = ""

    @property
    def object_id(self) -> tuple[str, str]:
        """What one sample is about: an object (bucket, key)."""
        return (self.bucket, self.key)

    @property
    def order(self) -> tuple[int, datetime]:
        """Sort key: sequencer first (absent sorts oldest), then the event time."""
        return (int(self.sequencer, 16) if self.sequencer else -1, self.event_time)


def parse_notification(body: str | bytes | Mapping[str, Any]) -> tuple[S3ObjectEvent, ...]:
    """Every ``ObjectCreated`` record of one notification (empty for ``s3:TestEvent``)."""
    doc = _load(body)
    if doc.get("Event") == TEST_EVENT:
        return ()
    if isinstance(doc.get("Message"), str) and "TopicArn" in doc:  # S3 -> SNS -> SQS envelope
        return parse_notification(doc["Message"])
    records = doc.get("Records")
    if not isinstance(records, list):
        raise _bad("Records", "has no 'Records' list; it is not an S3 event notification")
    events = (parse_record(record, i) for i, record in enumerate(records))
    return tuple(e for e in events if e is not None)


def parse_record(record: object, index: int = 0) -> S3ObjectEvent | None:
    """One record; None when it is not an ``ObjectCreated`` event (nothing to process)."""
    where = f"Records[{index}]"
    if not isinstance(record, Mapping):
        raise _bad(where, "is not a JSON object")
    event_name = _text(record, where, "eventName")
    if not event_name.startswith(CREATED_PREFIX):
        return None
    s3 = _mapping(record, where, "s3")
    bucket = _mapping(s3, f"{where}.s3", "bucket")
    obj = _mapping(s3, f"{where}.s3", "object")
    size = obj.get("size", 0)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _bad(f"{where}.s3.object.size", f"is {size!r}; expected a byte count")
    return S3ObjectEvent(
        bucket=_text(bucket, f"{where}.s3.bucket", "name"),
        key=unquote_plus(_text(obj, f"{where}.s3.object", "key")),
        size=size,
        etag=_text(obj, f"{where}.s3.object", "eTag").strip('"'),
        event_name=event_name,
        event_time=_time(record, where),
        version_id=_optional_text(obj, "versionId"),
        sequencer=_sequencer(obj, f"{where}.s3.object"),
        region=str(record.get("awsRegion", "")),
    )


def collapse(events: Iterable[S3ObjectEvent]) -> tuple[S3ObjectEvent, ...]:
    """The newest event per object (bucket, key), in the order objects were first seen."""
    newest: dict[tuple[str, str], S3ObjectEvent] = {}
    for event in events:
        current = newest.get(event.object_id)
        if current is None or is_newer(event, current):
            newest[event.object_id] = event
    return tuple(newest.values())


def is_newer(event: S3ObjectEvent, than: S3ObjectEvent) -> bool:
    """True if ``event`` happened after ``than`` (ties: not newer, the first one stays)."""
    return event.order > than.order


def _load(body: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputRejected(
            ReasonCode.BAD_EVENT,
            f"the message body is not JSON ({exc}); only S3 event notifications belong on this queue",
            field="body",
        ) from None
    if not isinstance(doc, dict):
        raise _bad("body", "is not a JSON object")
    return doc


def _mapping(parent: Mapping[str, Any], where: str, name: str) -> Mapping[str, Any]:
    value = parent.get(name)
    if not isinstance(value, Mapping):
        raise _bad(f"{where}.{name}", "is missing or not a JSON object")
    return value


def _text(parent: Mapping[str, Any], where: str, name: str) -> str:
    value = parent.get(name)
    if not isinstance(value, str) or not value:
        raise _bad(f"{where}.{name}", "is missing or not a non-empty string")
    return value


def _optional_text(parent: Mapping[str, Any], name: str) -> str | None:
    value = parent.get(name)
    return value if isinstance(value, str) and value and value != "null" else None


def _sequencer(obj: Mapping[str, Any], where: str) -> str | None:
    value = _optional_text(obj, "sequencer")
    if value is not None:
        try:
            int(value, 16)
        except ValueError:
            raise _bad(f"{where}.sequencer", f"is {value!r}; expected a hexadecimal string") from None
    return value


def _time(record: Mapping[str, Any], where: str) -> datetime:
    text = _text(record, where, "eventTime")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"{where}.eventTime", f"is {text!r}; expected an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise _bad(f"{where}.eventTime", f"is {text!r}; expected a time zone (e.g. 'Z')")
    return parsed


def _bad(field: str, problem: str) -> InputRejected:
    return InputRejected(
        ReasonCode.BAD_EVENT,
        f"S3 event field {field} {problem}; only S3 event notifications belong on this queue",
        field=field,
    )
