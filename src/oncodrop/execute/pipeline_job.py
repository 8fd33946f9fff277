"""The picklable callables workers run (the per-sample pipeline, terminal notifications), and
the worker configuration built from ``Settings`` for every executor.

Workers are separate processes (spawn), so these carry only plain settings and build their
store, reporters and notifiers inside the worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from oncodrop.domain.kind import sample_kind
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError
from oncodrop.execute.job import JobOutcome, WorkerConfig
from oncodrop.execute.pipeline import SampleJob, run_sample
from oncodrop.notify import Fanout, RetryPolicy, build_fanout, notification_for
from oncodrop.report.protocol import Reporter
from oncodrop.report.registry import default_reporters
from oncodrop.settings import IntakeLimits, Settings
from oncodrop.store import open_store


@dataclass(frozen=True, slots=True)
class PipelineJob:
    """Runs one claimed sample through ``execute.pipeline.run_sample``."""

    bundle: Path
    limits: IntakeLimits = field(default_factory=IntakeLimits)

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        if record.output_key is None:
            raise ConfigError(f"{record.key}: the ledger has no output key for this sample")
        job = SampleJob(
            store_url=record.store_url, key=record.key, etag=record.etag, kind=sample_kind(record.kind),
            sample_id=record.sample_id, output_key=record.output_key,
        )  # fmt: skip
        reporters: dict[str, Reporter] = default_reporters()
        outcome = run_sample(
            job, store=open_store(record.store_url), reporters=reporters, bundle=self.bundle,
            workdir=workdir, limits=self.limits,
        )  # fmt: skip
        return JobOutcome(output_key=outcome.output_key, headline=outcome.headline)


@dataclass(frozen=True, slots=True)
class TerminalNotifier:
    """Tells every configured target that a sample reached a terminal state."""

    slack_webhook_url: str | None = None
    webhook_url: str | None = None
    attempts: int = 4
    backoff_s: float = 1.0
    link_expires_s: int = 7 * 24 * 3600

    def fanout(self) -> Fanout:
        return build_fanout(self.slack_webhook_url, self.webhook_url,
                            RetryPolicy(attempts=self.attempts, backoff_s=self.backoff_s))  # fmt: skip

    def __call__(self, record: SampleRecord) -> None:
        link = None
        if record.state is SampleState.SUCCEEDED and record.output_key:
            link = open_store(record.store_url).link(record.output_key, self.link_expires_s)
        fanout = self.fanout()
        try:
            fanout.send(notification_for(record, link))
        finally:
            fanout.close()


# imported once per worker's job fork server (see execute.local), not once per job
PRELOAD = ("oncodrop.report.engine", "oncodrop.report.germline.engine", "openpyxl", "scipy.optimize")


def worker_config(settings: Settings, work_root: Path) -> WorkerConfig:
    """The worker loop's configuration (job, lease, timeouts, retries, notifications) from
    settings; shared by the local and the Celery executor."""
    if settings.bundle is None:
        raise ConfigError("no reference bundle: pass --bundle DIR or set ONCODROP_BUNDLE")
    return WorkerConfig(
        ledger_url=settings.db, run_job=PipelineJob(settings.bundle.resolve(), settings.intake),
        work_root=work_root, lease_s=settings.lease_s, job_timeout_s=settings.job_timeout_s,
        poll_interval_s=min(0.25, settings.poll_interval),
        policy=RetryPolicy.for_jobs(settings.max_attempts), on_terminal=notifier_for(settings),
        preload=PRELOAD,
    )  # fmt: skip


def notifier_for(settings: Settings) -> TerminalNotifier:
    return TerminalNotifier(
        slack_webhook_url=_secret(settings.slack_webhook_url), webhook_url=_secret(settings.webhook_url),
        attempts=settings.notify_attempts, backoff_s=settings.notify_backoff_s,
        link_expires_s=settings.link_expires_s,
    )  # fmt: skip


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
