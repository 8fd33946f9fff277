"""One worker process: ``claim -> run the job in a child -> succeed | fail | reject``, with a
heartbeat thread renewing the lease, optional stop watchers (spot interruption) and idle exit.

A worker never dies of one job: every exception around a job is classified
(``errors.classify``; the worker's own machinery with ``machinery=True``) and recorded, its
directories are created idempotently, and a ledger outage while recording a result is retried
with capped backoff. It dies with the process that started it (``execute.lifeline``), logs like
the service (``configure_logging``), and starts the job fork server (and its preload imports)
in the background, so it claims within a second or two of starting.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from multiprocessing import forkserver
from pathlib import Path
from types import FrameType

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import Disposition, Failure, ReasonCode, StateConflict, TransientError, classify
from oncodrop.execute.child import JOB_CTX, LogSetup, Stopped, run_in_child
from oncodrop.execute.idle import IdleTimer
from oncodrop.execute.job import JobOutcome, WorkerConfig
from oncodrop.execute.lifeline import die_with_parent, lead_process_group, watch_fd
from oncodrop.ledger import Ledger
from oncodrop.logs import redact

log = logging.getLogger(__name__)

ORPHAN_GRACE_S = 8.0  # a worker whose service died stops its job and exits within this
_LOOP_BACKOFF_S = (0.5, 30.0)  # after an unexpected error in the loop: first and longest pause


class _Heartbeat(threading.Thread):
    """Renews the lease every ``interval_s`` until stopped; notes if the lease was lost."""

    def __init__(self, ledger: Ledger, record_id: int, worker_id: str, lease_s: float,
                 interval_s: float | None = None) -> None:  # fmt: skip
        super().__init__(name=f"heartbeat-{record_id}", daemon=True)
        self.ledger = ledger
        self.record_id = record_id
        self.worker_id = worker_id
        self.lease_s = lease_s
        self.interval_s = interval_s if interval_s is not None else lease_s / 3
        self.done = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval_s):
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

    def prepare(self) -> None:
        """Scrub what a killed predecessor of this slot left, and (re)create the slot dir;
        idempotent, and a failure here is logged, not fatal (each job tries again)."""
        shutil.rmtree(self.slot_dir, ignore_errors=True)
        try:
            self._slot()
        except OSError as exc:
            log.error("worker %s: work dir unusable (%s: %s); jobs wait until it is fixed",
                      self.worker_id, type(exc).__name__, exc.strerror or exc)  # fmt: skip

    def _slot(self) -> Path:
        # never ``parents=True``: the executor's dir is the executor's; when it is gone, the
        # executor died and a new one scrubbed it, and an orphan about to exit must not bring
        # it back (it would stay, empty, until the next start)
        self.slot_dir.mkdir(mode=0o700, exist_ok=True)
        return self.slot_dir

    def run(self) -> None:
        self.prepare()
        idle = IdleTimer(self.config.idle_exit_s)
        pause = _LOOP_BACKOFF_S[0]
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
                pause = _LOOP_BACKOFF_S[0]
            except TransientError as exc:
                log.warning("worker %s: ledger unavailable: %s", self.worker_id, exc.message)
                self.stopping.wait(self.config.poll_interval_s)
            except Exception:  # a worker never dies of one job
                log.exception("worker %s: unexpected error in the job loop; going on in %.1f s",
                              self.worker_id, pause)  # fmt: skip
                self.stopping.wait(pause)
                pause = min(pause * 2, _LOOP_BACKOFF_S[1])

    def run_one(self, record: SampleRecord) -> None:
        """Run one claimed sample and record how it ended; never raises for the job's sake."""
        losses = self.ledger.lease_losses(record.id)
        if losses >= self.config.settings.max_lease_losses:  # its workers keep dying
            lost = f"the worker holding it died {losses} times in this run (lease expired each time)"
            result: JobOutcome | Failure | Stopped = Failure(Disposition.DEAD, ReasonCode.LEASE_EXPIRED, lost)
            lease_lost = False
        else:
            result, lease_lost = self._run(record)
        self._record_with_retry(record, result, lease_lost)

    def _record_with_retry(self, record: SampleRecord, result: JobOutcome | Failure | Stopped,
                           lease_lost: bool) -> None:  # fmt: skip
        """Record the result; a ledger outage is retried with capped backoff (while the lease
        is ours nobody else can record it) until the outage budget is spent or we stop."""
        deadline = time.monotonic() + self.config.outage.budget_s
        delay = 0.5
        while True:
            try:
                self._record_result(record, result, lease_lost)
                return
            except StateConflict as exc:  # someone else owns the sample now; nothing to record
                log.warning("worker %s: %s", self.worker_id, exc.message)
                return
            except TransientError as exc:
                if self.stopping.is_set() or time.monotonic() > deadline:
                    log.error("worker %s: could not record sample #%d (%s); its lease will expire "
                              "and it runs again", self.worker_id, record.id, exc.message)  # fmt: skip
                    return
                log.warning("worker %s: recording sample #%d failed (%s); again in %.1f s",
                            self.worker_id, record.id, exc.message, delay)  # fmt: skip
                self.stopping.wait(delay)
                delay = min(delay * 2, self.config.outage.backoff.max_backoff_s or delay * 2)

    def _log_setup(self) -> LogSetup:
        settings = self.config.settings
        return LogSetup(settings.log_level, settings.log_json, settings.secret_values())

    def _run(self, record: SampleRecord) -> tuple[JobOutcome | Failure | Stopped, bool]:
        """The job in a child process, under heartbeat, in a private work dir removed after."""
        try:
            workdir = Path(tempfile.mkdtemp(prefix=f"job-{record.id}-", dir=self._slot()))
        except OSError as exc:  # unwritable or full work dir: ours to fix, not the sample's
            return classify(exc, machinery=True), False
        heartbeat = _Heartbeat(self.ledger, record.id, self.worker_id, self.config.lease_s, self.config.heartbeat_s)
        heartbeat.start()
        try:
            result = run_in_child(
                self.config.run_job,
                record,
                workdir,
                self.config.job_timeout_s,
                lambda: self._stop_reason(heartbeat),
                self._log_setup(),
            )
        except Exception as exc:  # noqa: BLE001 - the job process could not be started
            result = classify(exc, machinery=True)
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
            self._finish(ledger.succeed(rid, wid, result.output_key, result.headline, result.bundle_version))
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
                    outage=self.config.outage,
                )
            )

    def _finish(self, record: SampleRecord) -> None:
        _log_outcome(record)
        if record.is_terminal and self.config.on_terminal is not None:
            try:
                self.config.on_terminal(record)
            except Exception:
                log.exception("on_terminal hook failed for sample #%d", record.id)


def _log_outcome(record: SampleRecord) -> None:
    """One line in the service's log for how a sample's attempt ended (the key and the
    reason, as its notification carries them; nothing of the patient's data)."""
    state = record.state
    if state is SampleState.SUCCEEDED:
        log.info("sample %s SUCCEEDED: output %s", record.key, record.output_key)
    elif state is SampleState.REJECTED:
        log.warning("sample %s REJECTED [%s]: %s", record.key, record.reason_code, record.reason)
    elif state is SampleState.DEAD:
        log.error("sample %s DEAD after %d attempt(s) [%s]: %s", record.key, record.attempts, record.reason_code,
                  record.reason)  # fmt: skip
    elif state is SampleState.QUEUED:
        log.warning("sample %s failed attempt %d [%s]: %s; it will be retried", record.key, record.attempts,
                    record.reason_code, record.reason)  # fmt: skip


def _start_fork_server() -> None:
    """Start the job fork server; its preload imports run in it while we already claim."""
    try:
        forkserver.ensure_running()
    except Exception:  # the first job starts it again and reports a failure
        log.exception("could not start the job fork server; the first job will try again")


def stop_on_signals(worker: Worker) -> None:
    """SIGTERM and SIGINT ask ``worker`` to stop, through a pipe and a thread.

    A Python signal handler runs in the main thread between two bytecodes, possibly inside
    ``Event.set()``, whose lock is not reentrant: calling ``worker.stop()`` there hung a worker
    forever when SIGTERMs came in quick succession (found by the chaos suite: the orphan of a
    SIGKILLed service kept heartbeating its lease, so its sample never finished). Writing one
    byte takes no lock."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    parent = os.getppid()

    def relay() -> None:
        if os.read(read_fd, 1):
            # PR_SET_PDEATHSIG delivers SIGTERM too: say why, as the lifeline thread would
            orphaned = os.getppid() != parent
            worker.stop("the service that started this worker is gone" if orphaned else "worker shutting down")

    def on_signal(signum: int, frame: FrameType | None) -> None:
        try:
            os.write(write_fd, b"s")
        except BlockingIOError:  # the pipe is full of earlier requests: stopping already
            pass

    threading.Thread(target=relay, name="stop-on-signal", daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def worker_main(config: WorkerConfig, slot: int) -> None:
    """Entry point of a worker process (spawned by ``LocalExecutor``'s supervisor thread)."""
    settings = config.settings
    LogSetup(settings.log_level, settings.log_json, settings.secret_values()).apply()
    lead_process_group()  # our fork server and job children join it: one killpg reaps them
    ledger = Ledger.open(config.ledger_url, migrate_schema=False)
    worker = Worker(config, slot, ledger)

    stop_on_signals(worker)
    die_with_parent(signal.SIGTERM)
    parent = mp.parent_process()
    if parent is not None:  # the service's end of this pipe closes when it dies, even SIGKILLed
        watch_fd(parent.sentinel, lambda: worker.stop("the service that started this worker is gone"),
                 ORPHAN_GRACE_S)  # fmt: skip
    JOB_CTX.set_forkserver_preload([config.run_job.__module__, *config.preload])
    threading.Thread(target=_start_fork_server, name="fork-server-start", daemon=True).start()
    for watcher in config.watchers:
        threading.Thread(target=watcher, args=(worker.stop, worker.stopping), daemon=True).start()
    try:
        worker.run()
    finally:
        worker.stopping.set()  # ends the watchers
        ledger.close()
        log.info("worker %s stopped", worker.worker_id)
        gc.freeze()  # exit without a last collection over the preloaded reporter: SIGTERM ends promptly
