"""What a local worker runs and how it is configured (shared by the local and Celery executors).

A worker gets the operator's ``Settings`` object itself (pickled with the ``WorkerConfig`` into
each spawned worker; no field is copied out of it) plus the runtime-only things that are not
settings: the job, the terminal hook, its work dir, preloads, watchers and idle exit.

``run_job`` and ``on_terminal`` cross process boundaries, so they must be picklable
(module-level functions or instances of module-level classes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import SampleRecord
from oncodrop.ledger import OutageBudget
from oncodrop.retry import RetryPolicy
from oncodrop.settings import Settings


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a successful job reports back: the uploaded output key and a small headline."""

    output_key: str
    headline: Headline | None = None
    bundle_version: str | None = None  # the bundle the output's interpretation was made with


RunJob = Callable[[SampleRecord, Path], JobOutcome]
OnTerminal = Callable[[SampleRecord], None]
# A watcher runs in a thread of the worker process until ``done`` is set; it calls
# ``stop(reason)`` to make the worker stop taking work and release its running sample.
StopWatcher = Callable[[Callable[[str], None], threading.Event], None]


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """Everything a worker process needs: the settings, plus runtime-only parts; picklable."""

    settings: Settings  # ledger (db), lease_s, job_timeout_s, poll_interval, retries
    run_job: RunJob
    work_root: Path  # job dirs go under <work_root>/oncodrop-work-<pid>-<random>/worker-<n>/
    on_terminal: OnTerminal | None = None
    preload: tuple[str, ...] = ()  # modules the job fork server imports once (heavy science stack)
    idle_exit_s: float | None = None  # exit 0 after this long without a claim (None: never)
    watchers: tuple[StopWatcher, ...] = ()  # picklable; each runs in a thread of every worker

    @property
    def ledger_url(self) -> str:
        return self.settings.db

    @property
    def lease_s(self) -> float:
        return self.settings.lease_s

    @property
    def heartbeat_s(self) -> float:
        """Seconds between two heartbeats: ``heartbeat_s``, at most a third of the lease."""
        return min(self.settings.heartbeat_s, self.settings.lease_s / 3)

    @property
    def outage(self) -> OutageBudget:
        """How long (and how often) an outage is retried without spending attempts."""
        return outage_budget(self.settings)

    @property
    def job_timeout_s(self) -> float:
        return self.settings.job_timeout_s

    @property
    def poll_interval_s(self) -> float:
        """How often an idle worker asks the ledger for work: at most every 0.25 s."""
        return min(0.25, self.settings.poll_interval)

    @property
    def policy(self) -> RetryPolicy:
        return job_retry_policy(self.settings)


def job_retry_policy(settings: Settings) -> RetryPolicy:
    """The job retry policy of ``settings`` (the one place it is built)."""
    return RetryPolicy(
        attempts=settings.max_attempts, backoff_s=settings.retry_backoff_s,
        max_backoff_s=settings.retry_backoff_cap_s, jitter=settings.retry_jitter,
    )  # fmt: skip


def outage_budget(settings: Settings) -> OutageBudget:
    """The outage budget of ``settings``: retried for ``outage_budget_s``, backoff from
    ``retry_backoff_s`` doubling up to ``outage_backoff_cap_s``, with the retry jitter."""
    backoff = RetryPolicy(
        attempts=1, backoff_s=min(settings.retry_backoff_s, settings.outage_backoff_cap_s),
        max_backoff_s=settings.outage_backoff_cap_s, jitter=settings.retry_jitter,
    )  # fmt: skip
    return OutageBudget(settings.outage_budget_s, backoff)
