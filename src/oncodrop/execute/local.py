"""The embedded executor: N worker processes that drain the ledger's queue on this machine.

Each worker loops ``claim -> run job -> succeed | fail | reject``. Guarantees:

- The worker holds a lease on its sample, renewed by a heartbeat thread every ``lease_s / 3``.
  If the worker dies (even SIGKILL), the lease expires and another worker re-claims the sample;
  an attempt is counted each time, so a sample that keeps killing workers ends DEAD.
- The job runs in its own child process, killed when it exceeds ``job_timeout_s`` (-> retry)
  or when its worker disappears (the child watches its parent), so an orphan never races the
  re-claimed run.
- Each job gets a private work dir (0700) that is removed afterwards, whatever happened; a
  restarted worker slot first scrubs what a killed predecessor left behind.
- SIGTERM (or SIGINT) stops a worker cleanly: a running job is killed and its lease released
  without counting a failure. ``WorkerConfig.watchers`` (e.g. the fleet's spot-interruption
  watcher) run as threads in the worker and may call ``Worker.stop(reason)`` for the same effect;
  the lease is released at once with that reason, so the sample is requeued immediately.
- With ``WorkerConfig.idle_exit_s`` set, a worker that claims nothing for that long exits with
  status 0 (the fleet scales to zero that way; the supervisor does not restart a clean exit).
- Exceptions map to sample states through ``retry.classify`` only; after the ledger write of a
  terminal state the worker calls ``on_terminal(record)`` (for notifications).

``run_job`` and ``on_terminal`` cross process boundaries, so they must be picklable
(module-level functions or instances of module-level classes).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from multiprocessing import forkserver
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

from oncodrop.errors import StateConflict, TransientError
from oncodrop.execute.retry import Disposition, Failure, RetryPolicy, classify
from oncodrop.fleet.idle import IdleTimer
from oncodrop.ledger import HeadlineJSON, Ledger, SampleRecord

log = logging.getLogger(__name__)
_CTX = mp.get_context("spawn")  # worker processes: a clean interpreter each
# job children fork from a per-worker fork server that has already imported the job's modules,
# so a job starts in milliseconds instead of paying the interpreter + numpy/pysam import again
_JOB_CTX = mp.get_context("forkserver")
_WAIT_SLICE_S = 0.1


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a successful job reports back: the uploaded output key and a small headline."""

    output_key: str
    headline: HeadlineJSON = field(default_factory=dict)


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
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    on_terminal: OnTerminal | None = None
    preload: tuple[str, ...] = ()  # modules the job fork server imports once (heavy science stack)
    idle_exit_s: float | None = None  # exit 0 after this long without a claim (None: never)
    watchers: tuple[StopWatcher, ...] = ()  # picklable; each runs in a thread of every worker


# --- the job child process ------------------------------------------------------------


def _exit_when_orphaned(lifeline: Connection) -> None:
    """Block on a pipe only the worker writes to: EOF means the worker is gone (even SIGKILL)."""
    try:
        lifeline.recv()
    except (EOFError, OSError):
        pass
    os._exit(70)  # our worker is gone: its sample will be re-claimed elsewhere


def _job_entry(
    run_job: RunJob, record: SampleRecord, workdir: Path, out: Connection, lifeline: Connection
) -> None:
    """Runs in the job child: do the work, send back a JobOutcome or a classified Failure."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop us
    threading.Thread(target=_exit_when_orphaned, args=(lifeline,), daemon=True).start()
    try:
        result: JobOutcome | Failure = run_job(record, workdir)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the ledger
        result = classify(exc)
    out.send(result)
    out.close()


@dataclass(frozen=True, slots=True)
class _Stopped:
    why: str


def run_in_child(
    run_job: RunJob,
    record: SampleRecord,
    workdir: Path,
    timeout_s: float,
    stop: Callable[[], str | None],
) -> JobOutcome | Failure | _Stopped:
    """Run the job in a child process; kill it on timeout or when ``stop()`` names a reason."""
    recv, send = _JOB_CTX.Pipe(duplex=False)
    life_r, life_w = _JOB_CTX.Pipe(duplex=False)
    proc = _JOB_CTX.Process(
        target=_job_entry,
        args=(run_job, record, workdir, send, life_r),
        name=f"oncodrop-job-{record.id}",
    )
    proc.start()
    send.close()
    life_r.close()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            if recv.poll(_WAIT_SLICE_S):
                try:
                    result: JobOutcome | Failure = recv.recv()
                except EOFError:
                    proc.join(5)
                    return Failure(
                        Disposition.RETRY,
                        "job_crashed",
                        f"job process died (exit code {proc.exitcode})",
                    )
                if not isinstance(result, (JobOutcome, Failure)):
                    return Failure(
                        Disposition.RETRY,
                        "error",
                        f"run_job returned {type(result).__name__}, not JobOutcome",
                    )
                return result
            if (why := stop()) is not None:
                return _Stopped(why)
            if time.monotonic() > deadline:
                return Failure(
                    Disposition.RETRY,
                    "timeout",
                    f"job exceeded its time limit of {timeout_s:g} s and was killed",
                )
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        recv.close()
        life_w.close()


# --- the worker process ---------------------------------------------------------------


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
            result: JobOutcome | Failure | _Stopped = Failure(
                Disposition.DEAD, "lease_expired", lost
            )
            lease_lost = False
        else:
            result, lease_lost = self._run(record)
        try:
            self._record_result(record, result, lease_lost)
        except StateConflict as exc:  # someone else owns the sample now; nothing to record
            log.warning("worker %s: %s", self.worker_id, exc.message)

    def _run(self, record: SampleRecord) -> tuple[JobOutcome | Failure | _Stopped, bool]:
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
        self, record: SampleRecord, result: JobOutcome | Failure | _Stopped, lease_lost: bool
    ) -> None:
        rid, wid, ledger = record.id, self.worker_id, self.ledger
        if lease_lost:
            log.warning("worker %s lost the lease of sample #%d; result dropped", wid, rid)
        elif isinstance(result, _Stopped):
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
    _JOB_CTX.set_forkserver_preload([config.run_job.__module__, *config.preload])
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


# --- the pool -------------------------------------------------------------------------

_EXECUTOR_DIR = "oncodrop-work-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare_work_root(root: Path) -> Path:
    """Make this executor's private dir (``oncodrop-work-<pid>-<random>``, 0700) under ``root``
    and scrub the dirs of executors whose process is gone (killed before cleaning up)."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in root.glob(f"{_EXECUTOR_DIR}*"):
        pid = stale.name.removeprefix(_EXECUTOR_DIR).split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_EXECUTOR_DIR}{os.getpid()}-", dir=root))


class LocalExecutor:
    """Starts and supervises ``workers`` worker processes; restarts any that die unexpectedly."""

    def __init__(self, config: WorkerConfig, workers: int = 2, *, restart: bool = True) -> None:
        self.config = config
        self.workers = workers
        self.restart = restart
        self._procs: list[BaseProcess] = []
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._workdir: Path | None = None
        self._worker_config = config

    @property
    def processes(self) -> list[BaseProcess]:
        return list(self._procs)

    def start(self) -> None:
        """Migrate the ledger once, prepare this executor's work dir, start the workers."""
        Ledger.open(self.config.ledger_url).close()
        self._workdir = prepare_work_root(self.config.work_root)
        self._worker_config = replace(self.config, work_root=self._workdir)
        self._procs = [self._spawn(slot) for slot in range(self.workers)]
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM every worker (they release their leases), wait, then kill stragglers."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join()
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + timeout_s
        for proc in self._procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _spawn(self, slot: int) -> BaseProcess:
        proc = _CTX.Process(
            target=worker_main, args=(self._worker_config, slot), name=f"oncodrop-worker-{slot}"
        )
        proc.start()
        return proc

    def _supervise(self) -> None:
        """Restart workers that died abnormally (killed, crashed); a clean exit (0) was asked for."""
        while not self._stopping.wait(0.5):
            for slot, proc in enumerate(self._procs):
                if self._stopping.is_set() or proc.is_alive() or proc.exitcode == 0:
                    continue
                if self.restart:
                    log.warning("worker %d exited with %s; restarting it", slot, proc.exitcode)
                    proc.join()
                    self._procs[slot] = self._spawn(slot)
