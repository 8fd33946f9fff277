"""The AWS Batch executor (``executor = "batch"``): every runnable sample becomes one Batch job
on the oncodrop image, and Batch's job states are mapped back into the ledger.

Like the Slurm executor it dispatches and does not schedule: Batch's managed compute
environment (EC2 spot, min 0 vCPUs, ``SPOT_PRICE_CAPACITY_OPTIMIZED``) decides where and when,
scales to zero and retries spot reclaims itself (the job definition's ``retryStrategy`` retries
``Host EC2*`` only). The job runs ``oncodrop batch-job --record-id N`` (``execute.batch_job``):
the local worker's code for its one sample under the ledger lease, which stays the exactly-once
guard. Every ``batch.poll_s`` the executor

1. describes the jobs it submitted; for each that ended, applies the first matching rule of
   ``RULES`` (below) when the job did not record an outcome itself (the sample is still RUNNING
   under that job's lease), and logs the job's runtime and estimated cost;
2. submits every sample that is runnable (QUEUED past its backoff, or RUNNING with an expired
   lease) and has no live job of ours, to ``batch.job_queue`` (spot), or to
   ``batch.final_attempt_queue`` (on demand) for a sample's last attempt.

``RULES``: how a job that ended without recording its sample's outcome counts (first match of
its status and any of its reasons: the job's ``statusReason``, the container's ``reason``).

=========  ====================================  ===========  ====================================
status     reason                                ledger       why
=========  ====================================  ===========  ====================================
SUCCEEDED  *                                     nothing      the job recorded the outcome
FAILED     ``Host EC2*``                         release      spot reclaim after Batch's retries
FAILED     ``oncodrop:*``                        release      terminated by us or an operator
FAILED     ``Job attempt duration exceeded*``    fail, retry  over the job definition's timeout
FAILED     ``OutOfMemoryError*``                 fail, retry  over ``batch.memory_mib`` (crash)
FAILED     *                                     fail, retry  the container died (job_crashed)
=========  ====================================  ===========  ====================================

A job that ended without ever claiming its sample (an image that cannot be pulled, a wrong
command, a duplicate) leaves the sample runnable: it is submitted again after
``batch.resubmit_backoff_s``, doubling each time, so a broken deployment does not spin.
A restarted dispatcher lists the live jobs of its queues and adopts them (no second job).
"""

from __future__ import annotations

import fnmatch
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError, OncodropError, ReasonCode
from oncodrop.execute.batch_ctl import BatchCtl, BatchJob, job_name, parse_tags, record_id_of
from oncodrop.execute.cost import cost_usd
from oncodrop.execute.dispatcher import Dispatcher
from oncodrop.settings import Settings

log = logging.getLogger(__name__)

OWNER_PREFIX = "batch:"  # lease owner of a Batch job: batch:{job id}@{host}:{pid}
MAX_RESUBMIT_BACKOFF_S = 3600.0


@dataclass(frozen=True, slots=True)
class EndRule:
    """What the ledger does with a sample whose job ended without recording an outcome."""

    status: str
    reason: str  # fnmatch pattern over the job's reasons
    action: Literal["none", "release", "fail"]
    reason_code: ReasonCode | None
    why: str


RULES: tuple[EndRule, ...] = (
    EndRule("SUCCEEDED", "*", "none", None, "the job recorded the outcome"),
    EndRule("FAILED", "Host EC2*", "release", None, "spot instance reclaimed under the batch job"),
    EndRule("FAILED", "oncodrop:*", "release", None, "batch job terminated"),
    EndRule("FAILED", "Job attempt duration exceeded*", "fail", ReasonCode.TIMEOUT,
            "batch job timeout reached (raise the job definition's timeout)"),
    EndRule("FAILED", "OutOfMemoryError*", "fail", ReasonCode.JOB_CRASHED,
            "batch job ran out of memory (raise batch.memory_mib)"),
    EndRule("FAILED", "*", "fail", ReasonCode.JOB_CRASHED, "batch job failed"),
)  # fmt: skip
UNKNOWN = EndRule("UNKNOWN", "*", "none", None, "Batch no longer knows the job; the lease decides")


def end_rule(job: BatchJob | None) -> EndRule:
    """The first rule matching ``job``'s status and one of its reasons."""
    if job is None:
        return UNKNOWN
    reasons = [job.status_reason, job.container_reason]
    for rule in RULES:
        if rule.status == job.status and any(fnmatch.fnmatchcase(r, rule.reason) for r in reasons):
            return rule
    return UNKNOWN


def owned_by(record: SampleRecord, job_id: str) -> bool:
    """The sample is RUNNING under the lease of Batch job ``job_id`` (see ``batch_job.worker_id_for``)."""
    return record.state is SampleState.RUNNING and (record.lease_owner or "").startswith(f"{OWNER_PREFIX}{job_id}@")


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep did (for logs and tests)."""

    submitted: tuple[tuple[int, str], ...] = ()  # (record id, job id)
    ended: tuple[tuple[str, str, str], ...] = ()  # (job id, status, action)


class BatchExecutor(Dispatcher):
    """Submits runnable samples as Batch jobs and maps ended jobs into the ledger (see the module)."""

    name = "batch"

    def __init__(self, settings: Settings, *, ctl: BatchCtl | None = None) -> None:
        batch = settings.batch
        if not batch.job_queue or not batch.job_definition:
            raise ConfigError("executor = batch needs batch.job_queue and batch.job_definition "
                              "(ONCODROP_BATCH__JOB_QUEUE, ONCODROP_BATCH__JOB_DEFINITION; stack outputs)")  # fmt: skip
        super().__init__(settings)
        self.ctl = ctl or BatchCtl(batch, settings.aws.batch_endpoint_url)
        self._tags = parse_tags(batch.tags)
        self._held: dict[int, tuple[datetime, int]] = {}  # record id -> (no resubmit before, repeats)

    @property
    def poll_s(self) -> float:
        return self.settings.batch.poll_s

    @property
    def queues(self) -> tuple[str, ...]:
        batch = self.settings.batch
        assert batch.job_queue is not None
        return tuple(dict.fromkeys(q for q in (batch.job_queue, batch.final_attempt_queue) if q))

    def start(self) -> None:
        """Open the ledger, adopt our live jobs, start sweeping. (``stop`` leaves jobs running:
        they record their outcomes in the ledger.)"""
        self._open_ledger()
        try:
            self.adopt()
        except OncodropError as exc:
            log.warning("batch: could not list live jobs (may submit duplicates, which the lease makes harmless): %s",
                        exc.message)  # fmt: skip
        self._start_sweeping()

    def adopt(self) -> int:
        """Track the live jobs of our queues whose names carry a record id (after a restart)."""
        adopted = 0
        for queue in self.queues:
            for job_id, name in self.ctl.live_jobs(queue):
                record_id = record_id_of(name, self.settings.batch.job_name)
                if record_id is not None:
                    with self._lock:
                        self._jobs.setdefault(record_id, job_id)
                    adopted += 1
        if adopted:
            log.info("batch: adopted %d live job(s)", adopted)
        return adopted

    def sweep_once(self, now: datetime | None = None) -> SweepResult:
        """One pass: map ended jobs into the ledger, then submit what is runnable and unsubmitted
        (and not held back after a job that never claimed its sample)."""
        ended = self._reap(now or datetime.now(UTC))
        now = now or datetime.now(UTC)  # after the reap: a retry it scheduled without delay is due
        submitted = []
        for record in self.runnable(now):
            held = self._held.get(record.id)
            if held is None or held[0] <= now:
                submitted.append((record.id, self._submit(record)))
        return SweepResult(tuple(submitted), ended)

    def _submit(self, record: SampleRecord) -> str:
        batch = self.settings.batch
        last_attempt = record.attempts + 1 >= record.max_attempts
        queue = batch.final_attempt_queue if last_attempt and batch.final_attempt_queue else batch.job_queue
        assert queue is not None
        tags = {**self._tags, "oncodrop:sample": record.sample_id, "oncodrop:kind": record.kind,
                "oncodrop:record": str(record.id), "oncodrop:attempt": str(record.attempts + 1)}  # fmt: skip
        job_id = self.ctl.submit(name=job_name(batch.job_name, record.id, record.sample_id, record.kind),
                                 queue=queue, record_id=record.id, tags=tags)  # fmt: skip
        with self._lock:
            self._jobs[record.id] = job_id
        log.info("sample #%d submitted to batch queue %s as job %s", record.id, queue, job_id)
        return job_id

    def _reap(self, now: datetime) -> tuple[tuple[str, str, str], ...]:
        tracked = self.jobs
        if not tracked:
            return ()
        known = self.ctl.describe(tracked.values())
        ended = []
        for record_id, job_id in tracked.items():
            job = known.get(job_id)
            if job is not None and job.live:
                continue
            rule = self._job_ended(record_id, job_id, job, now)
            ended.append((job_id, job.status if job else "UNKNOWN", rule.action))
            self._forget(record_id)
        return tuple(ended)

    def _job_ended(self, record_id: int, job_id: str, job: BatchJob | None, now: datetime) -> EndRule:
        rule = end_rule(job)
        record = self.ledger.get(record_id)
        if record is not None and owned_by(record, job_id):
            detail = job.status_reason or job.container_reason if job else ""
            self._record_end(record, rule, f"{rule.why} (job {job_id}{': ' + detail if detail else ''})")
        self._hold_if_unclaimed(record_id, job_id, job, now)
        runtime = job.runtime_s if job else None
        batch = self.settings.batch
        log.info("batch job %s (sample #%d) ended %s, runtime %s s, estimated cost %s USD", job_id, record_id,
                 job.status if job else "UNKNOWN", runtime, cost_usd(runtime, batch.vcpus, batch.spot_price_per_vcpu_hour))  # fmt: skip
        return rule

    def _hold_if_unclaimed(self, record_id: int, job_id: str, job: BatchJob | None, now: datetime) -> None:
        """A job that ended while its sample stayed runnable and was never claimed by it:
        resubmit only after a doubling backoff."""
        record = self.ledger.get(record_id)
        if record is None or record.is_terminal:
            self._held.pop(record_id, None)
            return
        claimed = any(h.actor.startswith(f"{OWNER_PREFIX}{job_id}@") for h in self.ledger.history(record_id)[-20:])
        if claimed:
            self._held.pop(record_id, None)
            return
        repeats = self._held.get(record_id, (datetime.min.replace(tzinfo=UTC), 0))[1]
        delay = min(self.settings.batch.resubmit_backoff_s * 2**repeats, MAX_RESUBMIT_BACKOFF_S)
        self._held[record_id] = (now + timedelta(seconds=delay), repeats + 1)
        reason = (job.status_reason or job.container_reason) if job else "unknown to Batch"
        log.warning("batch job %s ended (%s) without claiming sample #%d; resubmitting in %.0f s",
                    job_id, reason or (job.status if job else ""), record_id, delay)  # fmt: skip
