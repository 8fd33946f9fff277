"""deploy/aws/oncodrop.yaml: cfn-lint clean, least privilege, and in step with the code it deploys."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import moto_fixture
import pytest

from oncodrop.events import lambda_handler
from oncodrop.events.lambda_package import HANDLER, build_lambda_zip
from oncodrop.store.s3 import aws_client, s3_client

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)

cfn_yaml = pytest.importorskip("cfnlint.decode.cfn_yaml", reason="cfn-lint is not installed (pip install cfn-lint)")
cfn_api = pytest.importorskip("cfnlint.api", reason="cfn-lint is not installed (pip install cfn-lint)")

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "aws" / "oncodrop.yaml"


@pytest.fixture(scope="module")
def template() -> Any:
    return cfn_yaml.load(str(TEMPLATE))


def resource(template: Any, name: str) -> Any:
    return template["Resources"][name]["Properties"]


def statements(template: Any, role: str) -> list[Any]:
    return [s for p in resource(template, role)["Policies"] for s in p["PolicyDocument"]["Statement"]]


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


def test_the_lambda_runs_the_packaged_handler_with_the_variables_it_reads(template: Any) -> None:
    function = resource(template, "IntakeFunction")
    assert function["Handler"] == HANDLER
    assert set(function["Environment"]["Variables"]) == {
        lambda_handler.QUEUE_URL_ENV, lambda_handler.ST2_URL_ENV,
        lambda_handler.ST2_API_KEY_ENV, lambda_handler.ST2_WEBHOOK_ENV,
    }  # fmt: skip
    assert template["Parameters"]["St2ApiKey"]["NoEcho"] is True


def test_no_role_is_granted_wildcard_actions_or_resources(template: Any) -> None:
    for role in ("WorkerRole", "IntakeRole"):
        assert statements(template, role), role  # a role without statements would pass vacuously
        for statement in statements(template, role):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert statement["Effect"] == "Allow"
            assert not [a for a in actions if a.endswith("*")], (role, statement["Sid"])
            assert statement["Resource"] != "*", (role, statement["Sid"])


def test_workers_read_inputs_but_write_only_output_tarballs(template: Any) -> None:
    by_sid = {s["Sid"]: s for s in statements(template, "WorkerRole")}
    writes = [s for s in by_sid.values() if "s3:PutObject" in s["Action"]]
    assert [w["Resource"] for w in writes] == [{"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}/*-output.tar.gz"}]
    assert by_sid["ReadInputs"]["Action"] == "s3:GetObject"
    assert set(by_sid["ConsumeEvents"]["Action"]) >= {"sqs:ReceiveMessage", "sqs:DeleteMessage"}
    assert not [s for s in by_sid.values() if any("Delete" in a for a in _actions(s) if a.startswith("s3:"))]


def test_the_launch_template_starts_spot_workers_that_run_the_fleet_worker(template: Any) -> None:
    data = resource(template, "WorkerLaunchTemplate")["LaunchTemplateData"]
    assert data["InstanceMarketOptions"]["MarketType"] == "spot"
    assert data["InstanceInitiatedShutdownBehavior"] == "terminate"  # idle poweroff = gone
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    for key, parameter in (("ImageId", "WorkerImageId"), ("InstanceType", "WorkerInstanceType")):
        assert data[key] == {"Ref": parameter}
    assert data["NetworkInterfaces"][0]["SubnetId"] == {"Ref": "SubnetId"}
    user_data = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "ExecStart=/opt/oncodrop/bin/oncodrop fleet worker --spot-watch --idle-timeout 600" in user_data
    assert "pip install --quiet '${OncodropPackage}'" in user_data


def _actions(statement: Any) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


@pytest.mark.parametrize("route", ["lambda", "sqs"])
def test_the_stack_deploys_on_moto_with_the_packaged_lambda(
    route: str, moto_endpoint: str, tmp_path: Path
) -> None:
    """CloudFormation on moto creates every resource; the Lambda runs the zip we build."""
    suffix = uuid.uuid4().hex[:10]
    s3, ec2, cfn = s3_client(moto_endpoint), aws_client("ec2", moto_endpoint), aws_client("cloudformation", moto_endpoint)
    code = build_lambda_zip(tmp_path / "oncodrop-lambda.zip")
    s3.create_bucket(Bucket=f"code-{suffix}")
    s3.upload_file(str(code.path), f"code-{suffix}", "oncodrop-lambda.zip")
    parameters = {
        "BucketName": f"drop-{suffix}", "EventRoute": route, "LambdaCodeBucket": f"code-{suffix}",
        "WorkerImageId": ec2.describe_images()["Images"][0]["ImageId"],
        "VpcId": ec2.describe_vpcs()["Vpcs"][0]["VpcId"], "SubnetId": ec2.describe_subnets()["Subnets"][0]["SubnetId"],
        "LedgerUrl": "postgresql+psycopg://oncodrop@ledger/oncodrop", "ReferenceBundleBucket": f"ref-{suffix}",
        "SpotMaxPrice": "0.12",
    }  # fmt: skip
    cfn.create_stack(
        StackName=f"oncodrop-{suffix}", TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )  # fmt: skip
    stack = cfn.describe_stacks(StackName=f"oncodrop-{suffix}")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["BucketName"] == f"drop-{suffix}" and ("IntakeFunctionArn" in outputs) == (route == "lambda")
    sqs = aws_client("sqs", moto_endpoint)
    attrs = sqs.get_queue_attributes(QueueUrl=outputs["WorkQueueUrl"], AttributeNames=["All"])["Attributes"]
    assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 5
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=outputs["WorkerLaunchTemplateId"])
    data = versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert data["InstanceMarketOptions"]["SpotOptions"]["MaxPrice"] == "0.12"
    assert "ExecStart=/opt/oncodrop/bin/oncodrop fleet worker --spot-watch --idle-timeout 600" in base64.b64decode(data["UserData"]).decode()
    if route == "lambda":
        function = aws_client("lambda", moto_endpoint).get_function(FunctionName=outputs["IntakeFunctionArn"])
        config = function["Configuration"]
        assert config["Handler"] == HANDLER
        assert config["Environment"]["Variables"]["ONCODROP_QUEUE_URL"] == outputs["WorkQueueUrl"]
        assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(code.path.read_bytes()).digest()).decode()
