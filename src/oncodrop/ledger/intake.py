"""Admission inside the ledger: record an object version and classify it in one transaction.

``admit`` inserts the RECEIVED row (history: ``received``) and moves it on to QUEUED or
REJECTED (with its outbox notice) before the transaction commits, so no committed state ever
shows a RECEIVED row that nobody will drive on. A row that is RECEIVED anyway (written by an
older version, or by ``Ledger.record_object`` alone) is driven on by the next ``admit`` of
the same object version or by the RECEIVED sweep (``events.admission.drive_received``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from oncodrop.domain.state import SampleState
from oncodrop.errors import ReasonCode
from oncodrop.ledger.models import SampleRow, TransitionRow
from oncodrop.ledger.transitions import NO_LEASE, cas
from oncodrop.ledger.transitions import find as find_row


@dataclass(frozen=True, slots=True)
class NewObject:
    """What admission knows of an object version before it is recorded."""

    store_url: str
    key: str
    etag: str
    size: int
    kind: str
    sample_id: str
    output_key: str | None
    max_attempts: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """Admission's decision: queue it (``reason_code`` None) or reject it with a reason."""

    reason_code: ReasonCode | None = None
    message: str | None = None


def insert_received(s: Session, now: datetime, obj: NewObject, actor: str) -> tuple[SampleRow, bool]:
    """The row of ``obj``, inserted as RECEIVED unless it exists; and whether it was inserted."""
    existing = find_row(s, obj.store_url, obj.key, obj.etag)
    if existing is not None:
        return existing, False
    row = SampleRow(
        store_url=obj.store_url, object_key=obj.key, etag=obj.etag, size=obj.size, kind=obj.kind,
        sample_id=obj.sample_id, output_key=obj.output_key, state=SampleState.RECEIVED.value, version=1,
        run=1, attempts=0, max_attempts=obj.max_attempts, created_at=now, updated_at=now,
    )  # fmt: skip
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:  # another process recorded it between our read and insert
        raced = find_row(s, obj.store_url, obj.key, obj.etag)
        if raced is None:
            raise
        return raced, False
    s.add(TransitionRow(sample_pk=row.id, run=1, from_state=None, to_state=row.state, at=now, actor=actor,
                        reason_code=ReasonCode.RECEIVED))  # fmt: skip
    return row, True


def drive_on(s: Session, row: SampleRow, now: datetime, verdict: Verdict, actor: str) -> bool:
    """RECEIVED -> QUEUED or REJECTED as ``verdict`` says; False if the row is not RECEIVED
    (already driven on, possibly by another process: nothing to do)."""
    if row.state != SampleState.RECEIVED.value:
        return False
    if verdict.reason_code is None:
        return cas(s, row, SampleState.QUEUED, now=now, actor=actor, reason_code=ReasonCode.QUEUED)
    return cas(
        s, row, SampleState.REJECTED, now=now, actor=actor, reason_code=verdict.reason_code,
        reason=verdict.message,
        changes={"reason_code": verdict.reason_code, "reason": verdict.message, **NO_LEASE},
    )  # fmt: skip
