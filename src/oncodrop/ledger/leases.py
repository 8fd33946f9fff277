"""Worker-side ledger operations: claim a sample, keep its lease alive, give it back, fail it.

Each function runs inside the caller's write transaction (``Session``) at time ``now`` and
returns nothing but the sample's id; ``Ledger`` turns that into a fresh ``SampleRecord``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from oncodrop.domain.state import SampleState
from oncodrop.errors import ReasonCode, StateConflict
from oncodrop.ledger.models import SampleRow
from oncodrop.ledger.transitions import NO_LEASE, cas, load, must_cas

CLAIM_CANDIDATES = 8  # rows examined per claim; more than the workers likely to race


def claim(s: Session, now: datetime, worker_id: str, lease_s: float) -> int | None:
    """Lease the oldest runnable sample (QUEUED past ``not_before``, or RUNNING with an expired
    lease) to ``worker_id``, counting an attempt. Candidates lost to a racing worker are skipped.
    """
    runnable = or_(
        and_(
            SampleRow.state == SampleState.QUEUED.value,
            or_(SampleRow.not_before.is_(None), SampleRow.not_before <= now),
        ),
        and_(SampleRow.state == SampleState.RUNNING.value, SampleRow.lease_expires_at < now),
    )
    query = select(SampleRow).where(runnable).order_by(SampleRow.id).limit(CLAIM_CANDIDATES)
    for row in s.scalars(query).all():
        if _take(s, row, now, worker_id, lease_s):
            return row.id
    return None


def claim_specific(
    s: Session, now: datetime, record_id: int, worker_id: str, lease_s: float
) -> int | None:
    """Lease the sample ``record_id`` if it is runnable now (the same rule as ``claim``).

    For executors that deliver one sample per message (Celery): a duplicate or stale message
    finds the sample running, finished or backing off and gets ``None``; the CAS makes two
    racing deliveries of the same message end with exactly one owner.
    """
    row = s.scalars(
        select(SampleRow)
        .where(SampleRow.id == record_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None or not _runnable(row, now):
        return None
    return row.id if _take(s, row, now, worker_id, lease_s) else None


def _runnable(row: SampleRow, now: datetime) -> bool:
    """The Python twin of ``claim``'s SQL filter, for a row already loaded."""
    if row.state == SampleState.QUEUED.value:
        return row.not_before is None or _aware(row.not_before) <= now
    expires = row.lease_expires_at
    return row.state == SampleState.RUNNING.value and expires is not None and _aware(expires) < now


def _aware(moment: datetime) -> datetime:
    """SQLite hands naive datetimes back; the ledger stores UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _take(s: Session, row: SampleRow, now: datetime, worker_id: str, lease_s: float) -> bool:
    """CAS ``row`` to RUNNING under ``worker_id``'s lease, counting an attempt."""
    expired = row.state == SampleState.RUNNING.value
    changes = {
        "attempts": row.attempts + 1,
        "lease_owner": worker_id,
        "lease_expires_at": now + timedelta(seconds=lease_s),
        "heartbeat_at": now,
        "not_before": None,
    }
    return cas(
        s,
        row,
        SampleState.RUNNING,
        now=now,
        actor=worker_id,
        reason_code=ReasonCode.LEASE_EXPIRED if expired else ReasonCode.CLAIMED,
        reason=f"lease of {row.lease_owner} expired" if expired else None,
        changes=changes,
        extra=[SampleRow.lease_expires_at < now] if expired else [],
    )


def heartbeat(s: Session, now: datetime, record_id: int, worker_id: str, lease_s: float) -> None:
    """Extend the lease (not a transition: no version bump, no history)."""
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
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise StateConflict(f"sample #{record_id}: {worker_id} no longer holds the lease")


def fail(
    s: Session,
    now: datetime,
    record_id: int,
    worker_id: str,
    reason: str,
    *,
    retryable: bool,
    reason_code: ReasonCode,
    retry_delay_s: float,
) -> None:
    """RUNNING -> FAILED, then -> QUEUED (after ``retry_delay_s``) if ``retryable`` and attempts
    remain, else -> DEAD. Both hops land in the history."""
    row = load(s, record_id)
    failed = {"reason_code": reason_code, "reason": reason, **NO_LEASE}
    must_cas(
        s,
        row,
        SampleState.FAILED,
        now=now,
        actor=worker_id,
        owner=worker_id,
        reason_code=reason_code,
        reason=reason,
        changes=failed,
    )
    row = load(s, record_id)
    budget = f"attempt {row.attempts}/{row.max_attempts}"
    if retryable and row.attempts < row.max_attempts:
        must_cas(
            s,
            row,
            SampleState.QUEUED,
            now=now,
            actor=worker_id,
            reason_code=ReasonCode.RETRY_SCHEDULED,
            reason=f"{budget} failed; retry after {retry_delay_s:.1f} s",
            changes={"not_before": now + timedelta(seconds=retry_delay_s)},
        )
    else:
        must_cas(
            s,
            row,
            SampleState.DEAD,
            now=now,
            actor=worker_id,
            reason_code=ReasonCode.ATTEMPTS_EXHAUSTED if retryable else reason_code,
            reason=f"{'attempts exhausted' if retryable else 'not retryable'} after {budget}",
        )


def release(s: Session, now: datetime, record_id: int, worker_id: str, reason: str) -> None:
    """RUNNING -> QUEUED, handing the claim's attempt back."""
    row = load(s, record_id)
    changes = {"attempts": max(row.attempts - 1, 0), **NO_LEASE}
    must_cas(
        s,
        row,
        SampleState.QUEUED,
        now=now,
        actor=worker_id,
        owner=worker_id,
        reason_code=ReasonCode.RELEASED,
        reason=reason,
        changes=changes,
    )
