"""deploy/aws/oncodrop.yaml: cfn-lint clean, least privilege, secrets by reference only, and in
step with the code it deploys (the job command, the settings in every environment)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import moto_fixture
import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.events import lambda_handler
from oncodrop.events.lambda_package import HANDLER, build_lambda_zip
from oncodrop.settings import field_docs
from oncodrop.store.s3 import aws_client, s3_client

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)

cfn_yaml = pytest.importorskip("cfnlint.decode.cfn_yaml", reason="cfn-lint is not installed (pip install cfn-lint)")
cfn_api = pytest.importorskip("cfnlint.api", reason="cfn-lint is not installed (pip install cfn-lint)")

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "aws" / "oncodrop.yaml"
ROLES = ("IntakeRole", "JobRole", "ControlRole")
JOB_COMMAND = ["oncodrop", "batch-job", "--record-id", "Ref::record_id"]
# Batch's DescribeJobs and ListJobs have no resource-level permissions: "*" is the only form
STAR_ALLOWED = {"batch:DescribeJobs", "batch:ListJobs"}


@pytest.fixture(scope="module")
def template() -> Any:
    return cfn_yaml.load(str(TEMPLATE))


def resource(template: Any, name: str) -> Any:
    return template["Resources"][name]["Properties"]


def statements(template: Any, role: str) -> list[Any]:
    found = []
    for policy in resource(template, role)["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:  # a conditional statement: check its "true" branch
                statement = statement["Fn::If"][1]
            found.append(statement)
    return found


def _actions(statement: Any) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def _env(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["Name"]: e["Value"] for e in entries}


def test_cfn_lint_reports_nothing() -> None:
    matches = cfn_api.lint_file(TEMPLATE)
    assert [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches] == []


def test_the_queue_redrives_to_the_dead_letter_queue_after_max_receives(template: Any) -> None:
    redrive = resource(template, "WorkQueue")["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}, "maxReceiveCount": {"Ref": "MaxReceiveCount"}}
    assert resource(template, "WorkQueue")["ReceiveMessageWaitTimeSeconds"] == 20  # long polling
    failures = resource(template, "IntakeFailures")["DestinationConfig"]["OnFailure"]["Destination"]
    assert failures == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}  # failed Lambda events are kept too


def test_the_bucket_notifies_every_object_creation(template: Any) -> None:
    notify = resource(template, "InputBucket")["NotificationConfiguration"]
    lambda_branch = notify["LambdaConfigurations"]["Fn::If"][1][0]
    queue_branch = notify["QueueConfigurations"]["Fn::If"][1][0]
    assert lambda_branch == {"Event": "s3:ObjectCreated:*", "Function": {"Fn::GetAtt": ["IntakeFunction", "Arn"]}}
    assert queue_branch == {"Event": "s3:ObjectCreated:*", "Queue": {"Fn::GetAtt": ["WorkQueue", "Arn"]}}


def test_no_secret_value_passes_through_the_template(template: Any) -> None:
    """Secrets are referenced by ARN; no parameter takes a secret value, no user data exists."""
    assert [n for n, p in template["Parameters"].items() if p.get("NoEcho")] == []
    assert "UserData" not in TEMPLATE.read_text()
    function = resource(template, "IntakeFunction")
    assert set(function["Environment"]["Variables"]) == {
        lambda_handler.QUEUE_URL_ENV, lambda_handler.ST2_URL_ENV,
        lambda_handler.ST2_API_KEY_SECRET_ENV, lambda_handler.ST2_WEBHOOK_ENV,
    }  # fmt: skip
    ledger = resource(template, "Ledger")
    assert ledger["MasterUserPassword"] == {"Fn::Sub": "{{resolve:secretsmanager:${LedgerSecret}:SecretString:password}}"}


def test_each_role_reads_only_its_own_secrets(template: Any) -> None:
    def readable(role: str) -> list[Any]:
        found = []
        for s in statements(template, role):
            if "secretsmanager:GetSecretValue" in _actions(s):
                found += s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        return found

    assert readable("JobRole") == [{"Ref": "LedgerSecret"}]
    assert readable("IntakeRole") == [{"Ref": "St2ApiKeySecretArn"}]
    assert readable("ControlRole") == [{"Ref": "LedgerSecret"},
                                       {"Fn::If": ["HasSlack", {"Ref": "SlackSecretArn"}, {"Ref": "AWS::NoValue"}]},
                                       {"Fn::If": ["HasWebhook", {"Ref": "WebhookSecretArn"}, {"Ref": "AWS::NoValue"}]}]  # fmt: skip


def test_no_role_is_granted_wildcard_actions_or_resources(template: Any) -> None:
    for role in ROLES:
        assert statements(template, role), role  # a role without statements would pass vacuously
        for statement in statements(template, role):
            actions = _actions(statement)
            assert statement["Effect"] == "Allow"
            assert not [a for a in actions if a.endswith("*")], (role, statement["Sid"])
            if statement["Resource"] == "*":
                assert set(actions) <= STAR_ALLOWED, (role, statement["Sid"])


def test_jobs_read_inputs_but_write_only_output_tarballs(template: Any) -> None:
    by_sid = {s["Sid"]: s for s in statements(template, "JobRole")}
    writes = [s for s in by_sid.values() if "s3:PutObject" in _actions(s)]
    assert [w["Resource"] for w in writes] == [{"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}/*-output.tar.gz"}]
    assert by_sid["ReadInputs"]["Action"] == "s3:GetObject"
    for role in ROLES:
        assert not [s for s in statements(template, role) if any("Delete" in a for a in _actions(s) if a.startswith("s3:"))]


def test_spot_capacity_scales_from_zero_over_several_instance_types(template: Any) -> None:
    spot = resource(template, "SpotCompute")["ComputeResources"]
    assert (spot["Type"], spot["AllocationStrategy"], spot["MinvCpus"]) == ("SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED", 0)
    assert len(template["Parameters"]["InstanceTypes"]["Default"].split(",")) >= 3
    assert resource(template, "OnDemandCompute")["ComputeResources"]["MinvCpus"] == 0
    assert template["Resources"]["OnDemandQueue"]["Condition"] == "WithOnDemand"
    host = resource(template, "BatchHostTemplate")["LaunchTemplateData"]
    assert host["MetadataOptions"] == {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1}
    assert host["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True


def test_the_job_definition_runs_the_batch_job_command_and_retries_only_spot_reclaims(template: Any) -> None:
    job = resource(template, "SampleJob")
    assert job["ContainerProperties"]["Command"] == JOB_COMMAND
    help_text = CliRunner().invoke(main, [JOB_COMMAND[1], "--help"])
    assert help_text.exit_code == 0 and "--record-id" in help_text.output  # the command exists
    assert job["RetryStrategy"]["EvaluateOnExit"] == [{"OnStatusReason": "Host EC2*", "Action": "RETRY"},
                                                      {"OnReason": "*", "Action": "EXIT"}]  # fmt: skip
    assert job["ContainerProperties"]["LogConfiguration"]["LogDriver"] == "awslogs"
    assert job["PropagateTags"] is True


def test_the_control_plane_runs_serve_intake_only_with_batch(template: Any) -> None:
    [container] = resource(template, "ControlTask")["ContainerDefinitions"]
    assert container["Command"] == ["oncodrop", "serve", "--intake-only", "--events", "sqs", "--executor", "batch",
                                    "--no-web"]  # fmt: skip
    assert container["ReadonlyRootFilesystem"] is True


def test_every_oncodrop_variable_in_the_template_is_a_setting(template: Any) -> None:
    known = {name for doc in field_docs() for name in doc.env}
    [container] = resource(template, "ControlTask")["ContainerDefinitions"]
    for env in (_env(container["Environment"]), _env(resource(template, "SampleJob")["ContainerProperties"]["Environment"])):
        assert {n for n in env if n.startswith("ONCODROP_")} <= known
    job_env = _env(resource(template, "SampleJob")["ContainerProperties"]["Environment"])
    assert job_env["ONCODROP_AWS__DB_SECRET_ID"] == {"Fn::Sub": "${LedgerSecret}"}  # the ARN
    assert "ONCODROP_AWS__SLACK_SECRET_ID" not in job_env  # jobs send no notifications


def test_the_ledger_is_private_and_reached_only_from_our_security_groups(template: Any) -> None:
    ledger = resource(template, "Ledger")
    assert ledger["PubliclyAccessible"] is False and ledger["StorageEncrypted"] is True
    assert template["Resources"]["Ledger"]["DeletionPolicy"] == "Snapshot"
    ingress = resource(template, "LedgerSecurityGroup")["SecurityGroupIngress"]
    assert all("CidrIp" not in rule and "SourceSecurityGroupId" in rule for rule in ingress)
    for name, body in template["Resources"].items():
        if body["Type"] in ("AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroup"):
            rules = [body["Properties"]] if body["Type"].endswith("Egress") else body["Properties"].get("SecurityGroupEgress", [])
            for rule in rules:
                assert not (rule.get("FromPort") == 5432 and "CidrIp" in rule), name  # no 0.0.0.0/0 to the DB


def test_data_has_explicit_deletion_policies_and_retention(template: Any) -> None:
    resources = template["Resources"]
    assert resources["InputBucket"]["DeletionPolicy"] == "Retain"
    assert resources["LedgerSecret"]["DeletionPolicy"] == "Retain"
    for queue in ("WorkQueue", "DeadLetterQueue"):
        assert resources[queue]["DeletionPolicy"] == "Delete"
    [rule] = resource(template, "InputBucket")["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "ObjectRetentionDays"}
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": {"Ref": "NoncurrentRetentionDays"}}
    for group in ("ControlLogGroup", "JobLogGroup"):
        assert resource(template, group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_alarms_watch_the_dead_letter_queue_queue_age_and_failing_jobs(template: Any) -> None:
    alarms = {n: b["Properties"] for n, b in template["Resources"].items() if b["Type"] == "AWS::CloudWatch::Alarm"}
    assert {a["MetricName"] for a in alarms.values()} == {"ApproximateNumberOfMessagesVisible",
                                                          "ApproximateAgeOfOldestMessage", "FailedBatchJobs"}  # fmt: skip
    # the failing-jobs metric counts the executor's own log line for a failed job
    assert resource(template, "FailedJobsMetric")["FilterPattern"] == '"ended FAILED"'


def deploy(moto_endpoint: str, tmp_path: Path, route: str, **extra: str) -> dict[str, str]:
    """Create the stack on moto_server; its outputs."""
    suffix = uuid.uuid4().hex[:10]
    s3, cfn = s3_client(moto_endpoint), aws_client("cloudformation", moto_endpoint)
    code = build_lambda_zip(tmp_path / "oncodrop-lambda.zip")
    s3.create_bucket(Bucket=f"code-{suffix}")
    s3.upload_file(str(code.path), f"code-{suffix}", "oncodrop-lambda.zip")
    parameters = {"BucketName": f"drop-{suffix}", "EventRoute": route, "LambdaCodeBucket": f"code-{suffix}",
                  "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/oncodrop:1.0.0", **extra}  # fmt: skip
    cfn.create_stack(
        StackName=f"oncodrop-{suffix}", TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )  # fmt: skip
    stack = cfn.describe_stacks(StackName=f"oncodrop-{suffix}")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    outputs["code_sha256"] = base64.b64encode(hashlib.sha256(code.path.read_bytes()).digest()).decode()
    outputs["stack"] = f"oncodrop-{suffix}"
    return outputs


@pytest.mark.parametrize("route", ["lambda", "sqs"])
def test_the_stack_deploys_on_moto_with_the_packaged_lambda_and_the_batch_job(
    route: str, moto_endpoint: str, tmp_path: Path
) -> None:
    """CloudFormation on moto creates the stack; the Lambda runs our zip; Batch has the job."""
    outputs = deploy(moto_endpoint, tmp_path, route, OnDemandFallback="true", CreateKmsKey="true")
    assert outputs["BucketName"].startswith("drop-") and ("IntakeFunctionArn" in outputs) == (route == "lambda")
    sqs = aws_client("sqs", moto_endpoint)
    attrs = sqs.get_queue_attributes(QueueUrl=outputs["WorkQueueUrl"], AttributeNames=["All"])["Attributes"]
    assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 5
    batch = aws_client("batch", moto_endpoint)
    [definition] = batch.describe_job_definitions(jobDefinitions=[outputs["JobDefinition"]])["jobDefinitions"]
    assert definition["containerProperties"]["command"] == JOB_COMMAND
    assert definition["retryStrategy"]["evaluateOnExit"][0]["onStatusReason"] == "Host EC2*"
    [queue] = batch.describe_job_queues(jobQueues=[outputs["JobQueue"]])["jobQueues"]
    [spot] = batch.describe_compute_environments(
        computeEnvironments=[queue["computeEnvironmentOrder"][0]["computeEnvironment"]])["computeEnvironments"]
    assert spot["computeResources"]["allocationStrategy"] == "SPOT_PRICE_CAPACITY_OPTIMIZED"
    assert spot["computeResources"]["minvCpus"] == 0 and len(spot["computeResources"]["instanceTypes"]) == 5
    assert "OnDemandJobQueue" in outputs
    if route == "lambda":
        function = aws_client("lambda", moto_endpoint).get_function(FunctionName=outputs["IntakeFunctionArn"])
        config = function["Configuration"]
        assert config["Handler"] == HANDLER
        assert config["Environment"]["Variables"]["ONCODROP_QUEUE_URL"] == outputs["WorkQueueUrl"]
        assert lambda_handler.ST2_API_KEY_ENV not in config["Environment"]["Variables"]
        assert config["CodeSha256"] == outputs["code_sha256"]
