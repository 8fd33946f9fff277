"""Parsing S3 event notifications (the JSON layout AWS documents, version 2.1) into typed records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from oncodrop.errors import InputRejected
from oncodrop.events.s3events import collapse, parse_notification, parse_record


def record(
    key: str,
    *,
    name: str = "ObjectCreated:Put",
    etag: str = "0123456789abcdef0123456789abcdef",
    sequencer: str | None = "0055AED6DCD90281E5",
    time: str = "2026-11-25T12:00:00.000Z",
    size: int = 5682,
    bucket: str = "lab-drop",
) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": key, "size": size, "eTag": etag}
    if sequencer is not None:
        obj["sequencer"] = sequencer
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-west-1",
        "eventTime": time,
        "eventName": name,
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket}, "object": obj},
    }


def test_every_record_is_read_with_url_decoded_keys() -> None:
    body = json.dumps(
        {
            "Records": [
                record("run+42/brca-0a1b2c-somatic.tar.gz"),
                record("coad%2Bx-0a1b2d-normal.tar.gz", etag='"fedcba98765432100123456789abcdef"'),
                record("caf%C3%A9-0a1b2e-somatic.tar.gz"),
            ]
        }
    )
    events = parse_notification(body)
    assert [e.key for e in events] == [
        "run 42/brca-0a1b2c-somatic.tar.gz",
        "coad+x-0a1b2d-normal.tar.gz",
        "café-0a1b2e-somatic.tar.gz",
    ]
    assert events[1].etag == "fedcba98765432100123456789abcdef"  # quotes stripped
    assert events[0].bucket == "lab-drop" and events[0].size == 5682 and events[0].region == "eu-west-1"
    assert events[0].event_time == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_the_s3_test_event_carries_no_objects() -> None:
    body = '{"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-25T12:02:01.997Z", "Bucket": "lab-drop"}'
    assert parse_notification(body) == ()


def test_only_object_created_records_are_objects_to_process() -> None:
    events = parse_notification(
        {"Records": [record("a-0a1b2c-somatic.tar.gz", name="ObjectRemoved:Delete"), record("b-0a1b2c-somatic.tar.gz")]}
    )
    assert [e.key for e in events] == ["b-0a1b2c-somatic.tar.gz"]
    assert parse_record(record("x", name="ObjectRestore:Completed")) is None


def test_a_notification_wrapped_by_sns_is_unwrapped() -> None:
    inner = json.dumps({"Records": [record("brca-0a1b2c-somatic.tar.gz")]})
    envelope = {"Type": "Notification", "TopicArn": "arn:aws:sns:eu-west-1:1:drop", "Message": inner}
    assert [e.key for e in parse_notification(json.dumps(envelope))] == ["brca-0a1b2c-somatic.tar.gz"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("this is not json", "body"),
        ("[1, 2]", "body"),
        ('{"hello": "world"}', "Records"),
        ('{"Records": ["x"]}', "Records[0]"),
    ],
)
def test_a_body_that_is_not_a_notification_is_rejected_naming_the_field(body: str, field: str) -> None:
    with pytest.raises(InputRejected) as info:
        parse_notification(body)
    assert info.value.reason_code == "bad_event" and info.value.rejection.field == field


def test_a_broken_record_is_rejected_naming_its_position_and_field() -> None:
    broken = record("b-0a1b2c-somatic.tar.gz")
    del broken["s3"]["object"]["eTag"]
    with pytest.raises(InputRejected, match=r"Records\[1\]\.s3\.object\.eTag"):
        parse_notification({"Records": [record("a-0a1b2c-somatic.tar.gz"), broken]})
    bad_seq = record("c-0a1b2c-somatic.tar.gz", sequencer="not-hex")
    with pytest.raises(InputRejected, match="sequencer"):
        parse_notification({"Records": [bad_seq]})


def test_put_multipart_completion_and_copy_of_one_object_collapse_to_the_newest() -> None:
    key = "brca-0a1b2c-somatic.tar.gz"
    events = parse_notification(
        {
            "Records": [
                record(key, name="ObjectCreated:CompleteMultipartUpload", etag="aa-2", sequencer="0055AED6DCD90281E6"),
                record(key, name="ObjectCreated:Put", etag="aa-2", sequencer="0055AED6DCD90281E5"),
                record(key, name="ObjectCreated:Copy", etag="bb", sequencer="0055AED6DCD90281F0"),
                record("other-0a1b2c-normal.tar.gz", sequencer="0055AED6DCD90281E1"),
            ]
        }
    )
    kept = collapse(events)
    assert [(e.key, e.event_name, e.etag) for e in kept] == [
        (key, "ObjectCreated:Copy", "bb"),
        ("other-0a1b2c-normal.tar.gz", "ObjectCreated:Put", "0123456789abcdef0123456789abcdef"),
    ]


def test_an_older_event_arriving_later_never_overrides_a_newer_one() -> None:
    key = "brca-0a1b2c-somatic.tar.gz"
    newer = parse_record(record(key, etag="new", sequencer="0A"))
    older = parse_record(record(key, etag="old", sequencer="9"))  # shorter hex, smaller number
    assert newer is not None and older is not None
    assert collapse([newer, older]) == (newer,)
    assert collapse([older, newer]) == (newer,)


def test_without_a_sequencer_the_event_time_orders_events() -> None:
    key = "brca-0a1b2c-somatic.tar.gz"
    first = parse_record(record(key, etag="e1", sequencer=None, time="2026-11-25T12:00:00.100Z"))
    second = parse_record(record(key, etag="e2", sequencer=None, time="2026-11-25T12:00:00.200Z"))
    assert first is not None and second is not None
    assert collapse([second, first]) == (second,)
