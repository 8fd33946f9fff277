"""What a local worker runs and how it is configured (shared by the local and Celery executors).

``run_job`` and ``on_terminal`` cross process boundaries, so they must be picklable
(module-level functions or instances of module-level classes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import SampleRecord
from oncodrop.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a successful job reports back: the uploaded output key and a small headline."""

    output_key: str
    headline: Headline | None = None


RunJob = Callable[[SampleRecord, Path], JobOutcome]
OnTerminal = Callable[[SampleRecord], None]
# A watcher runs in a thread of the worker process until ``done`` is set; it calls
# ``stop(reason)`` to make the worker stop taking work and release its running sample.
StopWatcher = Callable[[Callable[[str], None], threading.Event], None]


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """Everything a worker process needs; picklable."""

    ledger_url: str
    run_job: RunJob
    work_root: Path  # job dirs go under <work_root>/oncodrop-work-<pid>-<random>/worker-<n>/
    lease_s: float = 30.0
    job_timeout_s: float = 6 * 3600.0
    poll_interval_s: float = 1.0
    policy: RetryPolicy = field(default_factory=RetryPolicy.for_jobs)  # delays only: the ledger counts attempts
    on_terminal: OnTerminal | None = None
    preload: tuple[str, ...] = ()  # modules the job fork server imports once (heavy science stack)
    idle_exit_s: float | None = None  # exit 0 after this long without a claim (None: never)
    watchers: tuple[StopWatcher, ...] = ()  # picklable; each runs in a thread of every worker
