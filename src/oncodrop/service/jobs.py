"""The picklable callables the local workers run: the per-sample pipeline and terminal notifications.

Workers are separate processes (spawn), so these carry only plain settings and build their
store, reporters and notifiers inside the worker.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncodrop.errors import ConfigError
from oncodrop.execute.job import JobOutcome
from oncodrop.execute.pipeline import SampleJob, run_sample
from oncodrop.intake.tarball import IntakeLimits
from oncodrop.ledger import SampleRecord, SampleState
from oncodrop.notify import Fanout, Notification, RetryPolicy, build_fanout
from oncodrop.report.protocol import Headline, Reporter
from oncodrop.report.registry import default_reporters
from oncodrop.store import open_store

_EVENT_OF_STATE = {
    SampleState.RECEIVED: "received",
    SampleState.QUEUED: "received",
    SampleState.REJECTED: "rejected",
    SampleState.SUCCEEDED: "succeeded",
    SampleState.FAILED: "failed",
    SampleState.DEAD: "dead",
}


@dataclass(frozen=True, slots=True)
class PipelineJob:
    """Runs one claimed sample through ``execute.pipeline.run_sample``."""

    bundle: Path
    limits: IntakeLimits = field(default_factory=IntakeLimits)

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        if record.output_key is None:
            raise ConfigError(f"{record.key}: the ledger has no output key for this sample")
        job = SampleJob(
            store_url=record.store_url, key=record.key, etag=record.etag, kind=_kind(record.kind),
            sample_id=record.sample_id, output_key=record.output_key,
        )  # fmt: skip
        reporters: dict[str, Reporter] = default_reporters()
        outcome = run_sample(
            job, store=open_store(record.store_url), reporters=reporters, bundle=self.bundle,
            workdir=workdir, limits=self.limits,
        )  # fmt: skip
        return JobOutcome(output_key=outcome.output_key, headline=headline_json(outcome.headline))


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


def notification_for(record: SampleRecord, output_link: str | None = None) -> Notification:
    """The notification for a record's current state (object key and results only)."""
    headline = _headline(record.headline)
    return Notification(
        event=_EVENT_OF_STATE[record.state],  # type: ignore[arg-type]
        key=record.key, sample_id=record.sample_id, kind=_kind(record.kind), state=record.state.value,
        attempts=record.attempts, reason_code=record.reason_code, reason=record.reason,
        headline=headline, output_key=record.output_key if record.state is SampleState.SUCCEEDED else None,
        output_link=output_link,
    )  # fmt: skip


def _headline(raw: dict[str, Any]) -> Headline | None:
    if not raw:
        return None
    known = {f.name for f in dataclasses.fields(Headline)}
    values = {k: v for k, v in raw.items() if k in known}
    if "top_signatures" in values:
        values["top_signatures"] = tuple(values["top_signatures"] or ())
    return Headline(**values)


def headline_json(headline: Headline) -> dict[str, Any]:
    data = dataclasses.asdict(headline)
    data["top_signatures"] = list(headline.top_signatures)
    return data


def _kind(kind: str) -> Any:
    return "normal" if kind in ("normal", "germline") else "somatic"
