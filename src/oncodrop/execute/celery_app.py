"""The Celery executor's app and its one task: run the sample a message names, exactly once.

A message carries only a ledger ``record_id``. The task body is the local worker's loop body
(``execute.local.Worker.run_one``: heartbeat, job child via ``run_in_child``, ``errors.classify``,
ledger outcome, ``on_terminal``) preceded by ``Ledger.claim_specific``: the ledger lease, not
the broker, is the exactly-once guard. A duplicate or redelivered message finds the lease held
or the sample finished and returns ``"skipped"``.

Broker settings that make redelivery safe (``celery_config``): ``acks_late`` (ack after the job),
``task_reject_on_worker_lost`` (a killed worker's message goes back), prefetch 1, and a
visibility timeout longer than the job timeout (else a long job is redelivered while running;
harmless here, but wasted). The second task, ``oncodrop.reinterpret_drain``, runs one
re-interpretation drain (``execute.reinterpret_job``) on the same workers. Works as ``celery -A oncodrop.execute.celery_app worker`` too: the
app loads ``Settings`` (``ONCODROP_*`` env, the ``ONCODROP_CONFIG`` file) when first used.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from celery import Celery, signals  # type: ignore[import-untyped]
from celery.exceptions import Reject  # type: ignore[import-untyped]

from oncodrop.execute.job import WorkerConfig
from oncodrop.execute.pipeline_job import PRELOAD, worker_config
from oncodrop.execute.worker import Worker
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

log = logging.getLogger(__name__)
# The broker-level task name; kept as it was when the function was renamed, so messages
# already queued by an older release still find their task.
TASK_NAME = "oncodrop.run_sample"
DRAIN_TASK_NAME = "oncodrop.reinterpret_drain"  # a bundle version's re-interpretation queue, until empty
SQS_MAX_VISIBILITY_S = 43_200  # the SQS limit (12 h)

app = Celery("oncodrop", set_as_current=False)


# --- configuration: rules as data per broker scheme -----------------------------------


def _redis_options(settings: Settings) -> dict[str, Any]:
    visibility = settings.visibility_timeout_s
    # scan for unacked messages of dead workers every visibility/5 s (LAB-NOTES: defaults took
    # ~100 s after a SIGKILL with a 10 s visibility; interval 2 + throttle 1 took ~9 s)
    return {"visibility_timeout": visibility, "unacked_restore_throttle": 1,
            "unacked_restore_interval": max(1, min(60, round(visibility / 5)))}  # fmt: skip


def _sqs_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "visibility_timeout": min(round(settings.visibility_timeout_s), SQS_MAX_VISIBILITY_S),
        "wait_time_seconds": 1, "polling_interval": 0.5,
        "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),  # AWS's own variable, not a setting
    }  # fmt: skip
    celery = settings.celery
    if urlsplit(celery.broker_url).hostname in _PLAIN_HTTP_HOSTS:
        options["is_secure"] = False  # a local stand-in (moto_server) speaks plain HTTP
    if celery.queue_url:
        options["predefined_queues"] = {celery.queue: {"url": celery.queue_url}}
    return options


_PLAIN_HTTP_HOSTS = ("127.0.0.1", "localhost", "::1")
_TRANSPORT_OPTIONS = {
    "redis": _redis_options,
    "rediss": _redis_options,
    "sqs": _sqs_options,
}


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery configuration for ``settings`` (no result backend: the ledger is the result)."""
    scheme = urlsplit(settings.celery.broker_url).scheme
    options = _TRANSPORT_OPTIONS.get(scheme, lambda _s: {})(settings)
    return {
        "broker_url": settings.celery.broker_url,
        "broker_transport_options": {k: v for k, v in options.items() if v is not None},
        "broker_connection_retry_on_startup": True,
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_default_queue": settings.celery.queue,
        "task_create_missing_queues": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "worker_enable_remote_control": False,  # no pidbox queues (SQS has predefined queues only)
        "worker_send_task_events": False,
    }


@dataclass(slots=True)
class _ProcessState:
    """This process's configuration and (in a worker) its runtime, built on first use."""

    settings: Settings | None = None
    work_root: Path | None = None
    runtime: _Runtime | None = None


_state = _ProcessState()


def configure(settings: Settings, work_root: Path | None = None) -> Celery:
    """Point the app at ``settings`` (and, in a worker, its private work dir)."""
    _state.settings, _state.work_root, _state.runtime = settings, work_root, None
    app.conf.update(celery_config(settings))
    return app


@app.on_configure.connect
def _from_environment(sender: Celery, **_: Any) -> None:
    """``celery -A oncodrop.execute.celery_app``: settings from ``ONCODROP_*`` / ONCODROP_CONFIG."""
    if _state.settings is None:
        _state.settings = Settings.load()
        sender.conf.update(celery_config(_state.settings))


# --- the worker side --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Runtime:
    """One per Celery worker process: its ledger connection and its local-worker loop body."""

    ledger: Ledger
    worker: Worker
    lease_s: float


def _runtime() -> _Runtime:
    if _state.runtime is None:
        settings = _state.settings or Settings.load()
        default_root = settings.work_root / f"oncodrop-celery-{os.getpid()}"
        work_root = _state.work_root or default_root
        config: WorkerConfig = worker_config(settings, work_root)
        forkserver_ctx = mp.get_context("forkserver")
        forkserver_ctx.set_forkserver_preload([config.run_job.__module__, *PRELOAD])
        ledger = Ledger.open(settings.db, migrate_schema=False, max_attempts=settings.max_attempts)
        worker = Worker(config, 0, ledger)
        worker.worker_id = f"celery@{socket.gethostname()}:{os.getpid()}"
        worker.slot_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        _state.runtime = _Runtime(ledger, worker, settings.lease_s)
    return _state.runtime


def warm_up() -> None:
    """Open the ledger and start the job fork server (paying the science imports) before the
    first message arrives, as a local worker does at start."""
    from multiprocessing import forkserver

    _runtime()
    forkserver.ensure_running()


@signals.worker_shutting_down.connect
def _stop_running_job(**_: Any) -> None:
    """Warm shutdown (SIGTERM): kill the running job and release its lease, uncounted."""
    if _state.runtime is not None:
        _state.runtime.worker.stopping.set()


@app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def claim_and_run_record(record_id: int) -> str:
    """Claim sample ``record_id``'s lease and run it; ``"skipped"`` when it is not runnable."""
    runtime = _runtime()
    if runtime.worker.stopping.is_set():
        raise Reject("worker is shutting down", requeue=True)  # back to the queue, not run here
    record = runtime.ledger.claim_specific(record_id, runtime.worker.worker_id, runtime.lease_s)
    if record is None:
        return "skipped"
    runtime.worker.run_one(record)
    after = runtime.ledger.get(record_id)
    return after.state.value if after is not None else "unknown"


def send(record_id: int) -> None:
    """Put one sample on the broker queue (what the dispatcher and sweeper call)."""
    claim_and_run_record.apply_async(args=(record_id,))


@app.task(name=DRAIN_TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def reinterpret_drain(bundle_version: str) -> str:
    """Drain bundle ``bundle_version``'s re-interpretation queue (``execute.reinterpret_job``).
    A warm shutdown stops it after its running job and puts the message back for another worker."""
    from oncodrop.execute.reinterpret_job import drain

    runtime = _runtime()
    if runtime.worker.stopping.is_set():
        raise Reject("worker is shutting down", requeue=True)
    settings = _state.settings or Settings.load()
    tally = drain(settings, bundle_version, worker_id=f"{runtime.worker.worker_id}:reinterpret",
                  workdir=runtime.worker.slot_dir / "reinterpret", stop=runtime.worker.stopping)  # fmt: skip
    if runtime.worker.stopping.is_set():
        raise Reject("worker is shutting down", requeue=True)
    return f"{tally.done} done, {tally.failed} failed"


def send_drain(bundle_version: str) -> None:
    """Put one re-interpretation drain of ``bundle_version`` on the broker queue."""
    reinterpret_drain.apply_async(args=(bundle_version,))


__all__ = ["DRAIN_TASK_NAME", "TASK_NAME", "app", "celery_config", "claim_and_run_record", "configure",
           "reinterpret_drain", "send", "send_drain", "warm_up"]  # fmt: skip
