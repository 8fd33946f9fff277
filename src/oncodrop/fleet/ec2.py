"""EC2 provider: spot instances from the stack's launch template, found again by their tags.

The launch template (``deploy/aws/oncodrop.yaml``: ``WorkerLaunchTemplate``) already says
everything a worker needs: image, instance type, spot market, instance profile, encrypted
volume, IMDSv2 required, user data that installs and starts the worker. ``SpotLaunchSpec``
can override each of those per fleet; ``run_instances_request`` turns it into the one
``RunInstances`` call (a pure function, so the request is tested without AWS). Instances are
tagged ``oncodrop:role=worker`` and ``oncodrop:fleet=<name>``; ``workers()`` lists pending and
running ones by that tag. botocore errors become ``oncodrop.errors`` here and nowhere else:
no spot capacity / price too low / instance limit is transient (try again on the next tick),
a missing template or bad parameter is the operator's configuration.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from oncodrop.errors import ConfigError, TransientError
from oncodrop.fleet.provider import FleetWorker
from oncodrop.settings import FleetSettings
from oncodrop.store.s3 import aws_client, aws_errors

ROLE_TAG = "oncodrop:role"
FLEET_TAG = "oncodrop:fleet"
LIVE_STATES = ("pending", "running")

# EC2 answers these when spot capacity or quota is short right now: not a configuration error.
SPOT_SHORTAGE_CODES = frozenset({
    "InsufficientInstanceCapacity",
    "SpotMaxPriceTooLow",
    "MaxSpotInstanceCountExceeded",
    "InstanceLimitExceeded",
    "InsufficientFreeAddressesInSubnet",
    "RequestLimitExceeded",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class SpotLaunchSpec:
    """Which launch template to start workers from, and what to override in it (None: keep)."""

    launch_template: str  # id (lt-…) or name
    template_version: str = "$Latest"
    fleet_name: str = "oncodrop"
    instance_type: str | None = None
    max_price: str | None = None  # USD per hour; None = up to the on-demand price
    image_id: str | None = None
    subnet_id: str | None = None
    security_group_ids: tuple[str, ...] = ()  # with subnet_id: the network interface replaces the template's
    instance_profile: str | None = None  # ARN or name
    volume_gib: int | None = None
    root_device: str = "/dev/xvda"
    user_data: str | None = None

    def __post_init__(self) -> None:
        if not self.launch_template:
            raise ConfigError("no launch template: pass --launch-template (the stack's WorkerLaunchTemplateId)")
        if self.volume_gib is not None and self.volume_gib < 1:
            raise ConfigError(f"--volume-gib must be a positive size in GiB, not {self.volume_gib}")
        if self.max_price is not None:
            try:
                if float(self.max_price) <= 0:
                    raise ValueError
            except ValueError:
                raise ConfigError(f"--max-price {self.max_price!r} must be a positive USD amount like 0.12") from None
        if self.security_group_ids and not self.subnet_id:
            raise ConfigError("--security-group only applies with --subnet (it belongs to the network interface)")

    @classmethod
    def from_settings(cls, fleet: FleetSettings) -> SpotLaunchSpec:
        """The launch spec of the ``[fleet]`` settings (``user_data`` is read from its file)."""
        try:
            user_data = fleet.user_data.read_text() if fleet.user_data else None
        except OSError as exc:
            raise ConfigError(f"fleet.user_data {fleet.user_data}: {exc.strerror}") from None
        return cls(
            launch_template=fleet.launch_template or "", template_version=fleet.template_version,
            fleet_name=fleet.name, instance_type=fleet.instance_type, max_price=fleet.max_price,
            image_id=fleet.image_id, subnet_id=fleet.subnet_id, security_group_ids=fleet.security_group_ids,
            instance_profile=fleet.instance_profile, volume_gib=fleet.volume_gib, user_data=user_data,
        )  # fmt: skip


def run_instances_request(spec: SpotLaunchSpec, count: int, client_token: str) -> dict[str, Any]:
    """The ``RunInstances`` arguments that start up to ``count`` spot workers from ``spec``."""
    template_key = "LaunchTemplateId" if spec.launch_template.startswith("lt-") else "LaunchTemplateName"
    spot: dict[str, str] = {"SpotInstanceType": "one-time", "InstanceInterruptionBehavior": "terminate"}
    if spec.max_price is not None:
        spot["MaxPrice"] = spec.max_price
    tags = [{"Key": ROLE_TAG, "Value": "worker"}, {"Key": FLEET_TAG, "Value": spec.fleet_name}]
    request: dict[str, Any] = {
        "LaunchTemplate": {template_key: spec.launch_template, "Version": spec.template_version},
        "MinCount": 1,  # take what spot capacity there is; the next tick asks for the rest
        "MaxCount": count,
        "ClientToken": client_token,  # a retried call never launches twice
        "InstanceMarketOptions": {"MarketType": "spot", "SpotOptions": spot},
        "TagSpecifications": [{"ResourceType": "instance", "Tags": tags}, {"ResourceType": "volume", "Tags": tags}],
    }
    if spec.instance_type:
        request["InstanceType"] = spec.instance_type
    if spec.image_id:
        request["ImageId"] = spec.image_id
    if spec.subnet_id:
        interface: dict[str, Any] = {"DeviceIndex": 0, "SubnetId": spec.subnet_id, "DeleteOnTermination": True}
        if spec.security_group_ids:
            interface["Groups"] = list(spec.security_group_ids)
        request["NetworkInterfaces"] = [interface]
    if spec.instance_profile:
        key = "Arn" if spec.instance_profile.startswith("arn:") else "Name"
        request["IamInstanceProfile"] = {key: spec.instance_profile}
    if spec.volume_gib is not None:
        ebs = {"VolumeSize": spec.volume_gib, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}
        request["BlockDeviceMappings"] = [{"DeviceName": spec.root_device, "Ebs": ebs}]
    if spec.user_data is not None:
        request["UserData"] = spec.user_data  # boto3 base64-encodes it
    return request


@contextmanager
def ec2_errors(action: str) -> Iterator[None]:
    """botocore -> oncodrop errors; spot shortages are transient, the rest as ``aws_errors`` says."""
    with aws_errors(action):
        try:
            yield
        except ResponseParserError as exc:  # an HTML error page instead of an EC2 answer
            raise TransientError(f"{action}: the EC2 endpoint sent an unreadable answer; will try again") from exc
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in SPOT_SHORTAGE_CODES:
                message = exc.response.get("Error", {}).get("Message", "")
                raise TransientError(f"{action}: {code} {message}; will try again on the next tick") from exc
            raise


class Ec2Fleet:
    """A ``FleetProvider`` of EC2 spot instances; worker ids are instance ids."""

    name = "ec2"

    def __init__(self, spec: SpotLaunchSpec, client: Any) -> None:
        self.spec = spec
        self.client = client

    @classmethod
    def connect(cls, spec: SpotLaunchSpec, endpoint_url: str | None = None, region: str | None = None) -> Ec2Fleet:
        """A fleet talking to EC2 at ``endpoint_url`` (None: AWS) with credentials from the environment."""
        return cls(spec, aws_client("ec2", endpoint_url, region=region))

    def check(self) -> None:
        """Fail fast with a ``ConfigError`` when the launch template does not exist."""
        template = self.spec.launch_template
        key = "LaunchTemplateIds" if template.startswith("lt-") else "LaunchTemplateNames"
        missing = ConfigError(
            f"launch template {template} not found in this region; pass --launch-template with the "
            "stack's WorkerLaunchTemplateId output (deploy/aws/oncodrop.yaml)"
        )
        try:
            with ec2_errors(f"look up launch template {template}"):
                found = self.client.describe_launch_templates(**{key: [template]})["LaunchTemplates"]
        except ConfigError as exc:
            if "NotFound" in exc.message or "Malformed" in exc.message:
                raise missing from exc
            raise
        if not found:
            raise missing

    def start(self, count: int) -> list[str]:
        if count < 1:
            return []
        request = run_instances_request(self.spec, count, client_token=uuid.uuid4().hex)
        with ec2_errors(f"start {count} spot worker(s) from launch template {self.spec.launch_template}"):
            answer = self.client.run_instances(**request)
        return [instance["InstanceId"] for instance in answer["Instances"]]

    def workers(self) -> list[FleetWorker]:
        filters = [
            {"Name": f"tag:{FLEET_TAG}", "Values": [self.spec.fleet_name]},
            {"Name": "instance-state-name", "Values": list(LIVE_STATES)},
        ]
        found = []
        with ec2_errors(f"list the workers of fleet {self.spec.fleet_name}"):
            for page in self.client.get_paginator("describe_instances").paginate(Filters=filters):
                for reservation in page["Reservations"]:
                    for instance in reservation["Instances"]:
                        state = instance["State"]["Name"]
                        found.append(FleetWorker(instance["InstanceId"], state, instance["LaunchTime"]))
        return sorted(found, key=lambda w: (w.started_at, w.id))

    def stop(self, worker_ids: Sequence[str]) -> None:
        """Terminate the instances (spot instances cannot be stopped and restarted later)."""
        if not worker_ids:
            return
        with ec2_errors(f"terminate {len(worker_ids)} worker instance(s)"):
            self.client.terminate_instances(InstanceIds=list(worker_ids))
