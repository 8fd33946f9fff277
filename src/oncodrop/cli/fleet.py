"""``oncodrop fleet run | status | worker``: scale workers with the backlog (local or EC2 spot).

The CLI parses options (each also an ``ONCODROP_FLEET_*`` variable) and calls ``oncodrop.fleet``;
the scaling rules live in ``fleet.policy``.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from oncodrop.cli import main
from oncodrop.cli.service import load_settings
from oncodrop.errors import ConfigError, OncodropError

if TYPE_CHECKING:
    from oncodrop.fleet.policy import ScalingLimits
    from oncodrop.fleet.provider import FleetProvider, FleetWorker
    from oncodrop.fleet.scaler import ScalerTick
    from oncodrop.ledger import Ledger
    from oncodrop.settings import Settings

_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _options(*decorators: _Decorator) -> _Decorator:
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


_common = _options(
    click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 envvar="ONCODROP_CONFIG", help="TOML settings file (env ONCODROP_CONFIG)."),
    click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB)."),
    click.option("--provider", type=click.Choice(["local", "ec2"]), default="local", show_default=True,
                 envvar="ONCODROP_FLEET_PROVIDER", help="Where workers run (env ONCODROP_FLEET_PROVIDER)."),
)  # fmt: skip
_limits = _options(
    click.option("--min", "min_workers", type=click.IntRange(0), default=0, show_default=True,
                 envvar="ONCODROP_FLEET_MIN", help="Workers kept even without backlog (env ONCODROP_FLEET_MIN)."),
    click.option("--max", "max_workers", type=click.IntRange(1), default=4, show_default=True,
                 envvar="ONCODROP_FLEET_MAX", help="Most workers at once (env ONCODROP_FLEET_MAX)."),
    click.option("--samples-per-worker", type=click.IntRange(1), default=1, show_default=True,
                 envvar="ONCODROP_FLEET_SAMPLES_PER_WORKER", help="Samples one worker runs at once."),
    click.option("--idle-timeout", type=click.FloatRange(0), default=600.0, show_default=True,
                 envvar="ONCODROP_FLEET_IDLE_TIMEOUT", help="Seconds without work before a worker exits."),
    click.option("--cooldown", type=click.FloatRange(0), default=60.0, show_default=True,
                 envvar="ONCODROP_FLEET_COOLDOWN", help="Seconds between two scaling actions."),
)  # fmt: skip
_ec2 = _options(
    click.option("--launch-template", envvar="ONCODROP_FLEET_LAUNCH_TEMPLATE",
                 help="Launch template id or name (the stack's WorkerLaunchTemplateId)."),
    click.option("--template-version", default="$Latest", show_default=True, envvar="ONCODROP_FLEET_TEMPLATE_VERSION"),
    click.option("--fleet-name", default="oncodrop", show_default=True, envvar="ONCODROP_FLEET_NAME",
                 help="Tag value oncodrop:fleet that marks this fleet's instances."),
    click.option("--instance-type", envvar="ONCODROP_FLEET_INSTANCE_TYPE", help="Override the template's type."),
    click.option("--max-price", envvar="ONCODROP_FLEET_MAX_PRICE", help="Highest spot price, USD per hour."),
    click.option("--image", "image_id", envvar="ONCODROP_FLEET_IMAGE", help="Override the template's AMI."),
    click.option("--subnet", "subnet_id", envvar="ONCODROP_FLEET_SUBNET", help="Override the template's subnet."),
    click.option("--security-group", "security_groups", multiple=True, help="With --subnet: security group ids."),
    click.option("--instance-profile", envvar="ONCODROP_FLEET_INSTANCE_PROFILE", help="Instance profile ARN or name."),
    click.option("--volume-gib", type=click.IntRange(1), envvar="ONCODROP_FLEET_VOLUME_GIB", help="Root volume size."),
    click.option("--user-data", "user_data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 envvar="ONCODROP_FLEET_USER_DATA", help="Script replacing the template's user data."),
    click.option("--endpoint-url", envvar="ONCODROP_EC2_ENDPOINT_URL", help="EC2 endpoint (env ONCODROP_EC2_ENDPOINT_URL)."),
    click.option("--region", envvar="AWS_DEFAULT_REGION", help="AWS region (env AWS_DEFAULT_REGION)."),
)  # fmt: skip


@main.group("fleet")
def fleet_group() -> None:
    """Start workers when samples wait; they stop by themselves when idle."""


@fleet_group.command("run")
@_common
@_limits
@_ec2
@click.option("--bundle", type=click.Path(file_okay=False, path_type=Path), help="Reference bundle (local workers).")
@click.option("--interval", type=click.FloatRange(0.1), default=15.0, show_default=True,
              envvar="ONCODROP_FLEET_INTERVAL", help="Seconds between two looks at the backlog.")  # fmt: skip
@click.option("--once", is_flag=True, help="Decide and act once, then exit (for cron or a timer).")
def run(once: bool, interval: float, **options: Any) -> None:
    """Scale workers with the ledger's backlog until SIGTERM (or once)."""
    from oncodrop.fleet.scaler import Scaler

    if once and options["provider"] == "local":
        raise click.UsageError("--once needs --provider ec2: local workers live inside `oncodrop fleet run`")
    try:
        ledger, provider, limits, close = _open(options)
        try:
            scaler = Scaler(ledger, provider, limits)
            if once:
                _echo_tick(scaler.tick())
                return
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            click.echo(f"oncodrop fleet ({provider.name}) scaling {limits.min_workers}..{limits.max_workers} "
                       "workers (Ctrl-C to stop)", err=True)  # fmt: skip
            scaler.run(stop, interval)
        finally:
            close()
    except OncodropError as exc:
        raise click.ClickException(exc.message) from None


@fleet_group.command("status")
@_common
@_limits
@_ec2
@click.option("--json", "as_json", is_flag=True, help="Backlog, workers and the next decision as JSON.")
def status(as_json: bool, **options: Any) -> None:
    """Backlog, workers and what the scaler would do now (it does nothing)."""
    from oncodrop.fleet.policy import decide
    from oncodrop.fleet.scaler import Scaler

    try:
        ledger, provider, limits, close = _open(options, for_status=True)
        try:
            snapshot = Scaler(ledger, provider, limits).snapshot()
            workers = provider.workers()
        finally:
            close()
    except OncodropError as exc:
        raise click.ClickException(exc.message) from None
    decision = decide(snapshot, limits)
    data = {
        "provider": provider.name, "backlog": snapshot.backlog, "running": snapshot.running,
        "workers": [{"id": w.id, "state": w.state, "started_at": w.started_at.isoformat()} for w in workers],
        "decision": {"rule": decision.rule.value, "wanted": decision.wanted, "start": decision.start,
                     "stop": list(decision.stop)},
    }  # fmt: skip
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"backlog {snapshot.backlog}, running {snapshot.running}; {provider.name} workers: {len(workers)}")
    for w in workers:
        click.echo(f"  {w.id:<22} {w.state:<10} since {w.started_at:%Y-%m-%d %H:%M:%S}")
    click.echo(f"next: {decision.rule} (wanted {decision.wanted}, start {decision.start}, stop {len(decision.stop)})")


@fleet_group.command("worker")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar="ONCODROP_CONFIG", help="TOML settings file (env ONCODROP_CONFIG).")
@click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB).")
@click.option("--bundle", type=click.Path(file_okay=False, path_type=Path), help="Reference bundle (env ONCODROP_BUNDLE).")
@click.option("--workers", type=click.IntRange(1), help="Worker processes (env ONCODROP_WORKERS).")
@click.option("--idle-timeout", type=click.FloatRange(0), default=600.0, show_default=True,
              envvar="ONCODROP_FLEET_IDLE_TIMEOUT", help="Exit after this many seconds without work.")
@click.option("--spot-watch/--no-spot-watch", default=False, envvar="ONCODROP_FLEET_SPOT_WATCH",
              help="Watch the EC2 spot interruption notice (IMDSv2).")
@click.option("--spot-poll", type=click.FloatRange(0.1), default=5.0, show_default=True,
              envvar="ONCODROP_FLEET_SPOT_POLL", help="Seconds between two looks at the notice.")
@click.option("--imds-endpoint", default="http://169.254.169.254", show_default=True,
              envvar="ONCODROP_FLEET_IMDS_ENDPOINT", help="Instance metadata endpoint.")  # fmt: skip
def worker(config_file: Path | None, db: str | None, bundle: Path | None, workers: int | None, idle_timeout: float,
           spot_watch: bool, spot_poll: float, imds_endpoint: str) -> None:  # fmt: skip
    """Run workers on this machine until they are all idle (or interrupted), then exit 0.

    What a fleet instance runs: when it exits, the instance powers off and terminates.
    """
    from oncodrop.fleet.interruption import SpotInterruptionWatcher
    from oncodrop.fleet.local import LocalFleet, pipeline_worker_config

    settings = load_settings(config_file, db=db, bundle=bundle, workers=workers)
    watchers = (SpotInterruptionWatcher(imds_endpoint, interval_s=spot_poll),) if spot_watch else ()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        with LocalFleet(pipeline_worker_config(settings, idle_exit_s=idle_timeout, watchers=watchers)) as fleet:
            fleet.start(settings.workers)
            fleet.wait_until_empty(stop, poll_s=0.5)
            exit_codes = dict(fleet.exit_codes)
    except OncodropError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"oncodrop fleet worker: {len(exit_codes)} worker(s) ended, exit codes "
               f"{sorted(set(exit_codes.values()), key=str)}", err=True)  # fmt: skip


def _echo_tick(tick: ScalerTick) -> None:
    snapshot, decision = tick.snapshot, tick.decision
    click.echo(f"backlog {snapshot.backlog}, running {snapshot.running}, workers {len(snapshot.workers)}: "
               f"{decision.rule}; started {len(tick.started)}, stopped {len(decision.stop)}")  # fmt: skip
    for worker_id in tick.started:
        click.echo(f"  started {worker_id}")


def _open(
    options: dict[str, Any], *, for_status: bool = False
) -> tuple[Ledger, FleetProvider, ScalingLimits, Callable[[], None]]:
    """Ledger, provider and limits from the parsed options; ``close`` releases them."""
    from oncodrop.fleet.policy import ScalingLimits
    from oncodrop.ledger import Ledger

    settings = load_settings(options["config_file"], db=options["db"], bundle=options.get("bundle"))
    limits = ScalingLimits(
        min_workers=options["min_workers"], max_workers=options["max_workers"],
        samples_per_worker=options["samples_per_worker"], idle_timeout_s=options["idle_timeout"],
        cooldown_s=options["cooldown"],
    )  # fmt: skip
    provider = _ec2_fleet(options) if options["provider"] == "ec2" else _local_fleet(settings, limits, for_status)
    ledger = Ledger.open(settings.db)

    def close() -> None:
        ledger.close()
        closer = getattr(provider, "close", None)
        if closer is not None:
            closer()

    return ledger, provider, limits, close


def _ec2_fleet(options: dict[str, Any]) -> FleetProvider:
    from oncodrop.fleet.ec2 import Ec2Fleet, SpotLaunchSpec

    user_data = options["user_data_file"].read_text() if options["user_data_file"] else None
    spec = SpotLaunchSpec(
        launch_template=options["launch_template"] or "", template_version=options["template_version"],
        fleet_name=options["fleet_name"], instance_type=options["instance_type"], max_price=options["max_price"],
        image_id=options["image_id"], subnet_id=options["subnet_id"], security_group_ids=options["security_groups"],
        instance_profile=options["instance_profile"], volume_gib=options["volume_gib"], user_data=user_data,
    )  # fmt: skip
    fleet = Ec2Fleet.connect(spec, options["endpoint_url"], options["region"])
    fleet.check()
    return fleet


def _local_fleet(settings: Settings, limits: ScalingLimits, for_status: bool) -> FleetProvider:
    from oncodrop.fleet.local import LocalFleet, pipeline_worker_config

    if for_status:  # local workers live inside `fleet run`; status sees only the ledger
        return _NoWorkers()
    return LocalFleet(pipeline_worker_config(settings, idle_exit_s=limits.idle_timeout_s))


class _NoWorkers:
    """Stand-in provider for ``status --provider local``: another process owns the workers."""

    name = "local"

    def workers(self) -> list[FleetWorker]:
        return []

    def start(self, count: int) -> list[str]:
        raise ConfigError("local workers are started by `oncodrop fleet run`, not by status")

    def stop(self, worker_ids: Sequence[str]) -> None:
        raise ConfigError("local workers are stopped by `oncodrop fleet run`, not by status")
