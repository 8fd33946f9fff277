"""``oncodrop fleet run | status | worker``: scale workers with the backlog (local or EC2 spot).

Every option is a ``[fleet]`` setting (``ONCODROP_FLEET__<FIELD>``, see ``oncodrop config show``);
the CLI parses options and calls ``oncodrop.fleet``; the scaling rules live in ``fleet.policy``.
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
from oncodrop.cli.common import config_option, default, given, load_settings
from oncodrop.errors import ConfigError, OncodropError
from oncodrop.settings import FleetSettings

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
    config_option(),
    click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB)."),
    click.option("--provider", type=click.Choice(["local", "ec2"]), help="Where workers run." + default(FleetSettings, "provider")),
)  # fmt: skip
_limits = _options(
    click.option("--min", "min_workers", type=click.IntRange(0), help="Workers kept even without backlog." + default(FleetSettings, "min_workers")),
    click.option("--max", "max_workers", type=click.IntRange(1), help="Most workers at once." + default(FleetSettings, "max_workers")),
    click.option("--samples-per-worker", type=click.IntRange(1), help="Samples one worker runs at once." + default(FleetSettings, "samples_per_worker")),
    click.option("--idle-timeout", "idle_timeout_s", type=click.FloatRange(0),
                 help="Seconds without work before a worker exits." + default(FleetSettings, "idle_timeout_s")),
    click.option("--cooldown", "cooldown_s", type=click.FloatRange(0),
                 help="Seconds between two scaling actions." + default(FleetSettings, "cooldown_s")),
)  # fmt: skip
_ec2 = _options(
    click.option("--launch-template", help="Launch template id or name (the stack's WorkerLaunchTemplateId)."),
    click.option("--template-version", help="Launch template version." + default(FleetSettings, "template_version")),
    click.option("--fleet-name", "name", help="Tag value oncodrop:fleet that marks this fleet's instances."
                 + default(FleetSettings, "name")),
    click.option("--instance-type", help="Override the template's type."),
    click.option("--max-price", help="Highest spot price, USD per hour."),
    click.option("--image", "image_id", help="Override the template's AMI."),
    click.option("--subnet", "subnet_id", help="Override the template's subnet."),
    click.option("--security-group", "security_group_ids", multiple=True, help="With --subnet: security group ids."),
    click.option("--instance-profile", help="Instance profile ARN or name."),
    click.option("--volume-gib", type=click.IntRange(1), help="Root volume size."),
    click.option("--user-data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Script replacing the template's user data."),
    click.option("--endpoint-url", help="EC2 endpoint (setting aws.ec2_endpoint_url)."),
    click.option("--region", help="AWS region (default: boto3's, e.g. AWS_DEFAULT_REGION)."),
)  # fmt: skip
_FLEET_OPTIONS = (
    "provider", "min_workers", "max_workers", "samples_per_worker", "idle_timeout_s", "cooldown_s",
    "launch_template", "template_version", "name", "instance_type", "max_price", "image_id", "subnet_id",
    "security_group_ids", "instance_profile", "volume_gib", "user_data", "interval_s", "spot_watch",
    "spot_poll_s", "imds_endpoint",
)  # fmt: skip


def _settings(options: dict[str, Any]) -> Settings:
    """Settings with the given fleet options as overrides (each one a ``[fleet]`` field)."""
    overrides: dict[str, Any] = {f"fleet__{name}": options.get(name) for name in _FLEET_OPTIONS}
    overrides["fleet__security_group_ids"] = given(options.get("security_group_ids", ()))
    return load_settings(options["config_file"], db=options["db"], bundle=options.get("bundle"),
                         workers=options.get("workers"), aws__ec2_endpoint_url=options.get("endpoint_url"),
                         **overrides)  # fmt: skip


@main.group("fleet")
def fleet_group() -> None:
    """Start workers when samples wait; they stop by themselves when idle."""


@fleet_group.command("run")
@_common
@_limits
@_ec2
@click.option("--bundle", type=click.Path(file_okay=False, path_type=Path), help="Reference bundle (local workers).")
@click.option("--interval", "interval_s", type=click.FloatRange(0.1),
              help="Seconds between two looks at the backlog." + default(FleetSettings, "interval_s"))  # fmt: skip
@click.option("--once", is_flag=True, help="Decide and act once, then exit (for cron or a timer).")
def run(once: bool, **options: Any) -> None:
    """Scale workers with the ledger's backlog until SIGTERM (or once)."""
    from oncodrop.fleet.scaler import Scaler

    settings = _settings(options)
    if once and settings.fleet.provider == "local":
        raise click.UsageError("--once needs --provider ec2: local workers live inside `oncodrop fleet run`")
    try:
        ledger, provider, limits, close = _open(settings, options["region"])
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
            scaler.run(stop, settings.fleet.interval_s)
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
        ledger, provider, limits, close = _open(_settings(options), options["region"], for_status=True)
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
@config_option()
@click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB).")
@click.option("--bundle", type=click.Path(file_okay=False, path_type=Path), help="Reference bundle (env ONCODROP_BUNDLE).")
@click.option("--workers", type=click.IntRange(1), help="Worker processes (env ONCODROP_WORKERS).")
@click.option("--idle-timeout", "idle_timeout_s", type=click.FloatRange(0),
              help="Exit after this many seconds without work." + default(FleetSettings, "idle_timeout_s"))
@click.option("--spot-watch/--no-spot-watch", default=None, help="Watch the EC2 spot interruption notice (IMDSv2).")
@click.option("--spot-poll", "spot_poll_s", type=click.FloatRange(0.1),
              help="Seconds between two looks at the notice." + default(FleetSettings, "spot_poll_s"))
@click.option("--imds-endpoint", help="Instance metadata endpoint." + default(FleetSettings, "imds_endpoint"))  # fmt: skip
def worker(**options: Any) -> None:
    """Run workers on this machine until they are all idle (or interrupted), then exit 0.

    What a fleet instance runs: when it exits, the instance powers off and terminates.
    """
    from oncodrop.fleet.local import LocalFleet, pipeline_worker_config

    settings = _settings(options)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        with LocalFleet(pipeline_worker_config(settings, fleet_worker=True)) as fleet:
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
    settings: Settings, region: str | None, *, for_status: bool = False
) -> tuple[Ledger, FleetProvider, ScalingLimits, Callable[[], None]]:
    """Ledger, provider and limits from the settings; ``close`` releases them."""
    from oncodrop.fleet.policy import ScalingLimits
    from oncodrop.ledger import Ledger

    limits = ScalingLimits.from_settings(settings.fleet)
    provider = _ec2_fleet(settings, region) if settings.fleet.provider == "ec2" else _local_fleet(settings, for_status)
    ledger = Ledger.open(settings.db)

    def close() -> None:
        ledger.close()
        closer = getattr(provider, "close", None)
        if closer is not None:
            closer()

    return ledger, provider, limits, close


def _ec2_fleet(settings: Settings, region: str | None) -> FleetProvider:
    from oncodrop.fleet.ec2 import Ec2Fleet, SpotLaunchSpec

    fleet = Ec2Fleet.connect(SpotLaunchSpec.from_settings(settings.fleet), settings.aws.ec2_endpoint_url, region)
    fleet.check()
    return fleet


def _local_fleet(settings: Settings, for_status: bool) -> FleetProvider:
    from oncodrop.fleet.local import LocalFleet, pipeline_worker_config

    if for_status:  # local workers live inside `fleet run`; status sees only the ledger
        return _NoWorkers()
    return LocalFleet(pipeline_worker_config(settings))


class _NoWorkers:
    """Stand-in provider for ``status --provider local``: another process owns the workers."""

    name = "local"

    def workers(self) -> list[FleetWorker]:
        return []

    def start(self, count: int) -> list[str]:
        raise ConfigError("local workers are started by `oncodrop fleet run`, not by status")

    def stop(self, worker_ids: Sequence[str]) -> None:
        raise ConfigError("local workers are stopped by `oncodrop fleet run`, not by status")
