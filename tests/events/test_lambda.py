"""The Lambda handler, invoked in-process on real S3 notification records from moto, with boto3
pointed at moto's SQS and a local HTTP server standing in for StackStorm; and its packaging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import moto_fixture
import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError
from oncodrop.events.lambda_handler import handler, queue_endpoint
from oncodrop.events.lambda_package import HANDLER, build_lambda_zip
from oncodrop.events.sqs import SqsConsumer
from oncodrop.ledger import Ledger
from oncodrop.store.s3 import aws_client, s3_client

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)

BRCA = "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"
VALID = "run 7/brca-0a1b2c-somatic.tar.gz"
BAD = "run 7/brca-0a1b2c-tumour.tar.gz"
OUTPUT = "run 7/brca-0a1b2c-somatic-output.tar.gz"
API_KEY = "st2-test-key"


@dataclass
class FakeStackStorm:
    """A real HTTP server on 127.0.0.1 that records every request and answers ``status``."""

    url: str = ""
    status: int = 202
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def st2() -> Iterator[FakeStackStorm]:
    state = FakeStackStorm()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@dataclass(frozen=True)
class Cloud:
    bucket: str
    events_queue: str  # where S3 puts its notifications (we read records from it)
    work_queue: str  # where the Lambda forwards
    sqs: Any


@pytest.fixture
def cloud(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    name = f"onco-{uuid.uuid4().hex[:12]}"
    s3, sqs = s3_client(moto_endpoint), aws_client("sqs", moto_endpoint)
    events_queue = sqs.create_queue(QueueName=f"{name}-s3")["QueueUrl"]
    work_queue = sqs.create_queue(QueueName=f"{name}-work")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=events_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    monkeypatch.setenv("ONCODROP_QUEUE_URL", work_queue)
    for var in ("ONCODROP_ST2_URL", "ONCODROP_ST2_API_KEY", "ONCODROP_ST2_WEBHOOK", "ONCODROP_ST2_TRIGGER",
                "ONCODROP_ST2_API_KEY_SECRET"):
        monkeypatch.delenv(var, raising=False)
    return Cloud(name, events_queue, work_queue, sqs)


def s3_event(cloud: Cloud, testdata: Path, keys: list[str]) -> dict[str, Any]:
    """Upload ``keys`` to moto S3 and return the Lambda event S3 would send: all their records."""
    s3 = s3_client(cloud.sqs.meta.endpoint_url)
    for key in keys:
        s3.upload_file(str(testdata / BRCA), cloud.bucket, key)
    records: list[Any] = []
    while len(records) < len(keys):
        got = cloud.sqs.receive_message(QueueUrl=cloud.events_queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            records += json.loads(message["Body"]).get("Records", [])
    records.sort(key=lambda r: keys.index(unquote_plus(r["s3"]["object"]["key"])))  # upload order
    return {"Records": records}


def forwarded(cloud: Cloud) -> list[dict[str, Any]]:
    got = cloud.sqs.receive_message(
        QueueUrl=cloud.work_queue, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
    )
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def test_every_record_is_checked_and_forwarded_with_its_decision(cloud: Cloud, testdata: Path) -> None:
    event = s3_event(cloud, testdata, [VALID, BAD, OUTPUT])
    out = handler(event, None)
    decisions = [(r["key"], r["decision"]) for r in out["results"]]
    assert decisions == [(VALID, "queued"), (BAD, "rejected"), (OUTPUT, "ignored")]
    assert out["counts"] == {"queued": 1, "rejected": 1, "ignored": 1}
    rejected = out["results"][1]
    assert rejected["reason_code"] == "bad_key" and "kind 'tumour' must be one of" in rejected["message"]
    bodies = sorted(forwarded(cloud), key=lambda b: b["oncodrop"]["decision"])
    assert [b["oncodrop"]["decision"] for b in bodies] == ["queued", "rejected"]
    assert bodies[0]["oncodrop"] == {"decision": "queued", "sample_id": "brca-0a1b2c", "kind": "somatic"}
    assert bodies[0]["Records"] == [event["Records"][0]]  # the S3 record, forwarded unchanged


def test_forwarded_records_land_in_the_ledger_through_the_sqs_consumer(
    cloud: Cloud, testdata: Path, tmp_path: Path
) -> None:
    handler(s3_event(cloud, testdata, [VALID, BAD]), None)
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        result = SqsConsumer(cloud.work_queue, ledger, client=cloud.sqs, wait_s=0).poll_once()
        assert result.deleted == 2
        states = {r.key: (r.state, r.reason_code) for r in ledger.list_samples()}
    assert states == {VALID: (SampleState.QUEUED, None), BAD: (SampleState.REJECTED, "bad_key")}


def test_stackstorm_gets_the_exact_webhook_call(
    cloud: Cloud, testdata: Path, st2: FakeStackStorm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCODROP_ST2_URL", st2.url + "/")
    monkeypatch.setenv("ONCODROP_ST2_API_KEY", API_KEY)
    event = s3_event(cloud, testdata, [VALID])
    out = handler(event, None)
    assert out["results"][0]["webhook"] == "sent"
    [(path, headers, body)] = st2.requests
    assert path == "/api/v1/webhooks/st2"
    assert headers["St2-Api-Key"] == API_KEY and headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert sent["trigger"] == "oncodrop.s3_object"
    record = event["Records"][0]
    assert sent["payload"] == {
        "bucket": cloud.bucket, "key": VALID, "etag": record["s3"]["object"]["eTag"], "size": 5682,
        "event_name": "ObjectCreated:Put", "event_time": sent["payload"]["event_time"],
        "decision": "queued", "sample_id": "brca-0a1b2c", "kind": "somatic",
    }  # fmt: skip


def test_on_aws_the_stackstorm_key_comes_from_secrets_manager_not_the_environment(
    cloud: Cloud, testdata: Path, st2: FakeStackStorm, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = cloud.sqs.meta.endpoint_url
    secrets = aws_client("secretsmanager", endpoint)
    arn = secrets.create_secret(Name=f"{cloud.bucket}-st2", SecretString=json.dumps({"key": "from-the-vault"}))["ARN"]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint)  # boto3's per-service endpoint variable
    monkeypatch.setenv("ONCODROP_ST2_URL", st2.url)
    monkeypatch.setenv("ONCODROP_ST2_API_KEY_SECRET", arn)
    out = handler(s3_event(cloud, testdata, [VALID]), None)
    assert out["results"][0]["webhook"] == "sent"
    [(_, headers, _)] = st2.requests
    assert headers["St2-Api-Key"] == "from-the-vault"
    assert "from-the-vault" not in json.dumps(out)


def test_a_failing_webhook_is_reported_but_the_record_is_still_queued(
    cloud: Cloud, testdata: Path, st2: FakeStackStorm, monkeypatch: pytest.MonkeyPatch
) -> None:
    st2.status = 500
    monkeypatch.setenv("ONCODROP_ST2_URL", st2.url)
    monkeypatch.setenv("ONCODROP_ST2_WEBHOOK", "oncodrop")
    out = handler(s3_event(cloud, testdata, [VALID]), None)
    assert out["results"][0]["webhook"] == "failed: HTTP 500"
    assert [p for p, _, _ in st2.requests] == ["/api/v1/webhooks/oncodrop"]
    assert len(forwarded(cloud)) == 1


def test_a_malformed_record_is_a_result_not_an_exception(cloud: Cloud, testdata: Path) -> None:
    event = s3_event(cloud, testdata, [VALID])
    no_bucket = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {}, "object": {"key": "k", "eTag": "e"}}}
    event["Records"].insert(0, no_bucket)
    event["Records"].append({"eventName": "ObjectRemoved:Delete"})
    out = handler(event, None)
    assert [r["decision"] for r in out["results"]] == ["malformed", "queued", "skipped"]
    assert "Records[0].s3.bucket.name" in out["results"][0]["message"]
    assert handler({"not": "an s3 event"}, None)["counts"] == {"malformed": 1}


def test_without_a_queue_url_a_sample_is_a_config_error_but_ignored_keys_pass(
    cloud: Cloud, testdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = s3_event(cloud, testdata, [OUTPUT, VALID])
    monkeypatch.delenv("ONCODROP_QUEUE_URL")
    with pytest.raises(ConfigError, match="ONCODROP_QUEUE_URL is not set"):
        handler(event, None)  # raised, so Lambda retries the event instead of losing it
    outputs_only = [r for r in event["Records"] if r["s3"]["object"]["key"].endswith("-output.tar.gz")]
    assert handler({"Records": outputs_only}, None)["counts"] == {"ignored": 1}


def test_queue_endpoint_is_the_queue_host_and_aws_hosts_give_the_region() -> None:
    assert queue_endpoint("https://sqs.eu-west-1.amazonaws.com/123456789012/drop") == (
        "https://sqs.eu-west-1.amazonaws.com", "eu-west-1",
    )  # fmt: skip
    assert queue_endpoint("http://127.0.0.1:5000/123456789012/drop") == ("http://127.0.0.1:5000", None)


def test_the_package_holds_only_the_handler_and_the_stdlib_modules_it_imports(tmp_path: Path) -> None:
    first = build_lambda_zip(tmp_path / "a.zip")
    assert first.handler == HANDLER == "oncodrop.events.lambda_handler.handler"
    assert set(first.members) == {
        "oncodrop/__init__.py", "oncodrop/errors.py", "oncodrop/naming.py",
        "oncodrop/events/__init__.py", "oncodrop/events/lambda_handler.py", "oncodrop/events/s3events.py",
        "oncodrop/domain/__init__.py", "oncodrop/domain/kind.py",
    }  # fmt: skip
    assert first.size < 50_000
    again = build_lambda_zip(tmp_path / "b.zip")
    assert again.sha256 == first.sha256  # reproducible bytes


def test_the_packaged_handler_runs_without_the_installed_oncodrop(
    cloud: Cloud, testdata: Path, tmp_path: Path
) -> None:
    """Unzip as Lambda does and invoke it in a Python that sees only the zip and boto3."""
    built = build_lambda_zip(tmp_path / "fn.zip")
    task = tmp_path / "task"
    with zipfile.ZipFile(built.path) as archive:
        archive.extractall(task)
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(s3_event(cloud, testdata, [VALID])))
    script = (
        "import json, sys; sys.path[:0] = [sys.argv[1]]; sys.path.append(sys.argv[2]);"
        "from oncodrop.events.lambda_handler import handler;"
        "out = handler(json.load(open(sys.argv[3])), None);"
        "print(json.dumps({'out': out, 'files': sorted(m.__file__ for n, m in sys.modules.items()"
        " if n.startswith('oncodrop'))}))"
    )
    site_packages = sysconfig.get_paths()["purelib"]  # boto3 only: -S skips the editable .pth
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(task), site_packages, str(event_file)],
        check=False, capture_output=True, text=True, timeout=60, env={**os.environ},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["out"]["counts"] == {"queued": 1}
    assert all(f.startswith(str(task)) for f in report["files"]) and len(report["files"]) == 8


def test_packaging_refuses_a_module_that_needs_more_than_lambda_has(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"settings/\w+\.py:\d+ imports 'pydantic"):
        build_lambda_zip(tmp_path / "x.zip", root_module="oncodrop.settings")
    assert not (tmp_path / "x.zip").exists()


def test_oncodrop_lambda_package_writes_the_zip(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "oncodrop-lambda.zip"
    result = CliRunner().invoke(main, ["lambda", "package", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Lambda handler: oncodrop.events.lambda_handler.handler" in result.output
    with zipfile.ZipFile(out) as archive:
        assert "oncodrop/events/lambda_handler.py" in archive.namelist()
        assert not [n for n in archive.namelist() if n.startswith(("boto3", "botocore"))]
