"""One worker process: ``claim -> run the job in a child -> succeed | fail | reject``, with a
heartbeat thread renewing the lease, optional stop watchers (spot interruption) and idle exit."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
from multiprocessing import forkserver
from pathlib import Path
from types import FrameType

from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import Disposition, Failure, ReasonCode, StateConflict, TransientError
from oncodrop.execute.child import JOB_CTX, Stopped, run_in_child
from oncodrop.execute.idle import IdleTimer
from oncodrop.execute.job import JobOutcome, WorkerConfig
from oncodrop.ledger import Ledger
from oncodrop.logs import redact

log = logging.getLogger(__name__)


class _Heartbeat(threading.Thread):
    """Renews the lease every lease_s/3 until stopped; notes if the lease was lost."""

    def __init__(self, ledger: Ledger, record_id: int, worker_id: str, lease_s: float) -> None:
        super().__init__(name=f"heartbeat-{record_id}", daemon=True)
        self.ledger = ledger
        self.record_id = record_id
        self.worker_id = worker_id
        self.lease_s = lease_s
        self.done = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.lease_s / 3):
            try:
                self.ledger.heartbeat(self.record_id, self.worker_id, self.lease_s)
            except StateConflict:
                self.lost.set()
                return
            except TransientError as exc:
                log.warning("heartbeat for sample #%d failed: %s", self.record_id, exc.message)


class Worker:
    """One worker: claims samples from the ledger and runs them until told to stop."""

    def __init__(self, config: WorkerConfig, slot: int, ledger: Ledger) -> None:
        self.config = config
        self.ledger = ledger
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:w{slot}"
        self.slot_dir = config.work_root / f"worker-{slot}"
        self.stopping = threading.Event()
        self.stop_reason = "worker shutting down"

    def stop(self, reason: str = "worker shutting down") -> None:
        """Stop taking work; a running job is killed and its lease released with ``reason``."""
        if not self.stopping.is_set():
            self.stop_reason = reason
            self.stopping.set()

    def run(self) -> None:
        shutil.rmtree(self.slot_dir, ignore_errors=True)  # leftovers of a killed predecessor
        self.slot_dir.mkdir(mode=0o700, parents=True)
        idle = IdleTimer(self.config.idle_exit_s)
        while not self.stopping.is_set():
            try:
                record = self.ledger.claim(self.worker_id, self.config.lease_s)
                if record is None:
                    if idle.expired():
                        log.info("worker %s: idle for %.0f s; exiting", self.worker_id, idle.idle_for_s())
                        return
                    self.stopping.wait(self.config.poll_interval_s)
                else:
                    self.run_one(record)
                    idle.busy()
            except TransientError as exc:
                log.warning("worker %s: ledger unavailable: %s", self.worker_id, exc.message)
                self.stopping.wait(self.config.poll_interval_s)

    def run_one(self, record: SampleRecord) -> None:
        """Run one claimed sample and record how it ended."""
        if record.attempts > record.max_attempts:  # every earlier worker died mid-job
            lost = f"worker lost on each of {record.max_attempts} attempts (lease expired)"
            result: JobOutcome | Failure | Stopped = Failure(
                Disposition.DEAD, ReasonCode.LEASE_EXPIRED, lost
            )
            lease_lost = False
        else:
            result, lease_lost = self._run(record)
        try:
            self._record_result(record, result, lease_lost)
        except StateConflict as exc:  # someone else owns the sample now; nothing to record
            log.warning("worker %s: %s", self.worker_id, exc.message)

    def _run(self, record: SampleRecord) -> tuple[JobOutcome | Failure | Stopped, bool]:
        """The job in a child process, under heartbeat, in a private work dir removed after."""
        workdir = Path(tempfile.mkdtemp(prefix=f"job-{record.id}-", dir=self.slot_dir))
        heartbeat = _Heartbeat(self.ledger, record.id, self.worker_id, self.config.lease_s)
        heartbeat.start()
        try:
            result = run_in_child(
                self.config.run_job,
                record,
                workdir,
                self.config.job_timeout_s,
                lambda: self._stop_reason(heartbeat),
            )
        finally:
            heartbeat.done.set()
            heartbeat.join()
            shutil.rmtree(workdir, ignore_errors=True)
        return result, heartbeat.lost.is_set()

    def _stop_reason(self, heartbeat: _Heartbeat) -> str | None:
        if heartbeat.lost.is_set():
            return "lease lost"
        return self.stop_reason if self.stopping.is_set() else None

    def _record_result(
        self, record: SampleRecord, result: JobOutcome | Failure | Stopped, lease_lost: bool
    ) -> None:
        rid, wid, ledger = record.id, self.worker_id, self.ledger
        if isinstance(result, Failure) and result.traceback:  # the service log's copy; never the ledger's
            log.error("sample #%d (%s) failed [%s]: %s\n%s", rid, record.key, result.reason_code,
                      result.message, redact(result.traceback.rstrip()))  # fmt: skip
        if lease_lost:
            log.warning("worker %s lost the lease of sample #%d; result dropped", wid, rid)
        elif isinstance(result, Stopped):
            ledger.release(rid, wid, reason=result.why)
        elif isinstance(result, JobOutcome):
            self._finish(ledger.succeed(rid, wid, result.output_key, result.headline))
        elif result.disposition is Disposition.REJECT:
            self._finish(ledger.reject(rid, result.reason_code, result.message, worker_id=wid))
        else:
            retry = result.disposition is Disposition.RETRY
            self._finish(
                ledger.fail(
                    rid,
                    wid,
                    result.message,
                    retryable=retry,
                    reason_code=result.reason_code,
                    retry_delay_s=self.config.policy.delay_s(record.attempts),
                )
            )

    def _finish(self, record: SampleRecord) -> None:
        if record.is_terminal and self.config.on_terminal is not None:
            try:
                self.config.on_terminal(record)
            except Exception:
                log.exception("on_terminal hook failed for sample #%d", record.id)


def worker_main(config: WorkerConfig, slot: int) -> None:
    """Entry point of a worker process."""
    JOB_CTX.set_forkserver_preload([config.run_job.__module__, *config.preload])
    forkserver.ensure_running()  # pay the preload imports now, not on the first job
    ledger = Ledger.open(config.ledger_url, migrate_schema=False)
    worker = Worker(config, slot, ledger)

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    for watcher in config.watchers:
        threading.Thread(target=watcher, args=(worker.stop, worker.stopping), daemon=True).start()
    try:
        worker.run()
    finally:
        worker.stopping.set()  # ends the watchers
        ledger.close()
