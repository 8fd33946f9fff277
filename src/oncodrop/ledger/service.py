"""The ledger: the single source of truth for every sample's state.

Every state change is one compare-and-set (``transitions.cas``) recorded in the history in the
same transaction; a lost race raises ``StateConflict``. Worker-side rules live in ``leases``.

Times come from the injected ``clock`` (UTC, the caller's machine), so every process that shares
a ledger must have a synchronised clock; lease lengths should dwarf any skew.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from oncodrop.domain.headline import Headline
from oncodrop.domain.outbox import OutboxItem, OutboxOutcome
from oncodrop.domain.sample import HistoryEntry, SampleRecord
from oncodrop.domain.state import TERMINAL, SampleState
from oncodrop.errors import ConfigError, ReasonCode, StateConflict
from oncodrop.ledger import leases, outbox, seen
from oncodrop.ledger.db import (
    create_ledger_engine,
    migrate,
    read_session,
    sqlite_file,
    write_session,
)
from oncodrop.ledger.intake import NewObject, Verdict, drive_on, insert_received
from oncodrop.ledger.interpretations import index_interpretation
from oncodrop.ledger.models import SampleRow, TransitionRow
from oncodrop.ledger.records import history_entry, sample_record
from oncodrop.ledger.transitions import NO_LEASE, load, must_cas
from oncodrop.ledger.transitions import find as find_row

Clock = Callable[[], datetime]
DEFAULT_MAX_ATTEMPTS = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Typed access to the sample ledger. Open with :meth:`open`; safe to use from several
    processes at once (each opens its own ``Ledger``). Samples are addressed by ``record_id``
    (``SampleRecord.id``), the ledger's own number for one input object version."""

    def __init__(self, url: str, *, max_attempts: int, clock: Clock) -> None:
        self.url = url
        self.max_attempts = max_attempts
        self._clock = clock
        self._engine = create_ledger_engine(url)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate_schema: bool = True,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        clock: Clock = utcnow,
        create: bool = True,
    ) -> Ledger:
        """Connect to ``url`` (any SQLAlchemy URL) and, by default, migrate to the newest schema.

        ``max_attempts`` is the attempt budget given to samples recorded through this ledger.
        Worker processes pass ``migrate_schema=False`` once their parent has migrated. Readers
        (``oncodrop status``) pass ``create=False``: a SQLite file that does not exist is then a
        ``ConfigError`` naming it, rather than a new empty ledger left behind.
        """
        if not create and (path := sqlite_file(url)) is not None and not path.exists():
            raise ConfigError(
                f"no ledger at {path.resolve()}: pass --db URL (or set ONCODROP_DB) to the ledger "
                "the service uses, e.g. sqlite:////data/oncodrop.db"
            )
        ledger = cls(url, max_attempts=max_attempts, clock=clock)
        if migrate_schema:
            migrate(ledger._engine)
        return ledger

    def close(self) -> None:
        self._engine.dispose()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for the ledger's own read models (``queries``, ``access``)."""
        return self._engine

    def now(self) -> datetime:
        """The ledger's clock (UTC)."""
        return self._clock()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- intake -------------------------------------------------------------------------

    def record_object(
        self,
        store_url: str,
        key: str,
        etag: str,
        size: int,
        kind: str,
        sample_id: str,
        output_key: str | None,
        *,
        actor: str = "intake",
        max_attempts: int | None = None,
    ) -> tuple[SampleRecord, bool]:
        """Record an input object version as RECEIVED; idempotent on (store_url, key, etag).

        Returns the record and whether it was created now (False: a duplicate event).
        """
        obj = NewObject(store_url, key, etag, size, kind, sample_id, output_key, max_attempts or self.max_attempts)
        with write_session(self._engine) as s:
            row, created = insert_received(s, self._clock(), obj, actor)
            return sample_record(row), created

    def admit_object(
        self,
        store_url: str,
        key: str,
        etag: str,
        size: int,
        kind: str,
        sample_id: str,
        output_key: str | None,
        *,
        rejection: tuple[ReasonCode, str] | None = None,
        actor: str = "intake",
    ) -> tuple[SampleRecord, bool]:
        """Record an object version and queue it (or reject it with ``rejection``: code and
        message, announced in the outbox) in one transaction; idempotent on (store_url, key,
        etag). A version found still RECEIVED is driven on now. Returns the record and whether
        this call recorded it."""
        obj = NewObject(store_url, key, etag, size, kind, sample_id, output_key, self.max_attempts)
        verdict = Verdict(*rejection) if rejection is not None else Verdict()
        now = self._clock()
        with write_session(self._engine) as s:
            row, created = insert_received(s, now, obj, actor)
            drive_on(s, row, now, verdict, actor)
            return self._record(s, row.id), created

    def queue(self, record_id: int, *, actor: str = "intake") -> SampleRecord:
        """RECEIVED -> QUEUED: the sample is ready for a worker."""
        return self._move(record_id, SampleState.QUEUED, actor=actor, reason_code=ReasonCode.QUEUED)

    def reject(
        self,
        record_id: int,
        reason_code: ReasonCode,
        message: str,
        *,
        actor: str = "intake",
        worker_id: str | None = None,
    ) -> SampleRecord:
        """-> REJECTED with a reason a person can act on. A worker passes its ``worker_id`` so
        the move only happens while it still holds the lease."""
        return self._move(
            record_id,
            SampleState.REJECTED,
            actor=worker_id or actor,
            owner=worker_id,
            reason_code=reason_code,
            reason=message,
            changes={"reason_code": reason_code, "reason": message, **NO_LEASE},
        )

    # --- workers (rules in ledger.leases) -----------------------------------------------

    def claim(self, worker_id: str, lease_s: float) -> SampleRecord | None:
        """Lease the oldest runnable sample: QUEUED past its backoff, or RUNNING with an
        expired lease (its worker died). Counts an attempt (not for an expired lease). ``None`` when nothing is runnable."""
        with write_session(self._engine) as s:
            record_id = leases.claim(s, self._clock(), worker_id, lease_s)
            return None if record_id is None else self._record(s, record_id)

    def claim_specific(self, record_id: int, worker_id: str, lease_s: float) -> SampleRecord | None:
        """Lease this one sample if it is runnable (QUEUED past its backoff, or RUNNING with an
        expired lease); counts an attempt. ``None`` when it is not (running elsewhere, finished,
        backing off, unknown): a duplicate delivery then does nothing."""
        with write_session(self._engine) as s:
            taken = leases.claim_specific(s, self._clock(), record_id, worker_id, lease_s)
            return None if taken is None else self._record(s, taken)

    def heartbeat(self, record_id: int, worker_id: str, lease_s: float) -> SampleRecord:
        """Extend the lease; ``StateConflict`` if the worker no longer holds it."""
        with write_session(self._engine) as s:
            leases.heartbeat(s, self._clock(), record_id, worker_id, lease_s)
            return self._record(s, record_id)

    def succeed(
        self, record_id: int, worker_id: str, output_key: str, headline: Headline | None,
        bundle_version: str | None = None,
    ) -> SampleRecord:
        """RUNNING -> SUCCEEDED with the output key and the report's headline for notifications;
        with ``bundle_version``, the interpretation index row of the output too."""
        changes = {
            "output_key": output_key,
            "headline": headline.model_dump(mode="json") if headline is not None else None,
            "reason_code": None,
            "reason": None,
            **NO_LEASE,
        }
        with write_session(self._engine) as s:
            now = self._clock()
            must_cas(s, load(s, record_id), SampleState.SUCCEEDED, now=now, actor=worker_id,
                     owner=worker_id, reason_code=ReasonCode.SUCCEEDED, changes=changes)  # fmt: skip
            if bundle_version:
                index_interpretation(s, record_id, bundle_version, "output", output_key, now)
            return self._record(s, record_id)

    def fail(
        self,
        record_id: int,
        worker_id: str,
        reason: str,
        *,
        retryable: bool,
        reason_code: ReasonCode = ReasonCode.ERROR,
        retry_delay_s: float = 0.0,
        outage: leases.OutageBudget | None = None,
    ) -> SampleRecord:
        """RUNNING -> FAILED -> QUEUED (retry after ``retry_delay_s``) if ``retryable`` and
        attempts remain, else -> DEAD; one transaction, both hops in the history. With
        ``outage``, an outage failure within its budget spends no attempt (``ledger.leases``)."""
        with write_session(self._engine) as s:
            leases.fail(
                s,
                self._clock(),
                record_id,
                worker_id,
                reason,
                retryable=retryable,
                reason_code=reason_code,
                retry_delay_s=retry_delay_s,
                outage=outage,
            )
            return self._record(s, record_id)

    def lease_losses(self, record_id: int) -> int:
        """How often a worker died holding this sample in its current run."""
        with read_session(self._engine) as s:
            return leases.lease_losses(s, record_id)

    def release(
        self, record_id: int, worker_id: str, reason: str = "worker shutting down"
    ) -> SampleRecord:
        """RUNNING -> QUEUED without counting a failure (shutdown, spot interruption)."""
        with write_session(self._engine) as s:
            leases.release(s, self._clock(), record_id, worker_id, reason)
            return self._record(s, record_id)

    def rerun(self, record_id: int, actor: str, reason: str) -> SampleRecord:
        """Re-open a terminal sample as a new run (attempts reset), recorded with who and why.

        The only way out of a terminal state; deliberately outside ``TRANSITIONS``.
        """
        with write_session(self._engine) as s:
            row = load(s, record_id)
            if SampleState(row.state) not in TERMINAL:
                raise StateConflict(
                    f"sample #{record_id} is {row.state}; only finished samples can be re-run"
                )
            changes = {
                "run": row.run + 1,
                "attempts": 0,
                "not_before": None,
                "reason": None,
                "reason_code": None,
                "headline": None,
                **NO_LEASE,
            }
            must_cas(
                s,
                row,
                SampleState.QUEUED,
                now=self._clock(),
                actor=actor,
                reason_code=ReasonCode.RERUN,
                reason=reason,
                changes=changes,
                checked=False,
            )
            return self._record(s, record_id)

    # --- queries ------------------------------------------------------------------------

    def get(self, record_id: int) -> SampleRecord | None:
        with read_session(self._engine) as s:
            row = s.get(SampleRow, record_id)
            return None if row is None else sample_record(row)

    def find(self, store_url: str, key: str, etag: str) -> SampleRecord | None:
        """The sample recorded for this object version, if any."""
        with read_session(self._engine) as s:
            row = find_row(s, store_url, key, etag)
            return None if row is None else sample_record(row)

    def list_samples(
        self, state: SampleState | None = None, *, limit: int = 1000
    ) -> list[SampleRecord]:
        """Newest first."""
        query = select(SampleRow).order_by(SampleRow.id.desc()).limit(limit)
        if state is not None:
            query = query.where(SampleRow.state == state.value)
        with read_session(self._engine) as s:
            return [sample_record(r) for r in s.scalars(query)]

    def history(self, record_id: int) -> list[HistoryEntry]:
        """Every transition of the sample, oldest first."""
        query = (
            select(TransitionRow)
            .where(TransitionRow.sample_pk == record_id)
            .order_by(TransitionRow.id)
        )
        with read_session(self._engine) as s:
            return [history_entry(r) for r in s.scalars(query)]

    def counts_by_state(self) -> dict[SampleState, int]:
        """Number of samples in every state (zero included), for dashboards and scaling."""
        query = select(SampleRow.state, func.count()).group_by(SampleRow.state)
        with read_session(self._engine) as s:
            found = {SampleState(state): n for state, n in s.execute(query)}
        return {state: found.get(state, 0) for state in SampleState}

    # --- poller memory ------------------------------------------------------------------

    def mark_seen(self, store_url: str, key: str, etag: str) -> bool:
        """Remember that a poller handed this object version over; False if already known."""
        return seen.mark_seen(self._engine, store_url, key, etag, self._clock())

    def seen_objects(self, store_url: str) -> frozenset[tuple[str, str]]:
        """(key, etag) pairs already handed over for ``store_url``."""
        return seen.seen_objects(self._engine, store_url)

    # --- notification outbox (rows written by terminal transitions; see ledger.outbox) --

    def claim_notifications(self, owner: str, *, limit: int, claim_s: float) -> list[OutboxItem]:
        """Due notifications, each claimed for ``claim_s`` by the notifier loop ``owner``."""
        return outbox.claim(self._engine, self._clock(), owner, limit, claim_s)

    def settle_notification(
        self,
        item_id: int,
        owner: str,
        *,
        outcome: OutboxOutcome,
        done_targets: Iterable[str],
        retry_in_s: float = 0.0,
        error: str | None = None,
    ) -> bool:
        """Record a delivery round of a claimed notification; False if the claim was lost."""
        return outbox.settle(self._engine, self._clock(), item_id, owner, outcome=outcome,
                             done_targets=done_targets, retry_in_s=retry_in_s, error=error)  # fmt: skip

    def note_notification_targets(self, item_id: int, owner: str, done_targets: Iterable[str]) -> bool:
        """Record the targets that already took a notification ``owner`` holds; False if the
        claim was lost."""
        return outbox.note_done(self._engine, item_id, owner, done_targets)

    def release_notifications(self, owner: str) -> int:
        """Hand back the notifications ``owner`` claimed and did not settle (it is stopping)."""
        return outbox.release(self._engine, owner)

    def notifications(self, record_id: int | None = None) -> list[tuple[OutboxItem, str | None]]:
        """Outbox rows (of one sample, if given), oldest first, with their outcome (None: pending)."""
        return outbox.entries(self._engine, record_id)

    def pending_notifications(self) -> int:
        return outbox.pending_count(self._engine)

    # --- internals ----------------------------------------------------------------------

    def _move(self, record_id: int, target: SampleState, **kw: Any) -> SampleRecord:
        with write_session(self._engine) as s:
            must_cas(s, load(s, record_id), target, now=self._clock(), **kw)
            return self._record(s, record_id)

    @staticmethod
    def _record(s: Session, record_id: int) -> SampleRecord:
        s.flush()
        return sample_record(load(s, record_id))
