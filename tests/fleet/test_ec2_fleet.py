"""EC2 spot provider against a real moto_server on 127.0.0.1 (boto3 talks to it as to AWS)."""

from __future__ import annotations

import base64
import logging
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from fleet_jobs import queue_sample
from waiting import scaled, wait_for

from oncodrop.errors import ConfigError, TransientError
from oncodrop.fleet.ec2 import (
    Ec2Fleet,
    SpotLaunchSpec,
    ec2_errors,
    run_instances_request,
)
from oncodrop.fleet.policy import ScalingLimits
from oncodrop.fleet.scaler import Scaler
from oncodrop.ledger import Ledger
from oncodrop.store.s3 import aws_client

TEMPLATE_USER_DATA = "#!/bin/bash\n/opt/oncodrop/bin/oncodrop worker\n"
FLEET_USER_DATA = "#!/bin/bash\n/opt/oncodrop/bin/oncodrop fleet worker --idle-timeout 600\n"


@pytest.fixture
def ec2(moto_endpoint: str) -> Any:
    return aws_client("ec2", moto_endpoint)


@pytest.fixture
def template(ec2: Any) -> dict[str, str]:
    """A launch template shaped like deploy/aws/oncodrop.yaml's WorkerLaunchTemplate."""
    image_id = ec2.describe_images()["Images"][0]["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    name = f"oncodrop-worker-{uuid.uuid4().hex[:8]}"
    created = ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={
            "ImageId": image_id,
            "InstanceType": "m6i.xlarge",
            "InstanceMarketOptions": {"MarketType": "spot"},
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
            "UserData": base64.b64encode(TEMPLATE_USER_DATA.encode()).decode(),
        },
    )
    iam = aws_client("iam", ec2.meta.endpoint_url)
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
    return {"id": created["LaunchTemplate"]["LaunchTemplateId"], "name": name, "image": image_id, "subnet": subnet,
            "profile": profile}  # fmt: skip


def fleet(ec2: Any, **spec: Any) -> Ec2Fleet:
    return Ec2Fleet(SpotLaunchSpec(fleet_name=f"f-{uuid.uuid4().hex[:8]}", **spec), ec2)


def user_data_of(ec2: Any, instance_id: str) -> str:
    value = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]["Value"]
    return base64.b64decode(value).decode()


def test_started_workers_come_from_the_template_with_overrides_and_tags(ec2: Any, template: dict[str, str]) -> None:
    provider = fleet(
        ec2, launch_template=template["id"], instance_type="c6i.2xlarge", max_price="0.25",
        subnet_id=template["subnet"], volume_gib=200, user_data=FLEET_USER_DATA,
        instance_profile=template["profile"],
    )  # fmt: skip
    # RunInstances asks for MinCount 1, MaxCount n (take what spot capacity there is); moto always
    # launches MinCount, so each call here starts one
    started = provider.start(2) + provider.start(1)
    assert len(started) == 2
    described = [i for r in ec2.describe_instances(InstanceIds=started)["Reservations"] for i in r["Instances"]]
    assert len(described) == 2
    for instance in described:
        assert instance["InstanceType"] == "c6i.2xlarge"
        assert instance["ImageId"] == template["image"]
        assert instance["SubnetId"] == template["subnet"]
        assert instance["InstanceLifecycle"] == "spot"
        assert instance["IamInstanceProfile"]["Arn"] == template["profile"]
        tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
        assert tags["oncodrop:role"] == "worker"
        assert tags["oncodrop:fleet"] == provider.spec.fleet_name
        assert tags["aws:ec2launchtemplate:id"] == template["id"]  # as AWS tags it
        assert user_data_of(ec2, instance["InstanceId"]) == FLEET_USER_DATA


def test_without_overrides_the_template_decides_type_image_and_user_data(ec2: Any, template: dict[str, str]) -> None:
    provider = fleet(ec2, launch_template=template["name"])
    (instance_id,) = provider.start(1)
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert (instance["InstanceType"], instance["ImageId"]) == ("m6i.xlarge", template["image"])
    assert user_data_of(ec2, instance_id) == TEMPLATE_USER_DATA


def test_workers_lists_only_this_fleets_live_instances_and_stop_terminates(ec2: Any, template: dict[str, str]) -> None:
    mine, other = fleet(ec2, launch_template=template["id"]), fleet(ec2, launch_template=template["id"])
    started = [mine.start(1)[0] for _ in range(3)]
    other.start(1)
    assert sorted(w.id for w in mine.workers()) == sorted(started)
    assert {w.state for w in mine.workers()} <= {"pending", "running"}
    mine.stop(started[:2])
    assert [w.id for w in mine.workers()] == started[2:]
    states = {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances(InstanceIds=started)["Reservations"]
              for i in r["Instances"]}  # fmt: skip
    assert states[started[0]] in {"shutting-down", "terminated"}
    assert len(other.workers()) == 1


@pytest.mark.parametrize("missing", ["lt-0123456789abcdef0", "no-such-template"])
def test_a_missing_launch_template_is_a_config_error_naming_it(ec2: Any, missing: str) -> None:
    with pytest.raises(ConfigError, match=f"launch template {missing} not found.*WorkerLaunchTemplateId"):
        fleet(ec2, launch_template=missing).check()


def test_an_existing_launch_template_passes_the_check(ec2: Any, template: dict[str, str]) -> None:
    fleet(ec2, launch_template=template["id"]).check()
    fleet(ec2, launch_template=template["name"]).check()
    assert ec2.describe_launch_templates(LaunchTemplateIds=[template["id"]])["LaunchTemplates"][0][
        "LaunchTemplateName"] == template["name"]  # fmt: skip


def test_run_instances_request_asks_for_one_time_spot_with_encrypted_volume_and_idempotency() -> None:
    spec = SpotLaunchSpec(
        "lt-0abc", max_price="0.12", volume_gib=150, subnet_id="subnet-1", security_group_ids=("sg-1",),
        instance_profile="oncodrop-worker",
    )  # fmt: skip
    request = run_instances_request(spec, 3, client_token="tok")
    assert request["LaunchTemplate"] == {"LaunchTemplateId": "lt-0abc", "Version": "$Latest"}
    assert (request["MinCount"], request["MaxCount"], request["ClientToken"]) == (1, 3, "tok")
    assert request["InstanceMarketOptions"] == {
        "MarketType": "spot",
        "SpotOptions": {"SpotInstanceType": "one-time", "InstanceInterruptionBehavior": "terminate", "MaxPrice": "0.12"},
    }
    assert request["BlockDeviceMappings"] == [{"DeviceName": "/dev/xvda", "Ebs": {
        "VolumeSize": 150, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}]  # fmt: skip
    assert request["NetworkInterfaces"] == [
        {"DeviceIndex": 0, "SubnetId": "subnet-1", "DeleteOnTermination": True, "Groups": ["sg-1"]}
    ]
    assert request["IamInstanceProfile"] == {"Name": "oncodrop-worker"}
    assert "UserData" not in request and "InstanceType" not in request


def test_no_spot_capacity_is_transient() -> None:
    from botocore.exceptions import ClientError

    answer = {"Error": {"Code": "InsufficientInstanceCapacity", "Message": "no c6i.2xlarge in us-east-1a"},
              "ResponseMetadata": {"HTTPStatusCode": 500}}  # fmt: skip
    with pytest.raises(TransientError, match="InsufficientInstanceCapacity.*next tick"), ec2_errors("start 2"):
        raise ClientError(answer, "RunInstances")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "words"),
    [({"launch_template": ""}, "--launch-template"), ({"launch_template": "lt-1", "max_price": "cheap"}, "--max-price"),
     ({"launch_template": "lt-1", "volume_gib": 0}, "--volume-gib"),
     ({"launch_template": "lt-1", "security_group_ids": ("sg-1",)}, "--subnet")],
)  # fmt: skip
def test_bad_launch_settings_are_config_errors_naming_the_option(spec: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        SpotLaunchSpec(**spec)


def test_scaler_logs_an_unreachable_ec2_endpoint_and_keeps_ticking(
    tmp_path: Path, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = Ec2Fleet(SpotLaunchSpec("lt-0abc"), aws_client("ec2", f"http://127.0.0.1:{closed_port}"))
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        queue_sample(ledger, 1)
        scaler = Scaler(ledger, unreachable, ScalingLimits(max_workers=2, cooldown_s=0))
        with pytest.raises(TransientError, match="cannot reach the endpoint"):
            scaler.tick()
        stop = threading.Event()
        loop = threading.Thread(target=scaler.run, args=(stop, 0.05))
        with caplog.at_level(logging.WARNING, logger="oncodrop.fleet.scaler"):
            loop.start()
            try:
                wait_for(lambda: len(_scaler_records(caplog)) >= 2, 20, "two failed scaler ticks logged")
            finally:
                stop.set()
                loop.join(scaled(20))
    assert not loop.is_alive()
    records = _scaler_records(caplog)
    assert len(records) >= 2  # two ticks, each failing softly
    assert all("cannot reach the endpoint" in r.getMessage() for r in records)


def _scaler_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Only the scaler's own warnings (migrations and botocore log at INFO in the same test)."""
    return [r for r in caplog.records if r.name == "oncodrop.fleet.scaler" and r.levelno >= logging.WARNING]
