"""One sample in one scheduler job: the body a Slurm job and an AWS Batch job share.

The scheduler's job claims the one sample it was submitted for (``Ledger.claim_specific``, the
exactly-once guard: a duplicate job finds the lease held or the sample finished and does
nothing) and runs it with the local worker's code (``Worker.run_one``: heartbeat, job child,
``errors.classify``, ledger outcome, notification in the outbox). SIGTERM (``scancel``, a spot
reclaim) stops the worker, which kills the job child and *releases* the lease (an uncounted
attempt); the dispatcher submits the sample again. The job child and its fork server ignore
SIGTERM (ignored before the fork server starts, and an ignored signal stays ignored across exec
and fork), so only this process reacts.
"""

from __future__ import annotations

import logging
import resource
import shutil
import signal
import time
from multiprocessing import forkserver
from pathlib import Path
from types import FrameType

from oncodrop.execute.child import JOB_CTX
from oncodrop.execute.pipeline_job import PRELOAD, worker_config
from oncodrop.execute.worker import Worker
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

log = logging.getLogger(__name__)


def resource_use(started: float) -> dict[str, float | int]:
    """CPU seconds and peak RSS (KiB) of this process and its waited-for children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_s": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 3),
            "max_rss_kib": max(me.ru_maxrss, kids.ru_maxrss),
            "elapsed_s": round(time.monotonic() - started, 3)}  # fmt: skip


def run_one_sample(settings: Settings, record_id: int, *, work_root: Path, worker_id: str, label: str) -> str:
    """Claim and run sample ``record_id``; its state afterwards (``skipped`` when not runnable).

    ``label`` names the job in log lines (``slurm job 123_4``, ``batch job ab12…``); ``work_root``
    is removed at the end, whatever happened.
    """
    config = worker_config(settings, work_root)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # inherited by the fork server and job children
    JOB_CTX.set_forkserver_preload([config.run_job.__module__, *PRELOAD])
    forkserver.ensure_running()
    ledger = Ledger.open(settings.db, migrate_schema=False, max_attempts=settings.max_attempts)
    worker = Worker(config, 0, ledger)
    worker.worker_id = worker_id

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        log.info("%s: %s received; stopping", label, name)
        worker.stop(f"{label} stopped ({name})")

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    outcome = "skipped"
    try:
        worker.slot_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        record = ledger.claim_specific(record_id, worker.worker_id, settings.lease_s)
        if record is not None:
            worker.run_one(record)
            after = ledger.get(record_id)
            outcome = after.state.value if after is not None else "unknown"
    finally:
        ledger.close()
        shutil.rmtree(work_root, ignore_errors=True)
        _stop_fork_server()
    return outcome


def _stop_fork_server() -> None:
    """Stop and reap the job fork server, so the job children it reaped count in our
    RUSAGE_CHILDREN. ``_stop`` is CPython's own (private) way to do it; without it the
    accounting covers this process only."""
    stop = getattr(forkserver._forkserver, "_stop", None)
    if callable(stop):
        stop()
