"""AWS Lambda entry point: S3 ObjectCreated -> check every key -> SQS (+ a StackStorm webhook).

``handler(event, context)`` reads every record (not only ``Records[0]``) and decides per key
with ``oncodrop.naming.classify_key``:

- a valid sample key is forwarded to the queue as an S3 notification of that one record, so
  the SQS consumer treats it exactly like a direct S3 -> SQS event;
- a key that breaks the naming convention is forwarded too, marked ``rejected`` with the
  reason: the consumer's admission records the rejection in the ledger and notifies the user.
  It is a result, never an exception;
- our own outputs and non-tarballs are ignored (nothing sent).

Optionally each forwarded record is also POSTed to a StackStorm webhook
(``POST {ONCODROP_ST2_URL}/api/v1/webhooks/{ONCODROP_ST2_WEBHOOK}`` with header ``St2-Api-Key``
and body ``{"trigger": ..., "payload": {...}}``). The webhook is advisory: its failure is
reported in the results and logged, not raised. A failure to reach SQS *is* raised, so Lambda
retries the event; the ledger makes the resent records harmless.

Imports are kept to the standard library, boto3 (the Lambda runtime ships it) and the small
stdlib-only ``oncodrop.naming`` / ``oncodrop.events.s3events``, so the deployed zip stays tiny.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from oncodrop.errors import ConfigError, InputRejected, Rejection
from oncodrop.events.s3events import S3ObjectEvent, parse_record
from oncodrop.naming import Ignored, SampleKey, classify_key

log = logging.getLogger(__name__)

QUEUE_URL_ENV = "ONCODROP_QUEUE_URL"
ST2_URL_ENV = "ONCODROP_ST2_URL"
ST2_API_KEY_ENV = "ONCODROP_ST2_API_KEY"  # off AWS only: on AWS the key stays in Secrets Manager
ST2_API_KEY_SECRET_ENV = "ONCODROP_ST2_API_KEY_SECRET"  # the ARN of the secret holding the key
ST2_WEBHOOK_ENV = "ONCODROP_ST2_WEBHOOK"
ST2_TRIGGER_ENV = "ONCODROP_ST2_TRIGGER"
WEBHOOK_TIMEOUT_S = 5.0
_AWS_SQS_HOST = re.compile(r"sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")

# StackStorm answers 202 Accepted; any status here counts as delivered, others as "failed: HTTP n"
ST2_OK = frozenset({200, 201, 202})


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    """Where the handler sends things; read from the Lambda's environment on every call."""

    queue_url: str | None = None
    st2_url: str | None = None
    st2_api_key: str | None = field(default=None, repr=False)
    st2_webhook: str = "st2"  # StackStorm's generic webhook takes {"trigger", "payload"} bodies
    st2_trigger: str = "oncodrop.s3_object"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> HandlerConfig:
        secret_arn = env.get(ST2_API_KEY_SECRET_ENV) or None
        return cls(
            queue_url=env.get(QUEUE_URL_ENV) or None,
            st2_url=env.get(ST2_URL_ENV) or None,
            st2_api_key=_st2_key(env, secret_arn),
            st2_webhook=env.get(ST2_WEBHOOK_ENV) or "st2",
            st2_trigger=env.get(ST2_TRIGGER_ENV) or "oncodrop.s3_object",
        )


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What happened to one record of the event (JSON-ready through ``as_json``)."""

    index: int
    decision: str  # queued | rejected | ignored | skipped | malformed
    bucket: str | None = None
    key: str | None = None
    etag: str | None = None
    reason_code: str | None = None
    message: str | None = None
    sqs_message_id: str | None = None
    webhook: str | None = None  # None: not configured; "sent" | "failed: ..."

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def handler(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """The Lambda entry point (``oncodrop.events.lambda_handler.handler``)."""
    config = HandlerConfig.from_env()
    sqs = sqs_client(config.queue_url) if config.queue_url else None
    return handle(event, config, sqs=sqs)


def handle(event: Mapping[str, Any], config: HandlerConfig, *, sqs: Any = None) -> dict[str, Any]:
    """Process every record of ``event``; returns ``{"results": [...], "counts": {...}}``."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        log.error("event has no Records list; nothing processed")
        return _summary([RecordResult(0, "malformed", message="the event has no 'Records' list")])
    results = [_one(i, raw, config, sqs) for i, raw in enumerate(records)]
    return _summary(results)


def _st2_key(env: Mapping[str, str], secret_arn: str | None) -> str | None:
    if secret_arn and env.get(ST2_URL_ENV):
        return st2_key_from_secret(secret_arn)
    return env.get(ST2_API_KEY_ENV) or None


_SECRETS: dict[str, str] = {}  # secret ARN -> value, kept for the life of a warm Lambda


def st2_key_from_secret(secret_arn: str) -> str:
    """The StackStorm API key from Secrets Manager (the Lambda role may read only that secret),
    read once per warm Lambda; a plain string or JSON ``{"key": …}``."""
    if secret_arn not in _SECRETS:
        try:
            text = boto3.session.Session().client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
        except (BotoCoreError, ClientError) as exc:  # the Lambda fails, the event is retried
            raise ConfigError(f"cannot read the StackStorm key secret {secret_arn}: {type(exc).__name__}") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = text
        _SECRETS[secret_arn] = str(data.get("key", "")) if isinstance(data, dict) else str(text)
    return _SECRETS[secret_arn]


def queue_endpoint(queue_url: str) -> tuple[str, str | None]:
    """(endpoint URL, region) for a queue URL: the queue's own host serves its API, on AWS and
    on stand-ins alike (moto, ElasticMQ); the region is read from AWS host names."""
    parts = urlsplit(queue_url)
    match = _AWS_SQS_HOST.match(parts.hostname or "")
    return f"{parts.scheme}://{parts.netloc}", (match.group(1) if match else None)


def sqs_client(queue_url: str) -> Any:
    """A boto3 SQS client that talks to the host of ``queue_url``."""
    endpoint, region = queue_endpoint(queue_url)
    session = boto3.session.Session()
    return session.client(
        "sqs", endpoint_url=endpoint, region_name=region or session.region_name or "us-east-1"
    )


def _one(index: int, raw: object, config: HandlerConfig, sqs: Any) -> RecordResult:
    try:
        event = parse_record(raw, index)
    except InputRejected as exc:
        log.error("record %d is not an S3 event record: %s", index, exc.rejection.field)
        return RecordResult(index, "malformed", reason_code=exc.reason_code, message=exc.message)
    if event is None:
        return RecordResult(index, "skipped", message="not an ObjectCreated event")
    where = {"bucket": event.bucket, "key": event.key, "etag": event.etag}
    decision = classify_key(event.key)
    if isinstance(decision, Ignored):
        return RecordResult(index, "ignored", message=decision.reason, **where)
    if sqs is None:
        raise ConfigError(f"{QUEUE_URL_ENV} is not set, so the Lambda cannot forward {event.key!r}; set it")
    note = _note(decision)
    body = json.dumps({"Records": [raw], "oncodrop": note}, sort_keys=True)
    sent = sqs.send_message(
        QueueUrl=config.queue_url, MessageBody=body,
        MessageAttributes={"oncodrop-decision": {"DataType": "String", "StringValue": note["decision"]}},
    )  # fmt: skip
    log.info("%s %s", note["decision"], event.key)
    webhook = _notify_st2(config, event, note) if config.st2_url else None
    return RecordResult(
        index, note["decision"], reason_code=note.get("reason_code"), message=note.get("message"),
        sqs_message_id=sent.get("MessageId"), webhook=webhook, **where,
    )  # fmt: skip


def _note(decision: SampleKey | Rejection) -> dict[str, str]:
    """The ``oncodrop`` annotation added to a forwarded record."""
    if isinstance(decision, SampleKey):
        return {"decision": "queued", "sample_id": decision.sample_id, "kind": decision.kind}
    return {"decision": "rejected", "reason_code": decision.reason_code, "message": decision.message}


def st2_request(config: HandlerConfig, event: S3ObjectEvent, note: Mapping[str, str]) -> tuple[str, dict[str, str], bytes]:
    """The StackStorm webhook call for one record: (URL, headers, JSON body)."""
    if not config.st2_url:
        raise ConfigError(f"{ST2_URL_ENV} is not set; there is no StackStorm to call")
    url = f"{config.st2_url.rstrip('/')}/api/v1/webhooks/{config.st2_webhook}"
    headers = {"Content-Type": "application/json"}
    if config.st2_api_key:
        headers["St2-Api-Key"] = config.st2_api_key
    payload = {
        "bucket": event.bucket, "key": event.key, "etag": event.etag, "size": event.size,
        "event_name": event.event_name, "event_time": event.event_time.isoformat(), **note,
    }  # fmt: skip
    body = json.dumps({"trigger": config.st2_trigger, "payload": payload}, sort_keys=True).encode()
    return url, headers, body


def _notify_st2(config: HandlerConfig, event: S3ObjectEvent, note: Mapping[str, str]) -> str:
    url, headers, body = st2_request(config, event, note)
    try:
        status = _post_json(url, headers, body)
    except OSError as exc:
        log.warning("StackStorm webhook for %s failed: %s", event.key, type(exc).__name__)
        return f"failed: {type(exc).__name__}"
    if status in ST2_OK:
        return "sent"
    log.warning("StackStorm webhook for %s answered HTTP %d", event.key, status)
    return f"failed: HTTP {status}"


def _post_json(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _summary(results: list[RecordResult]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.decision] = counts.get(result.decision, 0) + 1
    return {"results": [r.as_json() for r in results], "counts": counts}
