"""``oncodrop demo --cloud``: the whole cloud loop on this machine, AWS played by moto_server.

moto_server on 127.0.0.1 (free port) → a bucket whose ObjectCreated notifications go to an SQS
queue with a dead-letter queue (redrive) → ``serve --events sqs`` admits them → local workers,
or Celery workers on a throw-away redis-server with ``--executor celery`` → outputs uploaded
into the bucket → a webhook notification per sample, caught by a local HTTP listener, carrying
a presigned link. Every server is started here and stopped by its PID; fake AWS credentials
live only in this process's environment while the demo runs.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from rich.console import Console
from rich.table import Table

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.run import (
    DemoResult,
    conclude,
    drop_and_wait,
    fresh_root,
    in_workdir,
    progress_bar,
)
from oncodrop.demo.samples import make_demo_samples
from oncodrop.demo.servers import check_servers, moto_server, redis_server
from oncodrop.service.embedded import EmbeddedService
from oncodrop.settings import Settings
from oncodrop.store.s3 import S3Store, aws_client, s3_client

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}  # fmt: skip
MAX_RECEIVES = 3


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set env variables for the demo's duration (worker processes inherit them), then restore."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True, slots=True)
class CloudDrop:
    """A bucket whose ObjectCreated events reach ``queue_url``; poison messages go to ``dlq_url``."""

    bucket: str
    queue_url: str
    dlq_url: str


def create_drop(endpoint: str, name: str) -> CloudDrop:
    """Bucket + queue + DLQ (redrive) + bucket notification, as deploy/aws/oncodrop.yaml makes them."""
    s3, sqs = s3_client(endpoint), aws_client("sqs", endpoint)
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    queue_url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )  # fmt: skip
    return CloudDrop(name, queue_url, dlq_url)


class WebhookListener:
    """A local HTTP endpoint standing in for the lab's webhook receiver; keeps the JSON bodies."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    received.append(json.loads(body))
                except ValueError:
                    pass
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.received = received
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/oncodrop"
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def run_cloud_demo(workdir: Path | None, *, workers: int = 2, timeout_s: float = 300, executor: str = "local",
                   console: Console | None = None) -> int:  # fmt: skip
    """The whole cloud loop on demo samples; exit status 0 only when every expectation held."""
    check_servers(redis=executor == "celery")  # before a minute of set-up, not after it
    console = console or Console()
    return in_workdir(workdir, console, lambda root: _run(root, workers, timeout_s, executor, console))


def _run(root: Path, workers: int, timeout_s: float, executor: str, console: Console) -> DemoResult:
    fresh_root(root)
    with progress_bar(console) as progress, tempfile.TemporaryDirectory(prefix="oncodrop-broker-") as broker_dir:
        task = progress.add_task("building the demo reference bundle (offline)", total=None)
        bundle = build_demo_bundle(root / "bundle")
        progress.update(task, description="generating demo tarballs")
        samples = make_demo_samples(root / "inbox", bundle)
        progress.update(task, description="starting moto_server (S3 + SQS) on 127.0.0.1")
        with moto_server() as endpoint, environment(FAKE_AWS), \
                WebhookListener() as webhook, _broker(executor, Path(broker_dir)) as broker_url:  # fmt: skip
            drop = create_drop(endpoint, f"oncodrop-demo-{uuid.uuid4().hex[:8]}")
            (root / "work").mkdir(mode=0o700)
            settings = Settings.load(
                None, store=f"s3://{drop.bucket}", db=f"sqlite:///{root / 'oncodrop.db'}", bundle=bundle,
                workers=workers, lease_s=30, job_timeout_s=600, workdir=root / "work", events="sqs",
                queue_url=drop.queue_url, executor=executor, celery__broker_url=broker_url,
                celery__sweep_interval_s=1, notify__webhook_url=webhook.url, notify__backoff_s=0.2,
                aws__s3_endpoint_url=endpoint,
            )  # fmt: skip
            store = S3Store(drop.bucket, client=s3_client(endpoint))
            progress.update(task, description=f"starting the service ({executor} workers, events from SQS)")
            with EmbeddedService(settings) as service:
                service.sqs_wait_s = 1
                finished, records = drop_and_wait(service, store, samples, timeout_s, progress, task)
                service.wait_notified(timeout_s=10)  # the service's notifier loop delivers the outbox
            _wait_for_notifications(webhook, len(samples), timeout_s=10)
            result = conclude(console, samples, records, store, finished, timeout_s, root / "reports")
            _show_bucket(console, store, drop)
            _show_notifications(console, webhook.received)
    return result


@contextmanager
def _broker(executor: str, workdir: Path) -> Iterator[str | None]:
    if executor != "celery":
        yield None
        return
    with redis_server(workdir) as url:
        yield url


def _wait_for_notifications(webhook: WebhookListener, expected: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while len(webhook.received) < expected and time.monotonic() < deadline:
        time.sleep(0.1)


def _show_bucket(console: Console, store: S3Store, drop: CloudDrop) -> None:
    table = Table("key", "bytes", title=f"objects in s3://{drop.bucket}")
    for obj in store.list():
        table.add_row(obj.key, str(obj.size))
    console.print(table)


def _show_notifications(console: Console, received: list[dict[str, Any]]) -> None:
    for body in received:
        output = body.get("output") or {}
        link = output.get("link")
        where = f" → {link}" if link else ""
        console.print(f"notified: {body.get('state')} {body.get('key')}{where}", highlight=False, soft_wrap=True)
