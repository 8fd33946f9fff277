"""What the executors that hand each sample to another scheduler (Slurm, AWS Batch) share.

They dispatch and do not schedule: the scheduler decides where and when, the job runs the local
worker's code for its one sample under the ledger lease (the exactly-once guard), and the
executor only remembers which live job it submitted for which sample. One sweep every
``poll_s``: map the jobs that ended into the ledger, then submit what is runnable and has no
live job. A job that ended without recording its sample's outcome is judged by its
scheduler's end rule (``EndOutcome``): nothing, release the lease (not the sample's fault) or
fail it with a retry.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Literal, Protocol, Self

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import OncodropError, ReasonCode, StateConflict
from oncodrop.execute.job import job_retry_policy
from oncodrop.execute.sweeper import due_reason
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

log = logging.getLogger(__name__)

EndAction = Literal["none", "release", "fail"]


class EndOutcome(Protocol):
    """What the ledger does with a sample whose job ended without recording an outcome."""

    @property
    def action(self) -> EndAction: ...
    @property
    def reason_code(self) -> ReasonCode | None: ...
    @property
    def why(self) -> str: ...


class Dispatcher(ABC):
    """The ledger, the sweeping thread and the record id -> live job map of a dispatching
    executor; subclasses submit, reap and say how often (``poll_s``)."""

    name = "dispatch"  # the scheduler's name in logs and the thread's name

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: dict[int, str] = {}  # record id -> the job (or array task) of its live submission
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ledger: Ledger | None = None
        self._policy = job_retry_policy(settings)

    @property
    @abstractmethod
    def poll_s(self) -> float: ...

    @property
    def ledger(self) -> Ledger:
        assert self._ledger is not None, "start() first"
        return self._ledger

    @property
    def jobs(self) -> dict[int, str]:
        """Live submissions: record id -> job id."""
        with self._lock:
            return dict(self._jobs)

    @abstractmethod
    def sweep_once(self) -> object:
        """One pass: map ended jobs into the ledger, then submit what is runnable and unsubmitted."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._open_ledger()
        self._start_sweeping()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop_sweeping(timeout_s)
        if self._ledger is not None:
            self._ledger.close()

    def _open_ledger(self) -> None:
        self._ledger = Ledger.open(self.settings.db, max_attempts=self.settings.max_attempts)

    def _start_sweeping(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-dispatch", daemon=True)
        self._thread.start()

    def _stop_sweeping(self, timeout_s: float) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep_once()
            except OncodropError as exc:
                log.warning("%s sweep failed, will retry: %s", self.name, exc.message)
            self._stop.wait(self.poll_s)

    def runnable(self, now: datetime) -> list[SampleRecord]:
        """Samples due to run (QUEUED past their backoff, or RUNNING with an expired lease) that
        have no live job of ours, oldest first."""
        records = [*self.ledger.list_samples(SampleState.QUEUED, limit=10_000),
                   *self.ledger.list_samples(SampleState.RUNNING, limit=10_000)]  # fmt: skip
        with self._lock:
            return [r for r in sorted(records, key=lambda r: r.id)
                    if r.id not in self._jobs and due_reason(r, None, now, float("inf")) is not None]  # fmt: skip

    def _forget(self, record_id: int) -> None:
        with self._lock:
            self._jobs.pop(record_id, None)

    def _record_end(self, record: SampleRecord, outcome: EndOutcome, why: str) -> None:
        """Apply ``outcome`` to a sample still RUNNING under the lease of the job that ended."""
        if outcome.action == "none":
            return
        owner = record.lease_owner or ""
        try:
            if outcome.action == "release":
                self.ledger.release(record.id, owner, reason=why)
            else:
                assert outcome.reason_code is not None
                # a terminal outcome writes its notification to the outbox in the same transaction
                self.ledger.fail(record.id, owner, why, retryable=True, reason_code=outcome.reason_code,
                                 retry_delay_s=self._policy.delay_s(record.attempts))  # fmt: skip
            log.info("sample #%d: %s", record.id, why)
        except StateConflict:  # the job recorded something after all, or the lease moved on
            pass
