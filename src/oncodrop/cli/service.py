"""``oncodrop serve | worker | submit | status``: the service and its tools.

Every option is a setting (see ``oncodrop config show``): given, it overrides the
``ONCODROP_*`` variable and the ``--config`` file; the CLI only parses and calls.
"""

from __future__ import annotations

import gc
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors, config_option, default, load_settings
from oncodrop.errors import InputRejected

if TYPE_CHECKING:
    from oncodrop.settings import Settings

log = logging.getLogger("oncodrop.service")

STATUS_FIELDS = ("key", "state", "reason", "attempts", "output_key")

_config_option = config_option()
_store_option = click.option("--store", help="file:///DIR or s3://bucket[/prefix] (env ONCODROP_STORE).")
_db_option = click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB).")
_bundle_option = click.option(
    "--bundle", type=click.Path(file_okay=False, path_type=Path), help="Reference bundle folder (env ONCODROP_BUNDLE)."
)
_workers_option = click.option("--workers", type=int, help="Worker processes (env ONCODROP_WORKERS).")


def _run_until_signal(service: Any, console: Any = None) -> None:
    """Run until SIGTERM or SIGINT, then stop (the service logs its stop and how long it took).

    The interpreter's own exit then ends promptly: ``gc.freeze()`` spares the final garbage
    collection a walk over everything the service imported (seconds on a loaded machine).
    """
    stop = threading.Event()
    received: list[str] = []

    def on_signal(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    with service:
        if console is not None:
            console.start()
            click.echo(f"console at {console.url}", err=True)
        click.echo(f"{service.describe()} (Ctrl-C to stop)", err=True)
        try:
            stop.wait()
            log.info("%s received: stopping", received[0] if received else "stop")
        finally:
            if console is not None:
                console.stop()
    gc.freeze()


def _console(settings: Any) -> Any:
    """The embedded console server, or None when it is off or the web extra is missing."""
    if not settings.web.enabled:
        return None
    try:
        from oncodrop.web.server import ConsoleServer  # lazy: FastAPI/uvicorn come with the web extra
    except ModuleNotFoundError as exc:
        click.echo(f"console off: {exc.name} is not installed (pip install 'oncodrop[web]')", err=True)
        return None
    return ConsoleServer(settings)


_executor_option = click.option(
    "--executor", type=click.Choice(["local", "celery", "slurm", "batch"]),
    help="Run jobs on local worker processes, through Celery, as Slurm jobs or as AWS Batch jobs "
         "(env ONCODROP_EXECUTOR).",
)  # fmt: skip
_broker_option = click.option(
    "--broker-url", help="Celery broker: redis://, amqp:// or sqs:// (env ONCODROP_CELERY__BROKER_URL)."
)


def _check_pinned_bundle(settings: Settings) -> None:
    """Before any worker starts: the bundle is the one the deployment pins (version, manifest
    sha256, every file), if it pins one (``oncodrop.refdata.pin``)."""
    from oncodrop.refdata.pin import check_deployment_bundle  # lazy: CLI start-up

    check_deployment_bundle(settings)


@main.command()
@_config_option
@_store_option
@_db_option
@_bundle_option
@_workers_option
@_executor_option
@_broker_option
@click.option("--poll-interval", type=float, help="Seconds between store listings (env ONCODROP_POLL_INTERVAL).")
@click.option("--events", type=click.Choice(["poll", "sqs"]),
              help="Hear of new objects by listing the store or from an SQS queue of S3 notifications "
                   "(env ONCODROP_EVENTS).")
@click.option("--queue-url", help="The SQS queue of S3 notifications, with --events sqs (env ONCODROP_QUEUE_URL).")
@click.option("--web/--no-web", "web_enabled", default=None,
              help="Serve the console too (env ONCODROP_WEB__ENABLED)" + default("web.enabled", "on") + ".")  # fmt: skip
@click.option("--web-bind",
              help="Console listen address (env ONCODROP_WEB__BIND)" + default("web.bind", "127.0.0.1") + ".")  # fmt: skip
@click.option("--web-port", type=int, help="Console port (env ONCODROP_WEB__PORT)" + default("web.port", "8765") + ".")
@click.option("--intake-only", is_flag=True, default=None,
              help="No local workers, no bundle: intake, notifications and a remote executor's dispatch "
                   "(env ONCODROP_INTAKE_ONLY).")
def serve(config_file: Path | None, store: str | None, db: str | None, bundle: Path | None,
          workers: int | None, executor: str | None, broker_url: str | None, poll_interval: float | None,
          events: str | None, queue_url: str | None, web_enabled: bool | None, web_bind: str | None,
          web_port: int | None, intake_only: bool | None) -> None:  # fmt: skip
    """Watch the store (or an SQS queue), queue new tarballs and run them on workers."""
    from oncodrop.service import EmbeddedService

    settings = load_settings(config_file, store=store, db=db, bundle=bundle, workers=workers,
                             poll_interval=poll_interval, executor=executor, celery__broker_url=broker_url,
                             events=events, queue_url=queue_url, web__enabled=web_enabled, web__bind=web_bind,
                             web__port=web_port, intake_only=intake_only)  # fmt: skip
    with click_errors():
        _check_pinned_bundle(settings)
        console = _console(settings)
        _run_until_signal(EmbeddedService(settings), console)


@main.command()
@_config_option
@_db_option
@_bundle_option
@_workers_option
@_executor_option
@_broker_option
def worker(config_file: Path | None, db: str | None, bundle: Path | None, workers: int | None,
           executor: str | None, broker_url: str | None) -> None:  # fmt: skip
    """Run workers only (no polling): drain the ledger's queue, or the Celery queue."""
    from oncodrop.service import EmbeddedService

    settings = load_settings(config_file, db=db, bundle=bundle, workers=workers, executor=executor,
                             celery__broker_url=broker_url)  # fmt: skip
    if settings.executor == "batch":
        raise click.ClickException("with executor = batch there are no worker processes: `oncodrop serve` submits "
                                   "one Batch job per sample and each runs `oncodrop batch-job`")  # fmt: skip
    with click_errors():
        _check_pinned_bundle(settings)
        _run_until_signal(EmbeddedService(settings, run_poller=False))


@main.command()
@_config_option
@_store_option
@click.option("--prefix", default="", help="Folder inside the store to upload into (e.g. projectA/).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def submit(config_file: Path | None, store: str | None, prefix: str, files: tuple[Path, ...]) -> None:
    """Validate tarballs locally (name, safety, manifest, config), then upload them."""
    from oncodrop.service.submit import submit_files

    settings = load_settings(config_file, store=store)
    results = submit_files(files, settings, prefix=prefix)
    failed = 0
    for result in results:
        if result.rejection is None:
            click.echo(f"uploaded  {result.path.name} -> {result.key}")
        else:
            failed += 1
            click.echo(f"REJECTED  {result.path.name}: {result.rejection.message}", err=True)
    if failed:
        sys.exit(2)


@main.command()
@click.option("--vcf", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", "sample_config", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The sample's TOML config (ours or a PCGR one).")
@click.option("--cna", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CNA segments TSV.")
@click.option("--index", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The VCF's .tbi/.csi.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="{sample_batch}-{id6}-{somatic|normal}.tar.gz")
def pack(vcf: Path, sample_config: Path, cna: Path | None, index: Path | None, out: Path) -> None:  # fmt: skip
    """Build a well-formed input tarball (checks names and the config first)."""
    from oncodrop.intake.pack import pack_sample
    from oncodrop.naming import PATTERN, name_problems

    if problems := name_problems(out.name):
        raise click.ClickException(
            f"--out {out.name}: an input tarball is named {PATTERN} (e.g. run42-3fa9c1-somatic.tar.gz): "
            f"{'; '.join(problems)}. Choose an --out name of that form."
        )
    if index is None and Path(f"{vcf}.tbi").is_file():
        index = Path(f"{vcf}.tbi")
    with click_errors(InputRejected):
        pack_sample(out, vcf, sample_config, cna, index=index)
    click.echo(f"wrote {out}")


@main.command()
@_config_option
@_db_option
@click.option("--json", "as_json", is_flag=True,
              help="A JSON list of objects with key, state, reason, attempts, output_key, runtime_s and "
                   "cost_usd_estimate (runtime x batch.vcpus x batch.spot_price_per_vcpu_hour).")
def status(config_file: Path | None, db: str | None, as_json: bool) -> None:
    """Show every sample the ledger knows, newest first.

    output_key is where the sample's output is (SUCCEEDED) or will be written; it is empty
    for REJECTED and DEAD samples, which have none. A read: the ledger is neither created
    nor migrated.
    """
    from oncodrop.ledger import Ledger

    settings = load_settings(config_file, db=db)
    with click_errors():
        ledger = Ledger.open(settings.db, migrate_schema=False, create=False)
        try:
            rows = [status_row(r) for r in ledger.list_samples(limit=100_000)]
            if as_json:
                _add_cost_estimates(rows, ledger, settings)
        finally:
            ledger.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[str(row[f]) if row[f] is not None else "" for f in STATUS_FIELDS] for row in rows]
    table = Table(*STATUS_FIELDS)
    for column in (table.columns[0], table.columns[-1]):  # keys are identifiers: never cut
        column.no_wrap = True
        column.min_width = max((len(c[table.columns.index(column)]) for c in cells), default=0)
    for row_cells in cells:
        table.add_row(*(Text(cell) for cell in row_cells))  # text, not markup: "[sample]" stays
    console = Console()
    if not console.is_terminal:  # piped: as wide as the rows, not 80 columns
        console = Console(width=10_000)
    console.print(table)


def _add_cost_estimates(rows: list[dict[str, Any]], ledger: Any, settings: Any) -> None:
    """``runtime_s`` (time its attempts ran) and ``cost_usd_estimate`` (runtime x the Batch
    vCPUs x the spot price per vCPU-hour) on each row; the record id, not a contract field, goes."""
    from oncodrop.execute.cost import cost_usd, running_seconds

    batch = settings.batch
    for row in rows:
        runtime = running_seconds(ledger.history(row.pop("id")))
        row["runtime_s"] = round(runtime, 1)
        row["cost_usd_estimate"] = cost_usd(runtime, batch.vcpus, batch.spot_price_per_vcpu_hour)


NO_OUTPUT = frozenset({"REJECTED", "DEAD"})  # terminal, and no output was or will be written


def status_row(record: Any) -> dict[str, Any]:
    """The contract fields of one sample (``oncodrop status --json``)."""
    state = record.state.value
    return {
        "id": record.id,
        "key": record.key,
        "state": state,
        "reason": record.reason,
        "attempts": record.attempts,
        "output_key": None if state in NO_OUTPUT else record.output_key,
    }


__all__ = ["InputRejected", "load_settings", "status_row"]
