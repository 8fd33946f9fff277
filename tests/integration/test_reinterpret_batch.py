"""Re-interpretation on AWS Batch (moto_server): ``oncodrop reinterpret --all`` with
``executor = batch`` submits ``[reinterpret] workers`` jobs on the configured job definition with
the command override ``oncodrop reinterpret-job --bundle-version V``, then waits on the ledger.

moto runs Batch without Docker and marks a job SUCCEEDED without running it
(tests/integration/test_aws_batch.py), so the test plays the Batch hosts: it reads each
submitted job's command and environment from ``describe_jobs`` and runs the two at once. The
bundle's installed path is gone by then (the image has its own copy, named by
``ONCODROP_BUNDLE``), as on a real Batch host."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from reinterpret_samples import assert_reinterpreted_once, report_past_samples, tarballs
from test_aws_batch import _use_batch_without_docker
from waiting import scaled, wait_for

from oncodrop.demo.revision import revise_demo_bundle
from oncodrop.ledger import Ledger
from oncodrop.service.reinterpret import install_bundle
from oncodrop.store.s3 import aws_client

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
DRAIN = re.compile(r"re-interpretation drain batch:(\S+)@\S+ of bundle 2026.12-demo: (\d+) done")


def _batch_setup(endpoint: str, suffix: str) -> tuple[str, str]:
    """A compute environment, a job queue and the sample job definition (as the stack makes
    it: ``oncodrop batch-job --record-id Ref::record_id``); (queue, job definition ARN)."""
    iam = aws_client("iam", endpoint)
    role = iam.create_role(RoleName=f"batch-{suffix}", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "batch.amazonaws.com"}}]}))["Role"]["Arn"]  # fmt: skip
    batch = aws_client("batch", endpoint)
    env_arn = batch.create_compute_environment(computeEnvironmentName=f"ce-{suffix}", type="UNMANAGED",
                                               state="ENABLED", serviceRole=role)["computeEnvironmentArn"]  # fmt: skip
    queue = batch.create_job_queue(jobQueueName=f"q-{suffix}", state="ENABLED", priority=1,
                                   computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env_arn}])  # fmt: skip
    definition = batch.register_job_definition(jobDefinitionName=f"oncodrop-{suffix}", type="container",
        containerProperties={
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/oncodrop:1.0.0",
            "command": ["oncodrop", "batch-job", "--record-id", "Ref::record_id"],
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}],
            "environment": [{"name": "ONCODROP_LOG_JSON", "value": "false"}],
        })  # fmt: skip
    return queue["jobQueueName"], definition["jobDefinitionArn"]


def test_reinterpret_on_batch_submits_drain_jobs_with_a_command_override_once_per_sample(
    tmp_path: Path, demo_bundle: Path, moto_endpoint: str
) -> None:  # fmt: skip
    _use_batch_without_docker(moto_endpoint)
    queue, definition = _batch_setup(moto_endpoint, uuid.uuid4().hex[:10])
    installed = revise_demo_bundle(demo_bundle, tmp_path / "bundle-v2")
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        past = report_past_samples(ledger, demo_bundle, tarballs(demo_bundle, tmp_path / "drops"), tmp_path / "store",
                                   tmp_path / "scratch")  # fmt: skip
        install_bundle(ledger, installed)
    image_bundle = installed.rename(tmp_path / "image-bundle")  # the image's copy; the installed path is gone
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ONCODROP_")},
           "PYTHONPATH": str(REPO / "src"), "ONCODROP_DB": db, "ONCODROP_EXECUTOR": "batch",
           "ONCODROP_BATCH__JOB_QUEUE": queue, "ONCODROP_BATCH__JOB_DEFINITION": definition,
           "ONCODROP_AWS__BATCH_ENDPOINT_URL": moto_endpoint, "ONCODROP_REINTERPRET__WORKERS": "2",
           "ONCODROP_REINTERPRET__LEASE_S": f"{scaled(60):g}"}  # fmt: skip
    command = subprocess.Popen([sys.executable, "-m", "oncodrop", "reinterpret", "--all", "--json", "--timeout",
                                f"{scaled(300):g}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    batch = aws_client("batch", moto_endpoint)
    hosts: list[subprocess.Popen[str]] = []
    try:
        listed = wait_for(lambda: len(found := _jobs(batch, queue)) == 2 and found, 60, "two drain jobs submitted")
        jobs: list[dict[str, Any]] = batch.describe_jobs(jobs=[j["jobId"] for j in listed])["jobs"]
        for job in jobs:  # play the Batch hosts: each job's command, with its environment
            container = job["container"]
            assert container["command"] == ["oncodrop", "reinterpret-job", "--bundle-version", "2026.12-demo"]
            job_env = {**env, **{e["name"]: e["value"] for e in container["environment"]},
                       "ONCODROP_EXECUTOR": "local", "ONCODROP_BUNDLE": str(image_bundle),
                       "ONCODROP_WORKDIR": str(tmp_path / "host")}  # fmt: skip
            assert job_env["AWS_BATCH_JOB_ID"] == job["jobId"]
            hosts.append(subprocess.Popen([sys.executable, "-m", *container["command"]], env=job_env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))  # fmt: skip
        ran = [host.communicate(timeout=scaled(300)) for host in hosts]
        assert [host.returncode for host in hosts] == [0, 0], [err[-2000:] for _, err in ran]
        out, err = command.communicate(timeout=scaled(120))
    finally:
        for proc in (command, *hosts):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert command.returncode == 0, err[-3000:]
    assert json.loads(out) == {"bundle_version": "2026.12-demo", "queued": 4, "QUEUED": 0, "RUNNING": 0,
                               "DONE": 4, "DEAD": 0}  # fmt: skip
    with Ledger.open(db) as ledger:
        assert_reinterpreted_once(ledger, past.store.root)
    drained = [DRAIN.findall(job_err) for _, job_err in ran]
    assert sorted(job_id for found in drained for job_id, _ in found) == sorted(j["jobId"] for j in jobs)
    assert sum(int(n) for found in drained for _, n in found) == 4
    assert all(j["jobDefinition"] == definition and j["tags"]["oncodrop:reinterpret"] == "2026.12-demo" for j in jobs)
    assert list((tmp_path / "host").glob("oncodrop-reinterpret-*")) == []  # drains' work dirs removed


def _jobs(batch: Any, queue: str) -> list[dict[str, Any]]:
    return [j for status in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
            for j in batch.list_jobs(jobQueue=queue, jobStatus=status)["jobSummaryList"]]  # fmt: skip
