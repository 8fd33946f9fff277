"""``oncodrop reinterpret``: a thin wrapper over ``oncodrop.service.reinterpret_remote`` (local
runner processes, or drains on the configured executor; docs/reinterpretation.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors, config_option, load_settings


@main.command("reinterpret")
@config_option()
@click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB).")
@click.option("--all", "all_samples", is_flag=True, help="every past SUCCEEDED sample")
@click.option("--since", type=click.DateTime(), help="samples finished since this UTC date/time")
@click.option("--batch", help="samples of one {sample_batch}-{id6}")
@click.option("--key", "keys", multiple=True, help="one input object key (repeatable)")
@click.option("--bundle-version", help="an installed bundle version (default: the current one)")
@click.option("--workers", type=int, help="runner processes, or drains on a remote executor "
                                           "(env ONCODROP_REINTERPRET__WORKERS)")  # fmt: skip
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0),
              help="remote executor: stop waiting after this many seconds (default: until done or Ctrl-C)")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print the outcome as JSON")
def reinterpret(config_file: Path | None, db: str | None, all_samples: bool, since: datetime | None,
                batch: str | None, keys: tuple[str, ...], bundle_version: str | None, workers: int | None,
                timeout_s: float | None, as_json: bool) -> None:  # fmt: skip
    """Re-interpret past samples against the current bundle, once per (sample, bundle version)."""
    from oncodrop.ledger.reinterp import Selection
    from oncodrop.service.reinterpret_remote import reinterpret as run_reinterpretation
    from oncodrop.service.reinterpret_remote import unfinished

    if not (all_samples or since or batch or keys):
        raise click.UsageError("say which samples: --all, --since, --batch or --key")
    settings = load_settings(config_file, db=db, reinterpret__workers=workers)
    selection = Selection(since=since.replace(tzinfo=UTC) if since else None, batch=batch, keys=keys)
    try:
        with click_errors():
            run = run_reinterpretation(settings, selection, version=bundle_version, timeout_s=timeout_s)
    except KeyboardInterrupt:
        raise click.ClickException("interrupted; jobs already sent to the executor go on (run again to wait)") from None
    outcome = {"bundle_version": run.bundle.version, "queued": run.queued, **run.counts}
    if as_json:
        click.echo(json.dumps(outcome, indent=2))
        return
    click.echo(f"bundle {run.bundle.version}: {run.queued} queued; " +
               ", ".join(f"{k} {v}" for k, v in run.counts.items()))  # fmt: skip
    left = unfinished(run.counts)
    if left:
        click.echo(f"{left} job(s) not finished after {timeout_s or 0:g} s; the drains go on (run again to wait)",
                   err=True)  # fmt: skip
    if run.counts.get("DEAD", 0) or left:
        raise SystemExit(1)
