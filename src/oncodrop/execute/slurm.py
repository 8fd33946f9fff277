"""The Slurm executor (``executor = "slurm"``): every runnable sample becomes one ``sbatch`` job
(the samples found runnable in one sweep go in one job array), and Slurm's job states are
mapped back into the ledger.

It is a dispatcher, not a scheduler: Slurm decides where and when; the job runs the local
worker's code for its one sample (``execute.slurm_job``) under the ledger lease, which stays the
exactly-once guard. What the executor keeps in memory is only which job it submitted for which
sample, so it neither submits a sample twice while its job is alive nor forgets one whose job
died. Every ``poll_s`` it

1. asks ``scontrol`` about the jobs it submitted; for each that ended, applies the rule of
   ``ENDED`` (below) when the job did not record an outcome itself (the sample is still RUNNING
   under that job's lease), and records its accounting;
2. submits every sample that is runnable (QUEUED past its backoff, or RUNNING with an expired
   lease) and has no live job of ours.

``ENDED``: how a job that ended without recording its sample's outcome counts.

=============  ===========  =================================================================
Slurm state    ledger       why
=============  ===========  =================================================================
COMPLETED      nothing      the job recorded the outcome (or found the sample not runnable)
CANCELLED      release      ``scancel`` (or our own shutdown): not the sample's fault
PREEMPTED      release      preemption: not the sample's fault
FAILED         fail, retry  the job process died (job_crashed)
NODE_FAIL      fail, retry  the node died under it (job_crashed)
BOOT_FAIL      fail, retry  the node never came up (job_crashed)
OUT_OF_MEMORY  fail, retry  over ``slurm.mem_mb`` (job_crashed)
TIMEOUT        fail, retry  over ``slurm.time_limit_min`` (timeout)
DEADLINE       fail, retry  over its deadline (timeout)
=============  ===========  =================================================================

A job the controller no longer knows (purged after ``MinJobAge``) counts as ended; its sample
is taken over when the lease expires. A restarted ``serve`` has forgotten its jobs: a sample
still QUEUED is submitted again and whichever job claims it first runs it; the other finds the
lease held and exits (a few idle seconds of a CPU, no duplicate run).
"""

from __future__ import annotations

import json
import logging
import shlex
import shutil
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError, OncodropError, ReasonCode
from oncodrop.execute.dispatcher import Dispatcher
from oncodrop.execute.slurm_ctl import SlurmCtl, SlurmJob
from oncodrop.execute.slurm_job import ACCOUNTING_DIR, SETTINGS_FILE
from oncodrop.settings import Settings

log = logging.getLogger(__name__)

LIVE = frozenset({"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD",
                  "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class EndRule:
    """What the ledger does with a sample whose job ended without recording an outcome."""

    action: Literal["none", "release", "fail"]
    reason_code: ReasonCode | None
    why: str


ENDED: dict[str, EndRule] = {
    "COMPLETED": EndRule("none", None, "the job recorded the outcome"),
    "CANCELLED": EndRule("release", None, "slurm job cancelled"),
    "PREEMPTED": EndRule("release", None, "slurm job preempted"),
    "FAILED": EndRule("fail", ReasonCode.JOB_CRASHED, "slurm job failed"),
    "NODE_FAIL": EndRule("fail", ReasonCode.JOB_CRASHED, "slurm node failed under the job"),
    "BOOT_FAIL": EndRule("fail", ReasonCode.JOB_CRASHED, "slurm node failed to boot"),
    "OUT_OF_MEMORY": EndRule("fail", ReasonCode.JOB_CRASHED, "slurm job ran out of memory (raise slurm.mem_mb)"),
    "TIMEOUT": EndRule("fail", ReasonCode.TIMEOUT, "slurm time limit reached (raise slurm.time_limit_min)"),
    "DEADLINE": EndRule("fail", ReasonCode.TIMEOUT, "slurm job deadline reached"),
}
UNKNOWN = EndRule("none", None, "the controller no longer knows the job; the lease decides")


def end_rule(state: str) -> EndRule:
    """The rule for an ended job's state (``CANCELLED by 0`` -> ``CANCELLED``)."""
    return ENDED.get(state.split()[0] if state else "", UNKNOWN)


def owned_by(record: SampleRecord, key: str) -> bool:
    """The sample is RUNNING under the lease of job ``key`` (see ``slurm_job.worker_id_for``)."""
    owner = record.lease_owner or ""
    return record.state is SampleState.RUNNING and owner.startswith(f"slurm:{key}@")


def job_script(python: str, spool: Path, argument: Path | str, module: str = "oncodrop.execute.slurm_job") -> str:
    """The batch script: exec the job module (so SIGTERM reaches Python, not a shell) with the
    spool and its one argument (a sample job's batch file, a drain's bundle version)."""
    command = shlex.join([python, "-m", module, str(spool), str(argument)])
    return f"#!/bin/sh\nexec {command}\n"


def prepare_spool(spool: Path, settings: Settings) -> None:
    """The spool's folders and the settings hand-over (0600) every job reads."""
    for sub in ("", "batches", "logs", ACCOUNTING_DIR):
        (spool / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    handover = spool / SETTINGS_FILE
    handover.touch(mode=0o600)
    handover.chmod(0o600)
    handover.write_text(settings.handover_json())


def absolute_paths(settings: Settings) -> Settings:
    """``settings`` with every folder made absolute, since jobs run elsewhere (in the spool, on
    another node); ``ConfigError`` for a relative SQLite ledger, which no job could find. (A
    folder store is fine: samples carry the store's resolved ``file:///`` URL.)"""
    if settings.db.startswith("sqlite:///") and not settings.db.startswith("sqlite:////"):
        raise ConfigError("db: Slurm jobs need an absolute SQLite path (sqlite:////abs/ledger.db) or PostgreSQL")
    slurm = settings.slurm
    resolved = {"spool_dir": slurm.spool_dir and slurm.spool_dir.resolve(),
                "work_dir": slurm.work_dir and slurm.work_dir.resolve()}  # fmt: skip
    return settings.model_copy(update={
        "bundle": settings.bundle and settings.bundle.resolve(), "workdir": settings.workdir and settings.workdir.resolve(),
        "slurm": slurm.model_copy(update=resolved),
    })  # fmt: skip


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep did (for logs and tests): submitted sample ids and jobs that ended."""

    submitted: tuple[int, ...] = ()
    ended: tuple[tuple[str, str], ...] = ()  # (job key, Slurm state)


class SlurmExecutor(Dispatcher):
    """Submits runnable samples to Slurm and maps ended jobs into the ledger (see the module)."""

    name = "slurm"

    def __init__(self, settings: Settings, *, env: Mapping[str, str] | None = None) -> None:
        settings = absolute_paths(settings)
        super().__init__(settings)
        self.ctl = SlurmCtl(settings.slurm, env)
        self.spool = (settings.slurm.spool_dir or settings.work_root / "oncodrop-slurm").resolve()
        self.python = settings.slurm.python or sys.executable
        self._batches: dict[str, Path] = {}  # job id -> its batch file, removed when all its tasks ended

    @property
    def poll_s(self) -> float:
        return self.settings.slurm.poll_s

    def start(self) -> None:
        """Migrate/open the ledger, write the settings hand-over (0600) in the spool, start sweeping."""
        self._open_ledger()
        prepare_spool(self.spool, self.settings)
        self._start_sweeping()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop sweeping; with ``cancel_on_stop``, scancel our jobs and record how they ended."""
        self._stop_sweeping(timeout_s)
        if self._ledger is None:
            return
        try:
            if self.settings.slurm.cancel_on_stop:
                unfinished = self._unfinished_jobs()
                if unfinished:
                    self.ctl.cancel(unfinished)
                self._drain(timeout_s)  # record how our ending jobs ended
        except OncodropError as exc:
            log.warning("slurm: could not cancel our jobs on stop: %s", exc.message)
        finally:
            self._ledger.close()

    def _unfinished_jobs(self) -> list[str]:
        """Our live jobs whose sample has no outcome yet (a job that recorded its outcome is
        left to exit by itself)."""
        unfinished = []
        for record_id, key in self.jobs.items():
            record = self.ledger.get(record_id)
            if record is not None and not record.is_terminal:
                unfinished.append(key)
        return unfinished

    def _drain(self, timeout_s: float) -> None:
        """After scancel: sweep (without submitting) until our jobs have ended or time is up."""
        deadline = time.monotonic() + timeout_s
        while self.jobs and time.monotonic() < deadline:
            self._reap()
            if self.jobs:
                time.sleep(1.0)

    def sweep_once(self) -> SweepResult:
        """One pass: map ended jobs into the ledger, then submit what is runnable and unsubmitted."""
        ended = self._reap()
        waiting = self.runnable(datetime.now(UTC))
        submitted = self._submit([r.id for r in waiting]) if waiting else ()
        return SweepResult(submitted, ended)

    def _reap(self) -> tuple[tuple[str, str], ...]:
        """Ask Slurm about our jobs; handle and forget each that ended."""
        with self._lock:
            tracked = dict(self._jobs)
        if not tracked:
            return ()
        known = self.ctl.jobs({key.split("_")[0] for key in tracked.values()})
        ended = []
        for record_id, key in tracked.items():
            job = known.get(key)
            if job is not None and job.state in LIVE:
                continue
            state = job.state if job is not None else "UNKNOWN"
            self._job_ended(record_id, key, job)
            ended.append((key, state))
            self._forget(record_id)
        live_ids = {key.split("_")[0] for key in self.jobs.values()}
        for job_id in [j for j in self._batches if j not in live_ids]:
            self._batches.pop(job_id).unlink(missing_ok=True)
        return tuple(ended)

    def _job_ended(self, record_id: int, key: str, job: SlurmJob | None) -> None:
        rule = end_rule(job.state if job is not None else "")
        record = self.ledger.get(record_id)
        if record is not None and owned_by(record, key):
            detail = f", {job.reason}" if job and job.reason not in ("", "None") else ""
            self._record_end(record, rule, f"{rule.why} (job {key}{detail})")
        self._record_accounting(record_id, key, job)

    def _record_accounting(self, record_id: int, key: str, job: SlurmJob | None) -> None:
        """One line per ended job in ``accounting.jsonl``: sacct's CPU time and max RSS when the
        cluster keeps accounting, else the job's own getrusage and scontrol's record."""
        entry: dict[str, object] = {"job": key, "record_id": record_id,
                                    "state": job.state if job else "UNKNOWN"}  # fmt: skip
        if job is not None:
            entry.update(node=job.node, exit_code=job.exit_code, run_time=job.run_time, tres=job.tres)
        own = self.spool / ACCOUNTING_DIR / f"{key}.json"
        if own.is_file():
            entry["job_rusage"] = json.loads(own.read_text())
            own.unlink()
        try:
            entry["sacct"] = self.ctl.accounting(key) or "unavailable (no accounting storage)"
        except OncodropError:
            entry["sacct"] = "unavailable"
        with (self.spool / "accounting.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, sort_keys=True) + "\n")
        log.info("slurm job %s (sample #%d) ended %s", key, record_id, entry["state"])

    def _submit(self, record_ids: list[int]) -> tuple[int, ...]:
        """One job for one sample, one array for several; remember each task's sample."""
        batch = self.spool / "batches" / f"{uuid.uuid4().hex}.json"
        batch.write_text(json.dumps({"record_ids": record_ids}))
        array = len(record_ids) > 1
        output = self.spool / "logs" / ("%A_%a.out" if array else "%j.out")
        job_id = self.ctl.submit(job_script(self.python, self.spool, batch), array_size=len(record_ids),
                                 output=output, chdir=self.spool)  # fmt: skip
        keys = [f"{job_id}_{i}" for i in range(len(record_ids))] if array else [job_id]
        with self._lock:
            self._jobs.update(zip(record_ids, keys, strict=True))
        self._batches[job_id] = batch
        log.info("submitted %d sample(s) to slurm as job %s", len(record_ids), job_id)
        return tuple(record_ids)

    def cleanup(self) -> None:
        """Remove the spool (tests; a cluster keeps it for the job logs)."""
        shutil.rmtree(self.spool, ignore_errors=True)
