"""Worker-side ledger operations: claim a sample, keep its lease alive, give it back, fail it.

Attempt accounting (``attempts`` counts failures the sample may have caused):

- a claim spends an attempt; a release (shutdown) hands it back;
- a re-claim after the holder stopped heartbeating (``lease_expired``) spends none: the dead
  holder's attempt is handed back, because a worker or service that died is not the sample's
  doing (the job runs in its own child, whose crash is recorded as ``job_crashed``). Lost leases
  are counted from the history instead (``lease_losses``) so a run cannot loop forever;
- an outage failure (``errors.OUTAGE_CODES``) is re-queued with capped backoff without
  spending the attempt while the outage (counted from the first of the run's consecutive
  outage failures) is shorter than ``OutageBudget.budget_s``; after that it spends attempts.

Each function runs inside the caller's write transaction (``Session``) at time ``now`` and
returns nothing but the sample's id; ``Ledger`` turns that into a fresh ``SampleRecord``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from oncodrop.domain.state import SampleState
from oncodrop.errors import OUTAGE_CODES, ReasonCode, StateConflict
from oncodrop.ledger.models import SampleRow, TransitionRow
from oncodrop.ledger.transitions import NO_LEASE, cas, load, must_cas
from oncodrop.retry import RetryPolicy

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
    """CAS ``row`` to RUNNING under ``worker_id``'s lease, counting an attempt (a re-claim of an
    expired lease keeps the count: the dead holder's attempt is handed back)."""
    expired = row.state == SampleState.RUNNING.value
    changes = {
        "attempts": row.attempts if expired else row.attempts + 1,
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


def lease_losses(s: Session, record_id: int) -> int:
    """How often, in the sample's current run, a worker died holding it (re-claims)."""
    row = load(s, record_id)
    query = select(func.count()).where(
        TransitionRow.sample_pk == record_id,
        TransitionRow.run == row.run,
        TransitionRow.reason_code == ReasonCode.LEASE_EXPIRED.value,
        TransitionRow.to_state == SampleState.RUNNING.value,
    )
    return int(s.scalar(query) or 0)


@dataclass(frozen=True, slots=True)
class OutageBudget:
    """How long an outage is retried without spending attempts, and how often."""

    budget_s: float
    backoff: RetryPolicy  # delay after the n-th consecutive outage failure: backoff.delay_s(n)


def _outage_streak(s: Session, row: SampleRow) -> tuple[datetime, int]:
    """(when the current outage began, its failures so far): the run's trailing FAILED
    transitions whose reason is an outage code, newest first, up to the first that is not."""
    query = (
        select(TransitionRow.at, TransitionRow.reason_code)
        .where(TransitionRow.sample_pk == row.id, TransitionRow.run == row.run,
               TransitionRow.to_state == SampleState.FAILED.value)
        .order_by(TransitionRow.id.desc())
    )  # fmt: skip
    started, streak = None, 0
    for at, code in s.execute(query):
        if code not in OUTAGE_CODES:
            break
        started, streak = at, streak + 1
    assert started is not None, "called after recording an outage failure"
    return _aware(started), streak


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
    outage: OutageBudget | None = None,
) -> None:
    """RUNNING -> FAILED, then -> QUEUED (after ``retry_delay_s``) if ``retryable`` and attempts
    remain, else -> DEAD. Both hops land in the history. With ``outage`` and an outage code,
    the attempt is handed back while the outage is within its budget (module docstring)."""
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
    if outage is not None and retryable and reason_code in OUTAGE_CODES:
        s.flush()
        started, streak = _outage_streak(s, row)
        lasted = (now - started).total_seconds()
        if lasted < outage.budget_s:
            delay = outage.backoff.delay_s(streak)
            must_cas(
                s, row, SampleState.QUEUED, now=now, actor=worker_id, reason_code=ReasonCode.OUTAGE_RETRY,
                reason=f"outage for {lasted:.0f} s (budget {outage.budget_s:.0f} s); no attempt spent; "
                       f"retry after {delay:.1f} s",
                changes={"not_before": now + timedelta(seconds=delay), "attempts": max(row.attempts - 1, 0)},
            )  # fmt: skip
            return
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
