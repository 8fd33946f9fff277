"""Register a new revision of the oncodrop AWS Batch job definition that runs a new image.

    python scripts/release/register_job_definition.py --job-definition oncodrop-sample \
        --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/oncodrop@sha256:… \
        [--bundle-version V --bundle-sha256 S] [--endpoint-url URL]

The newest ACTIVE revision (created by the CloudFormation stack) is the template: its type,
container properties (command, resources, roles, log configuration), retry strategy, timeout,
tags and platform are copied unchanged; only the image and, when given, the bundle pins
(``ONCODROP_BUNDLE_VERSION``, ``ONCODROP_BUNDLE_SHA256`` in the container environment) change.
Jobs submitted by name run on the newest ACTIVE revision, so registering deploys; deregistering
it rolls back to the previous one (deploy/aws/README.md). Prints the new revision's ARN.
Credentials and region come from the usual AWS sources (the release workflow: OIDC role).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import boto3

COPIED = ("type", "parameters", "retryStrategy", "timeout", "tags", "propagateTags", "platformCapabilities",
          "schedulingPriority")  # fmt: skip
PIN_NAMES = ("ONCODROP_BUNDLE_VERSION", "ONCODROP_BUNDLE_SHA256")


def latest_active(batch: Any, name: str) -> dict[str, Any]:
    """The newest ACTIVE revision of job definition ``name``; SystemExit naming it if none."""
    revisions: list[dict[str, Any]] = []
    for page in batch.get_paginator("describe_job_definitions").paginate(jobDefinitionName=name, status="ACTIVE"):
        revisions.extend(page["jobDefinitions"])
    if not revisions:
        raise SystemExit(f"no ACTIVE job definition named {name!r}: deploy the stack (deploy/aws/) first")
    return max(revisions, key=lambda d: int(d["revision"]))


def next_revision(current: dict[str, Any], image: str, pins: dict[str, str]) -> dict[str, Any]:
    """The ``register_job_definition`` arguments: ``current`` with a new image and bundle pins."""
    container = dict(current["containerProperties"])
    container["image"] = image
    environment = [e for e in container.get("environment", []) if e["name"] not in pins]
    container["environment"] = environment + [{"name": k, "value": v} for k, v in sorted(pins.items())]
    request = {"jobDefinitionName": current["jobDefinitionName"], "containerProperties": container}
    request.update({key: current[key] for key in COPIED if key in current})
    return request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-definition", required=True, help="job definition name (the stack's output)")
    parser.add_argument("--image", required=True, help="image URI, by digest for a release (…@sha256:…)")
    parser.add_argument("--bundle-version", help="pin ONCODROP_BUNDLE_VERSION in the job's environment")
    parser.add_argument("--bundle-sha256", help="pin ONCODROP_BUNDLE_SHA256 (the manifest's sha256)")
    parser.add_argument("--endpoint-url", help="a non-AWS endpoint (moto_server in tests)")
    args = parser.parse_args(argv)
    batch = boto3.client("batch", endpoint_url=args.endpoint_url)
    pins = {name: value for name, value in zip(PIN_NAMES, (args.bundle_version, args.bundle_sha256)) if value}
    current = latest_active(batch, args.job_definition)
    created = batch.register_job_definition(**next_revision(current, args.image, pins))
    print(created["jobDefinitionArn"])
    print(f"revision {created['revision']} (was {current['revision']}) runs {args.image}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
