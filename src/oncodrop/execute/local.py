"""The embedded executor: N worker processes that drain the ledger's queue on this machine.

Each worker loops ``claim -> run job -> succeed | fail | reject``. Guarantees:

- The worker holds a lease on its sample, renewed by a heartbeat thread every ``heartbeat_s``
  (at most ``lease_s / 3``). If the worker dies (even SIGKILL), the lease expires ``lease_s``
  after its last heartbeat (20 s by default, whatever ``job_timeout_s`` is) and another worker
  re-claims the sample, with no attempt spent; a run whose workers died ``max_lease_losses``
  times ends DEAD (``lease_expired``). A new ``serve`` fences the leases of a dead one the same
  way: by heartbeat silence, never by guessing from host names or pids.
- Supervision (``execute.lifeline``): workers are forked by one long-lived supervisor thread
  and die with the service (``PR_SET_PDEATHSIG`` plus the spawn pipe as a lifeline, even after
  SIGKILL of the service); each leads its own process group, which the executor kills when the
  worker died, so no fork server or job child outlives it.
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
- Exceptions map to sample states through ``errors.classify`` only; after the ledger write of a
  terminal state the worker calls ``on_terminal(record)`` (for notifications).

``run_job`` and ``on_terminal`` cross process boundaries, so they must be picklable
(module-level functions or instances of module-level classes). Modules: ``execute.job`` (what
runs, how it is configured), ``execute.child`` (the job child process), ``execute.worker`` (one
worker's loop); this one is the pool that starts, supervises and stops the workers.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Self

from oncodrop.execute.child import run_in_child
from oncodrop.execute.job import (
    JobOutcome,
    OnTerminal,
    RunJob,
    StopWatcher,
    WorkerConfig,
)
from oncodrop.execute.lifeline import kill_group
from oncodrop.execute.worker import Worker, worker_main
from oncodrop.ledger import Ledger

__all__ = [
    "JobOutcome", "LocalExecutor", "OnTerminal", "RunJob", "StopWatcher", "Worker", "WorkerConfig",
    "prepare_work_root", "run_in_child", "worker_main",
]  # fmt: skip

log = logging.getLogger(__name__)
_CTX = mp.get_context("spawn")  # worker processes: a clean interpreter each


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
        """Migrate the ledger once, prepare this executor's work dir, start the workers (from
        the supervisor thread: ``PR_SET_PDEATHSIG`` follows the thread that forked)."""
        Ledger.open(self.config.ledger_url).close()
        self._workdir = prepare_work_root(self.config.work_root)
        self._worker_config = replace(self.config, work_root=self._workdir)
        started = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, args=(started,), name="supervisor",
                                            daemon=True)  # fmt: skip
        self._supervisor.start()
        started.wait()

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM every worker (they release their leases), wait, then kill stragglers and
        whatever is left in their process groups."""
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
            if proc.pid is not None:
                kill_group(proc.pid)
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

    def _supervise(self, started: threading.Event) -> None:
        """Start the workers, then restart those that died abnormally (killed, crashed) after
        killing what is left in their process group; a clean exit (0) was asked for."""
        try:
            self._procs = [self._spawn(slot) for slot in range(self.workers)]
        finally:
            started.set()
        reaped: set[int] = set()
        while not self._stopping.wait(0.5):
            for slot, proc in enumerate(self._procs):
                if self._stopping.is_set() or proc.is_alive():
                    continue
                if proc.pid is not None and proc.pid not in reaped:
                    kill_group(proc.pid)  # its fork server and job children, if any survived
                    reaped.add(proc.pid)
                if proc.exitcode == 0 or not self.restart:
                    continue
                log.warning("worker %d exited with %s; restarting it", slot, proc.exitcode)
                proc.join()
                try:
                    self._procs[slot] = self._spawn(slot)
                except Exception:  # cannot fork now (EAGAIN, ENOMEM): next round
                    log.exception("could not restart worker %d; trying again", slot)
