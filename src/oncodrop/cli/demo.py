"""``oncodrop demo [--cloud]``: the end-to-end flow on generated samples, embedded or cloud."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors


@main.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the bucket, ledger, bundle and reports here (default: a temporary folder).")
@click.option("--workers", type=int, default=2, show_default=True, help="Worker processes.")
@click.option("--timeout", "timeout_s", type=float, default=300, show_default=True,
              help="Give up when samples are not terminal after this many seconds.")
@click.option("--cloud", is_flag=True,
              help="S3 bucket + SQS events on a local moto_server instead of a folder bucket.")
@click.option("--executor", type=click.Choice(["local", "celery"]), default="local", show_default=True,
              help="With --cloud: run jobs on local workers or on Celery workers (starts a redis-server).")
def demo(workdir: Path | None, workers: int, timeout_s: float, cloud: bool, executor: str) -> None:  # fmt: skip
    """Build a demo bundle, drop demo tarballs, run the service until all are terminal."""
    from oncodrop.logs import configure_logging

    configure_logging("WARNING")
    if not cloud:
        if executor != "local":
            raise click.UsageError("--executor celery needs --cloud")
        from oncodrop.demo.run import run_demo

        sys.exit(run_demo(workdir, workers=workers, timeout_s=timeout_s))
    from oncodrop.demo.cloud import run_cloud_demo

    with click_errors():
        code = run_cloud_demo(workdir, workers=workers, timeout_s=timeout_s, executor=executor)
    sys.exit(code)
