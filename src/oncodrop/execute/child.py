"""The job child: one process per sample, forked from a fork server that has already imported
the reporter, killed on timeout or when the worker says stop, and exiting by itself when its
worker disappears (a lifeline pipe reaches EOF, even after SIGKILL; and ``PR_SET_PDEATHSIG``
when the fork server, which exits with the worker, goes), so an orphan never races the
re-claimed run. The child configures logging itself (``LogSetup``): level, JSON, redaction."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import Disposition, Failure, ReasonCode, classify
from oncodrop.execute.job import JobOutcome, RunJob
from oncodrop.execute.lifeline import ORPHAN_EXIT, die_with_parent
from oncodrop.logs import configure_logging

# job children fork from a per-worker fork server that has already imported the job's modules,
# so a job starts in milliseconds instead of paying the interpreter + numpy/pysam import again
JOB_CTX = mp.get_context("forkserver")
_WAIT_SLICE_S = 0.1


def _exit_when_orphaned(lifeline: Connection) -> None:
    """Block on a pipe only the worker writes to: EOF means the worker is gone (even SIGKILL)."""
    try:
        lifeline.recv()
    except (EOFError, OSError):
        pass
    os._exit(ORPHAN_EXIT)  # our worker is gone: its sample will be re-claimed elsewhere


@dataclass(frozen=True, slots=True)
class LogSetup:
    """How a child process logs (the worker's ``Settings`` say it): level, JSON, secrets."""

    level: str = "INFO"
    json: bool = False
    secrets: tuple[str, ...] = ()

    def apply(self) -> None:
        configure_logging(self.level, self.json, secrets=self.secrets)


def _job_entry(
    run_job: RunJob, record: SampleRecord, workdir: Path, out: Connection, lifeline: Connection,
    logging_: LogSetup | None = None,
) -> None:
    """Runs in the job child: do the work, send back a JobOutcome or a classified Failure."""
    die_with_parent(signal.SIGKILL)  # the fork server exits with our worker; so do we
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when to stop us
    threading.Thread(target=_exit_when_orphaned, args=(lifeline,), daemon=True).start()
    if logging_ is not None:
        logging_.apply()
    try:
        result: JobOutcome | Failure = run_job(record, workdir)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the ledger
        # a run_job that names its reference bundle lets an OSError there count as bundle_error
        result = classify(exc, bundle=getattr(run_job, "bundle", None))
    out.send(result)
    out.close()


@dataclass(frozen=True, slots=True)
class Stopped:
    why: str


def run_in_child(
    run_job: RunJob,
    record: SampleRecord,
    workdir: Path,
    timeout_s: float,
    stop: Callable[[], str | None],
    logging_: LogSetup | None = None,
) -> JobOutcome | Failure | Stopped:
    """Run the job in a child process; kill it on timeout or when ``stop()`` names a reason.

    A child that cannot be started (the fork server died: ``EOFError``, ``OSError``) raises;
    the worker classifies that as its own outage, not the sample's."""
    recv, send = JOB_CTX.Pipe(duplex=False)
    life_r, life_w = JOB_CTX.Pipe(duplex=False)
    proc = JOB_CTX.Process(
        target=_job_entry,
        args=(run_job, record, workdir, send, life_r, logging_),
        name=f"oncodrop-job-{record.id}",
    )
    try:
        proc.start()
    except BaseException:
        for conn in (recv, send, life_r, life_w):
            conn.close()
        raise
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
                        ReasonCode.JOB_CRASHED,
                        f"job process died (exit code {proc.exitcode})",
                    )
                if not isinstance(result, (JobOutcome, Failure)):
                    return Failure(
                        Disposition.RETRY,
                        ReasonCode.ERROR,
                        f"run_job returned {type(result).__name__}, not JobOutcome",
                    )
                return result
            if (why := stop()) is not None:
                return Stopped(why)
            if time.monotonic() > deadline:
                return Failure(
                    Disposition.RETRY,
                    ReasonCode.TIMEOUT,
                    f"job exceeded its time limit of {timeout_s:g} s and was killed",
                )
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        recv.close()
        life_w.close()
