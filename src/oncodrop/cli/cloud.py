"""``oncodrop lambda package``: cloud-mode tools. The CLI only parses and calls."""

from __future__ import annotations

from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.errors import ConfigError


@main.group("lambda")
def lambda_group() -> None:
    """The AWS Lambda that checks S3 uploads and forwards them to SQS."""


@lambda_group.command("package")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("oncodrop-lambda.zip"),
    show_default=True, help="Where to write the deployment zip.",
)  # fmt: skip
def package(out: Path) -> None:
    """Build the deployment zip (handler + the few oncodrop modules it needs; no boto3)."""
    from oncodrop.events.lambda_package import build_lambda_zip

    try:
        built = build_lambda_zip(out)
    except ConfigError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"wrote {built.path} ({built.size} bytes, {len(built.members)} files, sha256 {built.sha256})")
    click.echo(f"Lambda handler: {built.handler}")
