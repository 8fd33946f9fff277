"""The AWS deployment end to end on moto_server: the CloudFormation stack is created from
deploy/aws/oncodrop.yaml; the control plane (``oncodrop serve --intake-only --events sqs
--executor batch``) runs with the environment of the deployed ECS task definition; a sample
dropped in the bucket reaches a Batch job submission with the stack's job definition; the test
then plays the Batch host and runs the job definition's command (``oncodrop batch-job``) with
the job definition's environment, and the ledger row follows: RUNNING under the job's lease,
then SUCCEEDED, and the Slack notification is delivered.

Secrets live only in moto's Secrets Manager: the ledger's user, database and password, and the
Slack webhook URL carry canary values; the ledger URL the processes get names neither (they
cannot connect without reading the secret), and the canary test then searches every template,
stack description, job definition, job, task definition, launch template, log and
notification of the run for them.

moto runs Batch without Docker (``POST /moto-api/config``, LAB-NOTES): a submitted job is
SUCCEEDED at once without running anything, which is why the test runs the job's command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from waiting import scaled, wait_for

from oncodrop.demo.samples import make_demo_samples
from oncodrop.domain.state import SampleState
from oncodrop.ledger import Ledger
from oncodrop.store.s3 import aws_client, s3_client

pytest.importorskip("cfnlint", reason="cfn-lint is not installed")

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "aws" / "oncodrop.yaml"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/oncodrop:1.0.0"


def _use_batch_without_docker(endpoint: str) -> None:
    body = json.dumps({"batch": {"use_docker": False}}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/config", data=body, method="POST")).read()


def _deploy(endpoint: str, suffix: str) -> dict[str, str]:
    cfn = aws_client("cloudformation", endpoint)
    s3_client(endpoint).create_bucket(Bucket=f"code-{suffix}")
    parameters = {"BucketName": f"drop-{suffix}", "EventRoute": "sqs", "LambdaCodeBucket": f"code-{suffix}",
                  "Image": IMAGE, "OnDemandFallback": "true"}  # fmt: skip
    cfn.create_stack(StackName=f"oncodrop-{suffix}", TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])  # fmt: skip
    stack = cfn.describe_stacks(StackName=f"oncodrop-{suffix}")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def _env(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {e["name"]: str(e.get("value", "")) for e in entries}


def _process_env(endpoint: str, deployed: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """The process environment: the deployed one, pointed at moto and the test's ledger."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCODROP_")}
    env.update({k: v for k, v in deployed.items() if v})
    env.update({"PYTHONPATH": str(REPO / "src"), "ONCODROP_AWS__S3_ENDPOINT_URL": endpoint,
                "ONCODROP_AWS__SQS_ENDPOINT_URL": endpoint, "ONCODROP_AWS__BATCH_ENDPOINT_URL": endpoint,
                "ONCODROP_AWS__SECRETS_ENDPOINT_URL": endpoint, "ONCODROP_LOG_JSON": "true", **overrides})  # fmt: skip
    return env


@pytest.fixture
def aws_run(moto_endpoint: str, pg_url: str, demo_bundle: Path, http_capture: Any, tmp_path: Path) -> Any:
    """The whole run; yields what the canary test searches (and the facts the other asserts)."""
    _use_batch_without_docker(moto_endpoint)
    suffix = uuid.uuid4().hex[:10]
    canary_password, canary_token = f"pw{uuid.uuid4().hex}", f"tok{uuid.uuid4().hex}"
    outputs = _deploy(moto_endpoint, suffix)
    bucket = outputs["BucketName"]
    # the bucket's S3 -> SQS notification, as the template's NotificationConfiguration makes it
    sqs = aws_client("sqs", moto_endpoint)
    queue_arn = sqs.get_queue_attributes(QueueUrl=outputs["WorkQueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3 = s3_client(moto_endpoint)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})  # fmt: skip
    # the secrets (moto's CloudFormation skips AWS::SecretsManager::Secret; created here instead)
    user, dbname = pg_url.rsplit("@", 1)[0].split("//", 1)[1], pg_url.rsplit("/", 1)[1]
    host_port = pg_url.rsplit("@", 1)[1].split("/", 1)[0]
    secrets = aws_client("secretsmanager", moto_endpoint)
    ledger_arn = secrets.create_secret(Name=f"ledger-{suffix}", SecretString=json.dumps(
        {"username": user, "password": canary_password, "dbname": dbname}))["ARN"]  # fmt: skip
    slack_arn = secrets.create_secret(Name=f"slack-{suffix}", SecretString=json.dumps(
        {"url": http_capture.url(f"/services/T0/B0/{canary_token}")}))["ARN"]  # fmt: skip
    # the ledger URL the processes get: no password, a wrong user and database (the secret fixes both)
    blind_db = f"postgresql+psycopg://nobody@{host_port}/no_such_db"
    ecs = aws_client("ecs", moto_endpoint)
    [task_arn] = ecs.list_task_definitions()["taskDefinitionArns"][-1:]
    task = ecs.describe_task_definition(taskDefinition=task_arn)["taskDefinition"]
    [container] = task["containerDefinitions"]
    control_env = _process_env(moto_endpoint, _env(container["environment"]), {
        "ONCODROP_DB": blind_db, "ONCODROP_AWS__DB_SECRET_ID": ledger_arn, "ONCODROP_AWS__SLACK_SECRET_ID": slack_arn,
        "ONCODROP_BATCH__POLL_S": "0.5", "ONCODROP_BATCH__RESUBMIT_BACKOFF_S": "3600",
        "ONCODROP_NOTIFY__BACKOFF_S": "0.2", "ONCODROP_WORKDIR": str(tmp_path),
    })  # fmt: skip
    assert control_env["ONCODROP_BATCH__JOB_DEFINITION"] == outputs["JobDefinition"]
    Ledger.open(f"postgresql+psycopg://{user}@{host_port}/{dbname}").close()  # schema, as a release's migrate step
    sample = next(s for s in make_demo_samples(tmp_path / "inbox", demo_bundle) if s.expect == "SUCCEEDED")
    control_log = tmp_path / "control.log"
    with control_log.open("wb") as log:
        control = subprocess.Popen([sys.executable, "-m", *container["command"][0:0], "oncodrop", *container["command"][1:]],
                                   env=control_env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    ledger = Ledger.open(f"postgresql+psycopg://{user}@{host_port}/{dbname}", migrate_schema=False)
    batch = aws_client("batch", moto_endpoint)
    try:
        s3.upload_file(str(sample.path), bucket, sample.key)
        record = wait_for(lambda: next(iter(ledger.list_samples()), None), scaled(60), "the sample in the ledger")
        jobs = wait_for(lambda: batch.list_jobs(jobQueue=outputs["JobQueue"], jobStatus="SUCCEEDED")["jobSummaryList"],
                        scaled(60), "a batch job submission")  # fmt: skip
        [job] = batch.describe_jobs(jobs=[jobs[0]["jobId"]])["jobs"]
        # play the Batch host: the job definition's command with its environment and AWS_BATCH_JOB_ID
        [definition] = batch.describe_job_definitions(jobDefinitions=[outputs["JobDefinition"]])["jobDefinitions"]
        command = [part.replace("Ref::record_id", job["parameters"]["record_id"])
                   for part in definition["containerProperties"]["command"]]  # fmt: skip
        job_env = _process_env(moto_endpoint, _env(definition["containerProperties"]["environment"]), {
            "ONCODROP_DB": blind_db, "ONCODROP_AWS__DB_SECRET_ID": ledger_arn, "ONCODROP_BUNDLE": str(demo_bundle),
            "ONCODROP_WORKDIR": str(tmp_path), "AWS_BATCH_JOB_ID": job["jobId"], "AWS_BATCH_JOB_ATTEMPT": "1",
        })  # fmt: skip
        ran = subprocess.run([sys.executable, "-m", *command], env=job_env, capture_output=True, timeout=scaled(600),
                             check=False)
        assert ran.returncode == 0, ran.stderr.decode()[-3000:]
        done = wait_for(lambda: (r := ledger.get(record.id)) is not None and r.is_terminal and r, scaled(60), "outcome")
        wait_for(lambda: http_capture.received, scaled(60), "the Slack notification")
        cfn, ec2 = aws_client("cloudformation", moto_endpoint), aws_client("ec2", moto_endpoint)
        templates = [ec2.describe_launch_template_versions(LaunchTemplateId=lt["LaunchTemplateId"])
                     for lt in ec2.describe_launch_templates()["LaunchTemplates"]]
        outbox = [(str(item), error) for item, error in ledger.notifications()]
        texts = {
            "template": TEMPLATE.read_text(),
            "stack": json.dumps(cfn.describe_stacks(StackName=f"oncodrop-{suffix}"), default=str),
            "stack template": json.dumps(cfn.get_template(StackName=f"oncodrop-{suffix}"), default=str),
            "job definitions": json.dumps(batch.describe_job_definitions(), default=str),
            "jobs": json.dumps(batch.describe_jobs(jobs=[j["jobId"] for j in jobs]), default=str),
            "task definition": json.dumps(task, default=str),
            "launch templates": json.dumps(templates, default=str),
            "job log": ran.stdout.decode() + ran.stderr.decode(),
            "notifications": json.dumps([r.body for r in http_capture.received], default=str),
            "ledger outbox": json.dumps(outbox, default=str),
        }
        yield {"canaries": (canary_password, canary_token), "outputs": outputs, "job": job, "definition": definition,
               "record": done, "history": ledger.history(record.id), "sample": sample, "capture": http_capture,
               "texts": texts, "control_log": control_log}  # fmt: skip
    finally:
        ledger.close()
        control.terminate()
        try:
            control.wait(timeout=scaled(30))
        except subprocess.TimeoutExpired:
            control.kill()
            control.wait()


@pytest.mark.integration
@pytest.mark.slow
def test_a_dropped_sample_becomes_one_batch_job_its_ledger_row_follows_and_no_secret_leaks(aws_run: Any) -> None:
    """One run (it takes minutes on a loaded machine), two promises: the flow, and the canary."""
    _the_flow(aws_run)
    _no_canary_anywhere(aws_run)


def _the_flow(aws_run: Any) -> None:
    job, definition, record = aws_run["job"], aws_run["definition"], aws_run["record"]
    assert job["jobDefinition"] == aws_run["outputs"]["JobDefinition"] == definition["jobDefinitionArn"]
    assert job["parameters"]["record_id"] == str(record.id)
    assert job["tags"]["oncodrop:sample"] == record.sample_id and job["tags"]["oncodrop:kind"] == record.kind
    assert record.state is SampleState.SUCCEEDED, record.reason
    claims = [h for h in aws_run["history"] if h.to_state is SampleState.RUNNING]
    assert [h.actor.split("@")[0] for h in claims] == [f"batch:{job['jobId']}"]  # run under that job's lease, once
    [slack] = [r for r in aws_run["capture"].received if r.path.startswith("/services/")]
    assert record.sample_id in json.dumps(slack.body)


def _no_canary_anywhere(aws_run: Any) -> None:
    password, token = aws_run["canaries"]
    # they were used: the Slack post went to the secret URL, the ledger was reached with the secret
    assert any(token in r.path for r in aws_run["capture"].received)
    assert aws_run["record"].state is SampleState.SUCCEEDED
    texts = {**aws_run["texts"], "control log": aws_run["control_log"].read_text(errors="replace")}
    assert len(texts["control log"]) > 0 and len(texts["job log"]) > 0
    leaks = {where: canary for where, body in texts.items() for canary in (password, token) if canary in body}
    assert leaks == {}
