"""Cloud-mode tools: ``oncodrop lambda package|runtime`` and ``oncodrop spot-prices``.

The CLI parses and calls; the one piece of logic here is the per-zone summary of spot prices,
a display concern (what the original system's spot-duration script printed).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors, config_option, load_settings
from oncodrop.errors import ConfigError


@main.group("lambda")
def lambda_group() -> None:
    """The AWS Lambda that checks S3 uploads and forwards them to SQS."""


@lambda_group.command("runtime")
@click.option("--handler", "spec", default=None,
              help="module:function to serve [default: the intake handler].")
def lambda_runtime(spec: str | None) -> None:
    """Serve Lambda invocations from AWS_LAMBDA_RUNTIME_API: the image as a Lambda container
    image (ImageConfig.Command ["lambda", "runtime"])."""
    from oncodrop.events.lambda_runtime import DEFAULT_HANDLER, load_handler, run  # lazy: CLI start-up

    api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not api:
        raise click.ClickException("AWS_LAMBDA_RUNTIME_API is not set: this command runs inside AWS Lambda")
    with click_errors():
        handler = load_handler(spec or DEFAULT_HANDLER)
    run(api, handler)


@lambda_group.command("package")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("oncodrop-lambda.zip"),
    show_default=True, help="Where to write the deployment zip.",
)  # fmt: skip
def package(out: Path) -> None:
    """Build the deployment zip (handler + the few oncodrop modules it needs; no boto3)."""
    from oncodrop.events.lambda_package import build_lambda_zip

    with click_errors(ConfigError):
        built = build_lambda_zip(out)
    click.echo(f"wrote {built.path} ({built.size} bytes, {len(built.members)} files, sha256 {built.sha256})")
    click.echo(f"Lambda handler: {built.handler}")


@dataclass(frozen=True, slots=True)
class ZonePrice:
    """Spot prices of one instance type in one availability zone over the asked window."""

    zone: str
    latest: Decimal
    low: Decimal
    high: Decimal
    samples: int


def summarise_spot_prices(history: Iterable[Mapping[str, Any]]) -> list[ZonePrice]:
    """``describe_spot_price_history`` entries -> one row per zone, cheapest latest price first."""
    by_zone: dict[str, list[tuple[datetime, Decimal]]] = {}
    for entry in history:
        by_zone.setdefault(entry["AvailabilityZone"], []).append((entry["Timestamp"], Decimal(entry["SpotPrice"])))
    rows = []
    for zone, points in by_zone.items():
        prices = [price for _, price in points]
        latest = max(points, key=lambda point: point[0])[1]
        rows.append(ZonePrice(zone, latest, min(prices), max(prices), len(points)))
    return sorted(rows, key=lambda row: (row.latest, row.zone))


@main.command("spot-prices")
@click.option("--instance-type", required=True, help="EC2 instance type, e.g. m6i.xlarge.")
@click.option("--hours", type=click.IntRange(1, 24 * 90), default=24, show_default=True, help="How far back.")
@click.option("--product", default="Linux/UNIX", show_default=True, help="Spot product description.")
@click.option("--region", help="AWS region (default: boto3's, e.g. AWS_DEFAULT_REGION).")
@click.option("--endpoint-url", help="EC2 endpoint (setting aws.ec2_endpoint_url).")
@config_option()
def spot_prices(instance_type: str, hours: int, product: str, region: str | None, endpoint_url: str | None,
                config_file: Path | None) -> None:  # fmt: skip
    """Recent spot prices per availability zone for one instance type (USD per hour)."""
    from oncodrop.store.s3 import aws_client, aws_errors

    settings = load_settings(config_file, configure_logs=False, aws__ec2_endpoint_url=endpoint_url)
    since = datetime.now(UTC) - timedelta(hours=hours)
    with click_errors():
        pages = aws_client("ec2", settings.aws.ec2_endpoint_url, region=region).get_paginator(
            "describe_spot_price_history"
        )
        with aws_errors(f"describe_spot_price_history for {instance_type}"):
            history = [
                entry
                for page in pages.paginate(InstanceTypes=[instance_type], ProductDescriptions=[product], StartTime=since)
                for entry in page["SpotPriceHistory"]
            ]
    rows = summarise_spot_prices(history)
    if not rows:
        raise click.ClickException(f"no spot prices for {instance_type} ({product}) in the last {hours} h")
    click.echo(f"{'zone':<16} {'latest':>10} {'low':>10} {'high':>10} {'samples':>8}")
    for row in rows:
        click.echo(f"{row.zone:<16} {row.latest:>10} {row.low:>10} {row.high:>10} {row.samples:>8}")
