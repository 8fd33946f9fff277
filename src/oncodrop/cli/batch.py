"""``oncodrop batch-job --record-id N``: the command every AWS Batch job of the image runs, and
``oncodrop reinterpret-job --bundle-version V`` (hidden), the command override of a
re-interpretation drain's Batch job (``execute.reinterpret_job``).

The job definition's command is ``["oncodrop", "batch-job", "--record-id", "Ref::record_id"]``;
the Batch executor passes the ledger's record id as the job parameter ``record_id``. Settings
come from the job's ``ONCODROP_*`` environment; secrets (the ledger's password) are read from
Secrets Manager at start (``[aws] db_secret_id``).
"""

from __future__ import annotations

from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors, config_option, load_settings


@main.command("batch-job")
@config_option()
@click.option("--record-id", type=int, required=True, help="The ledger's record id of the sample to run.")
def batch_job(config_file: Path | None, record_id: int) -> None:
    """Run one sample inside an AWS Batch job (exit 0 once its outcome is in the ledger)."""
    from oncodrop.execute.batch_job import main as run_job

    settings = load_settings(config_file)
    with click_errors():  # ledger or bundle unusable: non-zero, Batch shows it as FAILED
        outcome = run_job(settings, record_id)
    click.echo(f"sample #{record_id}: {outcome}", err=True)


@main.command("reinterpret-job", hidden=True)
@config_option()
@click.option("--bundle-version", required=True, help="The installed bundle version whose queue to drain.")
def reinterpret_job(config_file: Path | None, bundle_version: str) -> None:
    """Drain one bundle version's re-interpretation queue inside an AWS Batch job."""
    from oncodrop.execute.reinterpret_job import batch_main

    settings = load_settings(config_file)
    with click_errors():  # ledger or bundle unusable: non-zero, Batch shows it as FAILED
        tally = batch_main(settings, bundle_version)
    click.echo(f"bundle {bundle_version}: {tally.done} re-interpreted, {tally.failed} failed", err=True)
