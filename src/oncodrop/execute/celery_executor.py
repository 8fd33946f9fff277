"""Celery worker processes on this machine: ``oncodrop worker --executor celery``.

Each worker is its own OS process (``python -m oncodrop.execute.celery_executor``) running a
Celery worker with the ``solo`` pool and concurrency 1: the task runs in the worker's main
thread, so SIGTERM reaches our shutdown hook (job killed, lease released) and a SIGKILL of the
process takes its job child down too (the child watches its parent). Every worker has its own
private work dir. The ``Settings`` object reaches the processes serialised once
(``Settings.handover_json``, secrets included) in a 0600 file in the executor's work dir, never
through the command line; each process reads it back with ``Settings.from_handover``.

Celery is imported only inside the worker processes, so local mode never needs it.

Supervision as for local workers (``execute.lifeline``): the supervisor thread starts the
workers, each arms ``PR_SET_PDEATHSIG`` (SIGTERM: Celery's warm shutdown), watches its stdin (a
pipe only the executor writes to) as a lifeline, and leads its own process group, which the
executor kills once the worker is gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

from oncodrop.execute.lifeline import die_with_parent, kill_group, lead_process_group, watch_fd
from oncodrop.execute.local import prepare_work_root
from oncodrop.ledger import Ledger
from oncodrop.logs import configure_logging
from oncodrop.settings import Settings

log = logging.getLogger(__name__)
SETTINGS_FILE = "settings.json"  # Settings.handover_json(), mode 0600


class CeleryExecutor:
    """Starts ``workers`` Celery worker processes and restarts any that die unexpectedly."""

    def __init__(self, settings: Settings, work_root: Path, *, workers: int = 2, restart: bool = True) -> None:
        self.settings = settings
        self.work_root = work_root
        self.workers = workers
        self.restart = restart
        self._procs: list[subprocess.Popen[bytes]] = []
        self._dir: Path | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    @property
    def pids(self) -> list[int]:
        """PIDs of the worker processes now running (tests SIGKILL one)."""
        return [p.pid for p in self._procs if p.poll() is None]

    def start(self) -> None:
        """Migrate the ledger once, write the settings hand-over, start the workers."""
        Ledger.open(self.settings.db).close()
        self._dir = prepare_work_root(self.work_root)
        handover = self._dir / SETTINGS_FILE
        handover.touch(mode=0o600)
        handover.write_text(self.settings.handover_json())
        started = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, args=(started,), name="celery-supervisor",
                                            daemon=True)  # fmt: skip
        self._supervisor.start()
        started.wait()

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM every worker (warm shutdown: running jobs released), then kill stragglers."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join()
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + timeout_s
        for proc in self._procs:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            kill_group(proc.pid)
            if proc.stdin is not None:
                proc.stdin.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, slot: int) -> subprocess.Popen[bytes]:
        assert self._dir is not None
        command = [sys.executable, "-m", "oncodrop.execute.celery_executor", str(self._dir), str(slot)]
        return subprocess.Popen(command, stdin=subprocess.PIPE)  # stdin: the lifeline

    def _supervise(self, started: threading.Event) -> None:
        try:
            self._procs = [self._spawn(slot) for slot in range(self.workers)]
        finally:
            started.set()
        while not self._stopping.wait(0.5):
            for slot, proc in enumerate(self._procs):
                if self._stopping.is_set() or proc.poll() is None:
                    continue
                kill_group(proc.pid)  # its job fork server and children, if any survived
                if proc.returncode == 0 or not self.restart:
                    continue
                log.warning("celery worker %d exited with %s; restarting it", slot, proc.returncode)
                if proc.stdin is not None:
                    proc.stdin.close()
                try:
                    self._procs[slot] = self._spawn(slot)
                except Exception:
                    log.exception("could not restart celery worker %d; trying again", slot)


def worker_process(executor_dir: Path, slot: int) -> None:
    """Body of one worker process: configure the app, then run a solo Celery worker."""
    # Celery is the optional ``cloud`` extra: imported where a Celery worker starts, not by the service
    from oncodrop.execute.celery_app import configure, warm_up

    settings = Settings.from_handover((executor_dir / SETTINGS_FILE).read_text())
    configure_logging(settings.log_level, settings.log_json, secrets=settings.secret_values())
    lead_process_group()
    die_with_parent(signal.SIGTERM)
    watch_fd(sys.stdin.fileno(), lambda: os.kill(os.getpid(), signal.SIGTERM), grace_s=10.0)
    work_root = executor_dir / f"worker-{slot}"
    shutil.rmtree(work_root, ignore_errors=True)  # leftovers of a killed predecessor
    app = configure(settings, work_root)
    warm_up()
    worker = app.Worker(
        hostname=f"oncodrop-{slot}-{os.getpid()}@{socket.gethostname()}", pool="solo", concurrency=1,
        queues=[settings.celery.queue], loglevel=settings.log_level, without_gossip=True,
        without_mingle=True, without_heartbeat=True, quiet=True, redirect_stdouts=False,
    )  # fmt: skip
    worker.start()
    sys.exit(worker.exitcode or 0)


if __name__ == "__main__":
    worker_process(Path(sys.argv[1]), int(sys.argv[2]))
