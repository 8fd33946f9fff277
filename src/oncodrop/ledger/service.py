"""The ledger: the single source of truth for every sample's state.

Every state change is one compare-and-set ``UPDATE ... WHERE id = ? AND state = ? AND
version = ?`` (plus the lease owner where a worker acts), checked by row count, and recorded
in the transition history in the same transaction. A lost race raises ``StateConflict``.

Times come from the injected ``clock`` (UTC, the caller's machine), so every process that shares
a ledger must have a synchronised clock; lease lengths should dwarf any skew.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from oncodrop.errors import StateConflict
from oncodrop.ledger.db import create_ledger_engine, migrate, read_session, write_session
from oncodrop.ledger import seen
from oncodrop.ledger.models import SampleRow, TransitionRow
from oncodrop.ledger.records import (
    HeadlineJSON,
    HistoryEntry,
    SampleRecord,
    history_entry,
    sample_record,
    to_headline,
)
from oncodrop.ledger.states import TERMINAL, SampleState, check_transition

Clock = Callable[[], datetime]
DEFAULT_MAX_ATTEMPTS = 3
_CLAIM_CANDIDATES = 8
_NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Ledger:
    """Typed access to the sample ledger. Open with :meth:`open`; safe to use from several
    processes at once (each opens its own ``Ledger``)."""

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
    ) -> Ledger:
        """Connect to ``url`` (any SQLAlchemy URL) and, by default, migrate to the newest schema.

        ``max_attempts`` is the attempt budget given to samples recorded through this ledger.
        """
        ledger = cls(url, max_attempts=max_attempts, clock=clock)
        if migrate_schema:
            migrate(ledger._engine)
        return ledger

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Ledger:
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
        now = self._clock()
        with write_session(self._engine) as s:
            existing = self._find_row(s, store_url, key, etag)
            if existing is not None:
                return sample_record(existing), False
            row = SampleRow(
                store_url=store_url, object_key=key, etag=etag, size=size, kind=kind,
                sample_id=sample_id, output_key=output_key, state=SampleState.RECEIVED.value,
                version=1, run=1, attempts=0, max_attempts=max_attempts or self.max_attempts,
                created_at=now, updated_at=now,
            )  # fmt: skip
            try:
                with s.begin_nested():
                    s.add(row)
                    s.flush()
            except IntegrityError:  # another process recorded it between our read and insert
                raced = self._find_row(s, store_url, key, etag)
                if raced is None:
                    raise
                return sample_record(raced), False
            s.add(TransitionRow(sample_pk=row.id, run=1, from_state=None, to_state=row.state,
                                at=now, actor=actor, reason_code="received", reason=None))  # fmt: skip
            return sample_record(row), True

    def queue(self, record_id: int, *, actor: str = "intake") -> SampleRecord:
        """RECEIVED -> QUEUED: the sample is ready for a worker."""
        return self._transition(record_id, SampleState.QUEUED, actor=actor, reason_code="queued")

    def reject(
        self,
        record_id: int,
        reason_code: str,
        message: str,
        *,
        actor: str = "intake",
        worker_id: str | None = None,
    ) -> SampleRecord:
        """-> REJECTED with a reason a person can act on. A worker passes its ``worker_id`` so
        the move only happens while it still holds the lease."""
        return self._transition(
            record_id, SampleState.REJECTED, actor=worker_id or actor, owner=worker_id,
            reason_code=reason_code, reason=message,
            changes={"reason_code": reason_code, "reason": message, **_NO_LEASE},
        )  # fmt: skip

    # --- workers ------------------------------------------------------------------------

    def claim(self, worker_id: str, lease_s: float) -> SampleRecord | None:
        """Take the oldest runnable sample: QUEUED and past its ``not_before``, or RUNNING with
        an expired lease (its worker died). Counts an attempt. ``None`` when nothing is runnable.
        """
        now = self._clock()
        runnable = or_(
            and_(
                SampleRow.state == SampleState.QUEUED.value,
                or_(SampleRow.not_before.is_(None), SampleRow.not_before <= now),
            ),
            and_(SampleRow.state == SampleState.RUNNING.value, SampleRow.lease_expires_at < now),
        )
        with write_session(self._engine) as s:
            rows = s.scalars(
                select(SampleRow).where(runnable).order_by(SampleRow.id).limit(_CLAIM_CANDIDATES)
            ).all()
            for row in rows:
                expired = row.state == SampleState.RUNNING.value
                extra = [SampleRow.lease_expires_at < now] if expired else []
                changes = {
                    "attempts": row.attempts + 1, "lease_owner": worker_id,
                    "lease_expires_at": now + timedelta(seconds=lease_s), "heartbeat_at": now,
                    "not_before": None,
                }  # fmt: skip
                reason = f"lease of {row.lease_owner} expired" if expired else None
                code = "lease_expired" if expired else "claimed"
                if self._cas(s, row, SampleState.RUNNING, now=now, actor=worker_id,
                             reason_code=code, reason=reason, changes=changes, extra=extra,
                             raise_on_conflict=False):  # fmt: skip
                    return self._record(s, row.id)
        return None

    def heartbeat(self, record_id: int, worker_id: str, lease_s: float) -> SampleRecord:
        """Extend the lease; ``StateConflict`` if the worker no longer holds it."""
        now = self._clock()
        with write_session(self._engine) as s:
            result = s.execute(
                update(SampleRow)
                .where(
                    SampleRow.id == record_id,
                    SampleRow.state == SampleState.RUNNING.value,
                    SampleRow.lease_owner == worker_id,
                )
                .values(lease_expires_at=now + timedelta(seconds=lease_s), heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise StateConflict(f"sample #{record_id}: {worker_id} no longer holds the lease")
            return self._record(s, record_id)

    def succeed(
        self, record_id: int, worker_id: str, output_key: str, headline: HeadlineJSON | object
    ) -> SampleRecord:
        """RUNNING -> SUCCEEDED, with the uploaded output key and a small headline for notices."""
        return self._transition(
            record_id, SampleState.SUCCEEDED, actor=worker_id, owner=worker_id,
            reason_code="succeeded",
            changes={"output_key": output_key, "headline": to_headline(headline), "reason_code": None,
                     "reason": None, **_NO_LEASE},
        )  # fmt: skip

    def fail(
        self,
        record_id: int,
        worker_id: str,
        reason: str,
        *,
        retryable: bool,
        reason_code: str = "error",
        retry_delay_s: float = 0.0,
    ) -> SampleRecord:
        """RUNNING -> FAILED, then in the same transaction -> QUEUED (retry after
        ``retry_delay_s``) if ``retryable`` and attempts remain, else -> DEAD."""
        now = self._clock()
        with write_session(self._engine) as s:
            row = self._row(s, record_id)
            self._cas(s, row, SampleState.FAILED, now=now, actor=worker_id, owner=worker_id,
                      reason_code=reason_code, reason=reason,
                      changes={"reason_code": reason_code, "reason": reason, **_NO_LEASE})  # fmt: skip
            row = self._row(s, record_id)
            if retryable and row.attempts < row.max_attempts:
                not_before = now + timedelta(seconds=retry_delay_s)
                self._cas(s, row, SampleState.QUEUED, now=now, actor=worker_id,
                          reason_code="retry_scheduled",
                          reason=f"attempt {row.attempts}/{row.max_attempts} failed; "
                                 f"retry after {retry_delay_s:.1f} s",
                          changes={"not_before": not_before})  # fmt: skip
            else:
                why = "attempts exhausted" if retryable else "not retryable"
                self._cas(s, row, SampleState.DEAD, now=now, actor=worker_id,
                          reason_code="attempts_exhausted" if retryable else reason_code,
                          reason=f"{why} after attempt {row.attempts}/{row.max_attempts}")  # fmt: skip
            return self._record(s, record_id)

    def release(
        self, record_id: int, worker_id: str, reason: str = "worker shutting down"
    ) -> SampleRecord:
        """RUNNING -> QUEUED without counting a failure (shutdown, spot interruption)."""
        now = self._clock()
        with write_session(self._engine) as s:
            row = self._row(s, record_id)
            changes = {"attempts": max(row.attempts - 1, 0), **_NO_LEASE}
            self._cas(s, row, SampleState.QUEUED, now=now, actor=worker_id, owner=worker_id,
                      reason_code="released", reason=reason, changes=changes)  # fmt: skip
            return self._record(s, record_id)

    def rerun(self, record_id: int, actor: str, reason: str) -> SampleRecord:
        """Re-open a terminal sample as a new run (attempts reset), recorded with who and why.

        The only way out of a terminal state; deliberately outside ``TRANSITIONS``.
        """
        now = self._clock()
        with write_session(self._engine) as s:
            row = self._row(s, record_id)
            if SampleState(row.state) not in TERMINAL:
                raise StateConflict(
                    f"sample #{record_id} is {row.state}; only finished samples can be re-run"
                )
            changes = {"run": row.run + 1, "attempts": 0, "not_before": None, "reason": None,
                       "reason_code": None, "headline": None, **_NO_LEASE}  # fmt: skip
            self._cas(s, row, SampleState.QUEUED, now=now, actor=actor, reason_code="rerun",
                      reason=reason, changes=changes, checked=False)  # fmt: skip
            return self._record(s, record_id)

    # --- queries ------------------------------------------------------------------------

    def get(self, record_id: int) -> SampleRecord | None:
        with read_session(self._engine) as s:
            row = s.get(SampleRow, record_id)
            return None if row is None else sample_record(row)

    def find(self, store_url: str, key: str, etag: str) -> SampleRecord | None:
        with read_session(self._engine) as s:
            row = self._find_row(s, store_url, key, etag)
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

    # --- internals ----------------------------------------------------------------------

    def _transition(
        self,
        record_id: int,
        target: SampleState,
        *,
        actor: str,
        owner: str | None = None,
        reason_code: str | None = None,
        reason: str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> SampleRecord:
        now = self._clock()
        with write_session(self._engine) as s:
            row = self._row(s, record_id)
            self._cas(s, row, target, now=now, actor=actor, owner=owner,
                      reason_code=reason_code, reason=reason, changes=changes or {})  # fmt: skip
            return self._record(s, record_id)

    def _cas(
        self,
        s: Session,
        row: SampleRow,
        target: SampleState,
        *,
        now: datetime,
        actor: str,
        reason_code: str | None,
        reason: str | None,
        changes: dict[str, Any] | None = None,
        owner: str | None = None,
        extra: list[ColumnElement[bool]] | None = None,
        checked: bool = True,
        raise_on_conflict: bool = True,
    ) -> bool:
        """The one compare-and-set: move ``row`` to ``target`` iff nobody moved it since we read
        it (and, with ``owner``, iff that worker still holds the lease); record the history."""
        if checked:
            check_transition(row.id, SampleState(row.state), target)
        conditions = [SampleRow.id == row.id, SampleRow.state == row.state,
                      SampleRow.version == row.version, *(extra or [])]  # fmt: skip
        if owner is not None:
            conditions.append(SampleRow.lease_owner == owner)
        values = {"state": target.value, "version": row.version + 1, "updated_at": now,
                  **(changes or {})}  # fmt: skip
        result = s.execute(
            update(SampleRow)
            .where(*conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if not raise_on_conflict:
                return False
            holder = f" held by {owner}" if owner else ""
            raise StateConflict(
                f"sample #{row.id} changed concurrently (was {row.state}{holder}); "
                f"cannot move to {target.value}"
            )
        s.add(TransitionRow(sample_pk=row.id, run=values.get("run", row.run),
                            from_state=row.state, to_state=target.value, at=now, actor=actor,
                            reason_code=reason_code, reason=reason))  # fmt: skip
        return True

    @staticmethod
    def _row(s: Session, record_id: int) -> SampleRow:
        row = s.scalars(
            select(SampleRow)
            .where(SampleRow.id == record_id)
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None:
            raise StateConflict(f"sample #{record_id} is not in the ledger")
        return row

    def _record(self, s: Session, record_id: int) -> SampleRecord:
        s.flush()
        return sample_record(self._row(s, record_id))

    @staticmethod
    def _find_row(s: Session, store_url: str, key: str, etag: str) -> SampleRow | None:
        return s.scalars(
            select(SampleRow).where(
                SampleRow.store_url == store_url,
                SampleRow.object_key == key,
                SampleRow.etag == etag,
            )
        ).one_or_none()
