"""``oncodrop fleet run | status | worker`` against moto's EC2 and a real SQLite ledger."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fleet_jobs import queue_sample
from imds_fake import FakeImds

from oncodrop.cli import main
from oncodrop.ledger import Ledger
from oncodrop.store.s3 import aws_client


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url) as ledger:
        for n in range(1, 4):
            queue_sample(ledger, n)
    return url


@pytest.fixture
def ec2_args(moto_endpoint: str) -> list[str]:
    ec2 = aws_client("ec2", moto_endpoint)
    image_id = ec2.describe_images()["Images"][0]["ImageId"]
    name = f"cli-worker-{uuid.uuid4().hex[:8]}"
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": image_id, "InstanceType": "t3.large"})
    return ["--provider", "ec2", "--launch-template", name, "--fleet-name", name, "--endpoint-url", moto_endpoint]


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, ["fleet", *args])
    return result


def test_status_shows_backlog_and_the_next_decision_without_acting(db: str, ec2_args: list[str]) -> None:
    result = invoke("status", "--db", db, *ec2_args, "--max", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["backlog"], data["running"], data["workers"]) == (3, 0, [])
    assert data["decision"] == {"rule": "scale up", "wanted": 2, "start": 2, "stop": []}
    again = json.loads(invoke("status", "--db", db, *ec2_args, "--max", "2", "--json").stdout)
    assert again["workers"] == []


def test_run_once_starts_spot_workers_that_status_then_lists(db: str, ec2_args: list[str]) -> None:
    result = invoke("run", "--db", db, *ec2_args, "--max", "1", "--once")
    assert result.exit_code == 0, result.output
    assert "backlog 3, running 0, workers 0: scale up; started 1" in result.output
    data = json.loads(invoke("status", "--db", db, *ec2_args, "--max", "1", "--json").stdout)
    assert len(data["workers"]) == 1 and data["workers"][0]["id"].startswith("i-")
    assert data["decision"]["rule"] == "steady"


def test_ec2_without_a_launch_template_says_which_option_to_pass(db: str, moto_endpoint: str) -> None:
    result = invoke("run", "--db", db, "--provider", "ec2", "--endpoint-url", moto_endpoint, "--once")
    assert result.exit_code == 1
    assert "pass --launch-template" in result.output


def test_run_once_with_local_workers_is_a_usage_error(db: str) -> None:
    result = invoke("run", "--db", db, "--once")
    assert result.exit_code == 2 and "--once needs --provider ec2" in result.output


def test_fleet_worker_exits_zero_once_its_workers_are_idle(
    db: str, tmp_path: Path, demo_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(db) as ledger:  # nothing to do: the queued samples are out of the way
        for record in ledger.list_samples():
            ledger.reject(record.id, "bad_key", "not for this test")
    monkeypatch.setenv("ONCODROP_WORKDIR", str(tmp_path / "work"))
    result = invoke("worker", "--db", db, "--bundle", str(demo_bundle), "--workers", "2", "--idle-timeout", "0.5")
    assert result.exit_code == 0, result.output
    assert "2 worker(s) ended, exit codes [0]" in result.output
    assert list((tmp_path / "work").iterdir()) == []  # the fleet's private work dir is gone


def test_local_status_counts_the_backlog_from_the_ledger(db: str) -> None:
    result = invoke("status", "--db", db, "--max", "2")
    assert result.exit_code == 0, result.output
    assert "backlog 3, running 0; local workers: 0" in result.stdout
    assert "next: scale up (wanted 2, start 2, stop 0)" in result.stdout


def test_fleet_worker_with_spot_watch_exits_at_once_on_a_notice(
    db: str, tmp_path: Path, demo_bundle: Path, imds: FakeImds, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(db) as ledger:
        for record in ledger.list_samples():
            ledger.reject(record.id, "bad_key", "not for this test")
    imds.publish()
    monkeypatch.setenv("ONCODROP_WORKDIR", str(tmp_path / "work"))
    # an idle timeout far beyond the test's time limit (pytest-timeout): exiting at all is the notice's doing
    result = invoke("worker", "--db", db, "--bundle", str(demo_bundle), "--workers", "1", "--idle-timeout", "3600",
                    "--spot-watch", "--imds-endpoint", imds.url, "--spot-poll", "0.1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 worker(s) ended, exit codes [0]" in result.output
    assert imds.token_requests == 1 and imds.notice_polls == 1
