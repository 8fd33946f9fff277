"""The service: one process that hears of new objects (store poller or SQS), admits them, and
runs them on local worker processes or hands them to Celery workers (dispatcher + sweeper),
Slurm or AWS Batch (one job per sample). With ``intake_only`` (``serve --intake-only``) it runs
no worker processes and needs no reference bundle: intake, notifications and a remote
executor's dispatcher only (the AWS control plane; docs in deploy/aws/README.md).

Beside the events thread, the process that hears of objects (``run_poller``) runs two more:
the admission sweep (at start-up, then every ``admission_sweep_s``: RECEIVED rows left by a
crash are driven on to QUEUED or REJECTED) and the notifier loop (delivers the ledger's
notification outbox; the only thread that talks to Slack and webhooks, so a hanging target
delays neither admission nor workers). Local-folder stores get ``settle_s``; S3 writes are
atomic and need none.

``oncodrop serve`` runs it until SIGTERM; ``oncodrop demo`` and the integration tests run it
until every sample is terminal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, Self

from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import ConfigError, OncodropError
from oncodrop.events.admission import admit, drive_received
from oncodrop.events.poller import Poller
from oncodrop.execute.batch import BatchExecutor
from oncodrop.execute.celery_executor import CeleryExecutor
from oncodrop.execute.local import LocalExecutor
from oncodrop.execute.pipeline_job import worker_config
from oncodrop.execute.slurm import SlurmExecutor
from oncodrop.execute.sweeper import Sweeper
from oncodrop.ledger import Ledger
from oncodrop.notify import notifier_loop_from_settings
from oncodrop.service.reinterpret_remote import watch_on_executor
from oncodrop.settings import Settings
from oncodrop.store import ObjectStore, open_store
from oncodrop.store.base import ObjectInfo

log = logging.getLogger(__name__)

NOTIFIER_STOP_WAIT_S = 2.0  # how long stop() lets the notifier finish its round


class Executor(Protocol):
    """What the service needs of an executor (``LocalExecutor``, ``CeleryExecutor``)."""

    def start(self) -> None: ...

    def stop(self, timeout_s: float = 30.0) -> None: ...


class EmbeddedService:
    """Poller thread + N worker processes over one ledger and one store."""

    def __init__(self, settings: Settings, *, settle_s: float | None = None, run_workers: bool = True,
                 run_poller: bool = True) -> None:  # fmt: skip
        # intake-only: no local workers and no bundle; a remote executor's dispatcher still runs
        self.intake_only = settings.intake_only and run_poller
        # jobs elsewhere bring their own bundle: Batch jobs (the image), workers of an intake-only
        # serve; Slurm jobs get this process's settings, so they need its bundle
        remote = settings.executor == "batch" or (self.intake_only and settings.executor != "slurm")
        if settings.bundle is None and not remote:
            raise ConfigError("no reference bundle: pass --bundle DIR or set ONCODROP_BUNDLE "
                              "(build one with `oncodrop refdata build --demo --out DIR`)")  # fmt: skip
        self.settings = settings
        # workers never list the store (each job opens its sample's own store): only the poller does
        self.store: ObjectStore | None = None
        if run_poller and settings.events == "poll":
            self.store = open_store(settings.store, settings.aws)
        self.ledger = Ledger.open(settings.db, max_attempts=settings.max_attempts)
        self.notifier = notifier_loop_from_settings(settings.notify, self.ledger, self._output_link)
        self._settle_s = settle_s if settle_s is not None else settings.settle_s
        work_root = settings.work_root
        self.executor: Executor | None = _executor(settings, work_root, intake_only=self.intake_only)
        self.sweeper = Sweeper(self.ledger, celery_send, redispatch_s=settings.celery.redispatch_s)
        self._run_workers = run_workers
        self._run_poller = run_poller
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sweep_thread: threading.Thread | None = None
        self._admission_thread: threading.Thread | None = None
        self._notifier_thread: threading.Thread | None = None
        self._reinterpret_thread: threading.Thread | None = None
        self.sqs_wait_s = 5  # SQS long poll; short enough that stop() is prompt
        self.sweep_interval_s = min(settings.celery.sweep_interval_s, settings.lease_s / 3)

    def _events_source(self) -> Callable[[threading.Event], None]:
        """Where new objects come from: listing the store, or S3 notifications on SQS."""
        if self.settings.events == "sqs":
            from oncodrop.events.sqs import SqsConsumer  # lazy: boto3 is the optional `cloud` extra

            assert self.settings.queue_url is not None  # checked by Settings
            consumer = SqsConsumer(self.settings.queue_url, self.ledger,
                                   endpoint_url=self.settings.aws.sqs_endpoint_url, wait_s=self.sqs_wait_s)  # fmt: skip
            return consumer.run
        assert self.store is not None
        settle_s = self._settle_s if self.store.url.startswith("file:") else 0.0  # S3 puts are atomic
        poller = Poller(self.store, self.ledger, self._on_object, settle_s=settle_s)
        return lambda stop: poller.run(stop, self.settings.poll_interval)

    def _on_object(self, obj: ObjectInfo) -> None:
        assert self.store is not None
        admit(obj, store_url=self.store.url, ledger=self.ledger)

    def _output_link(self, record: SampleRecord) -> str | None:
        """A fresh (presigned) link to the output, made when the notification is delivered."""
        if record.output_key is None:
            return None
        store = open_store(record.store_url, self.settings.aws)
        return store.link(record.output_key, self.settings.notify.link_expires_s)

    def _sweep_received(self, stop: threading.Event) -> None:
        """At start-up, then every ``admission_sweep_s``: no sample stays RECEIVED."""
        while True:
            try:
                drive_received(self.ledger)
            except OncodropError as exc:  # ledger busy or gone: the next sweep tries again
                log.warning("admission sweep failed, will retry: %s", exc.message)
            if stop.wait(self.settings.admission_sweep_s):
                return

    def start(self) -> None:
        if self._run_workers and self.executor is not None:
            self.executor.start()
        if self._run_poller:
            self._thread = threading.Thread(target=self._events_source(), args=(self._stop,), name="events",
                                            daemon=True)  # fmt: skip
            self._admission_thread = threading.Thread(target=self._sweep_received, args=(self._stop,),
                                                      name="admission-sweep", daemon=True)  # fmt: skip
            self._notifier_thread = threading.Thread(
                target=self.notifier.run, args=(self._stop, self.settings.notify.poll_s), name="notifier", daemon=True
            )  # fmt: skip
            for thread in (self._admission_thread, self._thread, self._notifier_thread):
                thread.start()
            if self.settings.reinterpret.watch_s > 0:  # the scheduled re-interpretation trigger
                self._reinterpret_thread = threading.Thread(
                    target=watch_on_executor, args=(self.ledger, self.settings, self._stop), name="reinterpret",
                    daemon=True,
                )  # fmt: skip
                self._reinterpret_thread.start()
        if self._run_poller and self.settings.executor == "celery":  # serve dispatches; workers don't
            from oncodrop.execute.celery_app import configure  # lazy: Celery is the optional `cloud` extra

            configure(self.settings)
            self._sweep_thread = threading.Thread(
                target=self.sweeper.run, args=(self._stop, self.sweep_interval_s), name="dispatch", daemon=True
            )  # fmt: skip
            self._sweep_thread.start()
        local = self._run_workers and self.settings.executor == "local" and not self.intake_only
        log.info("%s with %d local worker(s)", self.describe(), self.settings.workers if local else 0)

    def describe(self) -> str:
        """One line for the operator: what is watched and how jobs run (no credentials)."""
        executor = {"celery": "Celery", "slurm": "Slurm", "batch": "AWS Batch"}.get(self.settings.executor, "local")
        if self.intake_only and self.settings.executor == "local":
            executor = "no (intake only: `oncodrop worker` runs them)"
        if not self._run_poller:
            return f"oncodrop {executor} workers on the ledger's queue"
        if self.settings.events == "sqs":
            return f"oncodrop serving S3 events from {self.settings.queue_url} on {executor} workers"
        assert self.store is not None
        return f"oncodrop serving {self.store.url} on {executor} workers"

    def stop(self) -> None:
        """Stop hearing of objects, stop the workers (running samples are released to the queue,
        not lost), let the notifier finish its round; each part and the whole logged."""
        started = time.monotonic()
        log.info("stopping: %s", self.describe())
        self._stop.set()
        for thread in (self._thread, self._sweep_thread, self._admission_thread, self._reinterpret_thread):
            if thread is not None:
                thread.join(timeout=30)
        log.debug("stop: events threads ended after %.1f s", time.monotonic() - started)
        if self._run_workers and self.executor is not None:
            self.executor.stop()
            log.debug("stop: workers ended after %.1f s", time.monotonic() - started)
        if self._notifier_thread is not None:
            # never wait out a hanging target: claims of an unfinished round lapse, rows are resent
            self._notifier_thread.join(timeout=NOTIFIER_STOP_WAIT_S)
        self.notifier.close()
        self.ledger.close()
        log.info("stopped in %.1f s", time.monotonic() - started)

    def wait(self, done: Callable[[list[SampleRecord]], bool], timeout_s: float,
             on_tick: Callable[[list[SampleRecord]], None] | None = None) -> bool:  # fmt: skip
        """Block until ``done(samples)`` is true or the timeout passes; True when done."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            samples = self.ledger.list_samples()
            if on_tick is not None:
                on_tick(samples)
            if done(samples):
                return True
            time.sleep(0.25)
        return False

    def wait_notified(self, timeout_s: float) -> bool:
        """Block until the outbox has nothing left to deliver (or the timeout passes)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.ledger.pending_notifications() == 0:
                return True
            time.sleep(0.1)
        return False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _executor(settings: Settings, work_root: Path, *, intake_only: bool = False) -> Executor | None:
    """The executor ``settings.executor`` names (Slurm, Batch: jobs submitted by this process;
    intake-only: no local or Celery worker processes here)."""
    if settings.executor == "batch":
        return BatchExecutor(settings)
    if settings.executor == "slurm":
        return SlurmExecutor(settings)
    if intake_only:
        return None
    if settings.executor == "celery":
        return CeleryExecutor(settings, work_root, workers=settings.workers)
    return LocalExecutor(worker_config(settings, work_root), workers=settings.workers)


def celery_send(record_id: int) -> None:
    """Hand a sample to the Celery broker (imported late: Celery loads only when used)."""
    from oncodrop.execute.celery_app import send

    send(record_id)


def all_terminal(expected: int) -> Callable[[list[SampleRecord]], bool]:
    """A ``wait`` predicate: at least ``expected`` samples, all terminal."""
    return lambda samples: len(samples) >= expected and all(s.is_terminal for s in samples)
