"""Local provider: the scaler starts worker processes on this machine; idle ones exit by themselves.

Each worker is one ``execute.local.worker_main`` process (the same worker the embedded service
runs), given ``idle_exit_s`` so it exits with status 0 after the idle timeout. A worker that
exits is simply gone from ``workers()``: unlike ``LocalExecutor`` nothing restarts it; the
scaler starts a new one when samples wait again (a crashed worker's sample is re-claimed once
its lease expires).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from oncodrop.execute.local import (
    StopWatcher,
    WorkerConfig,
    prepare_work_root,
    worker_main,
)
from oncodrop.execute.pipeline_job import worker_config
from oncodrop.fleet.interruption import SpotInterruptionWatcher
from oncodrop.fleet.provider import FleetWorker
from oncodrop.ledger import Ledger

if TYPE_CHECKING:
    from oncodrop.settings import Settings

log = logging.getLogger(__name__)
_CTX = mp.get_context("spawn")


@dataclass(frozen=True, slots=True)
class _Running:
    process: BaseProcess
    started_at: datetime


class LocalFleet:
    """A ``FleetProvider`` of local worker processes; worker ids are ``local-<slot>``."""

    name = "local"

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self._running: dict[str, _Running] = {}
        self.exit_codes: dict[str, int | None] = {}  # workers gone, and how they ended (0: idle/stopped)
        self._next_slot = 0
        self._workdir: Path | None = None

    def open(self) -> Path:
        """Migrate the ledger once and make this fleet's private work dir (once)."""
        if self._workdir is None:
            Ledger.open(self.config.ledger_url).close()
            self._workdir = prepare_work_root(self.config.work_root)
        return self._workdir

    def workers(self) -> list[FleetWorker]:
        """Live workers; exited ones are reaped (and logged when they did not exit cleanly)."""
        for worker_id, running in list(self._running.items()):
            if not running.process.is_alive():
                running.process.join()
                self.exit_codes[worker_id] = running.process.exitcode
                if running.process.exitcode != 0:
                    log.warning("fleet worker %s exited with %s", worker_id, running.process.exitcode)
                del self._running[worker_id]
        return [FleetWorker(worker_id, "running", r.started_at) for worker_id, r in self._running.items()]

    def start(self, count: int) -> list[str]:
        config = replace(self.config, work_root=self.open())
        started = []
        for _ in range(count):
            slot, self._next_slot = self._next_slot, self._next_slot + 1
            proc = _CTX.Process(target=worker_main, args=(config, slot), name=f"oncodrop-fleet-worker-{slot}")
            proc.start()
            worker_id = f"local-{slot}"
            self._running[worker_id] = _Running(proc, datetime.now(UTC))
            started.append(worker_id)
        return started

    def stop(self, worker_ids: Sequence[str]) -> None:
        """SIGTERM: the worker kills its job child and releases the lease before exiting."""
        for worker_id in worker_ids:
            running = self._running.get(worker_id)
            if running is not None and running.process.is_alive():
                running.process.terminate()

    def wait_until_empty(self, stop: threading.Event, poll_s: float = 1.0) -> None:
        """Block until every worker has exited (idle or interrupted) or ``stop`` is set."""
        while self.workers() and not stop.wait(poll_s):
            pass

    def pids(self) -> dict[str, int]:
        """Process id of each live worker (for operators and tests)."""
        return {wid: r.process.pid for wid, r in self._running.items() if r.process.pid is not None}

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop every worker, wait for them (kill stragglers), remove the work dir."""
        self.stop(list(self._running))
        for running in self._running.values():
            running.process.join(timeout_s)
            if running.process.is_alive():
                running.process.kill()
                running.process.join()
        self.workers()  # reap: records the exit codes
        self._running.clear()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def pipeline_worker_config(settings: Settings, *, fleet_worker: bool = False) -> WorkerConfig:
    """The real pipeline worker (as ``oncodrop worker`` runs it), plus the fleet's idle exit
    (``fleet.idle_timeout_s``); a fleet instance's worker (``fleet_worker``) also watches the
    spot interruption notice when ``fleet.spot_watch`` is set."""
    fleet = settings.fleet
    watchers: tuple[StopWatcher, ...] = ()
    if fleet_worker and fleet.spot_watch:
        watchers = (SpotInterruptionWatcher(fleet.imds_endpoint, interval_s=fleet.spot_poll_s),)
    base = worker_config(settings, settings.work_root)
    return replace(base, idle_exit_s=fleet.idle_timeout_s, watchers=watchers)
