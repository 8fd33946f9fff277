"""The one compare-and-set every state change goes through, and row look-ups around it.

``cas`` issues ``UPDATE samples SET ... WHERE id = ? AND state = ? AND version = ?`` (plus the
lease owner when a worker acts), checks the row count, and appends the history row in the same
transaction, and — when the move makes the sample terminal — its notification in the outbox
(``outbox.announce``), so a state change and its notice commit or roll back together.
Portable SQL: on SQLite the write transaction is already exclusive, on PostgreSQL
the ``WHERE`` re-check after a concurrent update makes exactly one writer win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, select, update
from sqlalchemy.orm import Session

from oncodrop.domain.state import SampleState, check_transition
from oncodrop.errors import StateConflict
from oncodrop.ledger import outbox
from oncodrop.ledger.models import SampleRow, TransitionRow

NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}


def cas(
    s: Session,
    row: SampleRow,
    target: SampleState,
    *,
    now: datetime,
    actor: str,
    reason_code: str | None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
    owner: str | None = None,
    extra: list[ColumnElement[bool]] | None = None,
    checked: bool = True,
) -> bool:
    """Move ``row`` to ``target`` iff nobody moved it since it was read (and, with ``owner``,
    iff that worker still holds the lease). Returns False on a lost race; ``checked=False``
    skips the ``TRANSITIONS`` table (only for the audited re-run)."""
    if checked:
        check_transition(row.id, SampleState(row.state), target)
    conditions = [
        SampleRow.id == row.id,
        SampleRow.state == row.state,
        SampleRow.version == row.version,
        *(extra or []),
    ]
    if owner is not None:
        conditions.append(SampleRow.lease_owner == owner)
    values = {
        "state": target.value,
        "version": row.version + 1,
        "updated_at": now,
        **(changes or {}),
    }
    result = s.execute(
        update(SampleRow)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        return False
    s.add(
        TransitionRow(
            sample_pk=row.id,
            run=values.get("run", row.run),
            from_state=row.state,
            to_state=target.value,
            at=now,
            actor=actor,
            reason_code=reason_code,
            reason=reason,
        )
    )
    if outbox.announces(target, reason_code):
        outbox.announce(s, row.id, now)
    return True


def must_cas(s: Session, row: SampleRow, target: SampleState, **kw: Any) -> None:
    """``cas`` that raises ``StateConflict`` (naming the sample and the move) on a lost race."""
    if not cas(s, row, target, **kw):
        holder = f" held by {kw['owner']}" if kw.get("owner") else ""
        raise StateConflict(
            f"sample #{row.id} changed concurrently (was {row.state}{holder}); "
            f"cannot move to {target.value}"
        )


def load(s: Session, record_id: int) -> SampleRow:
    """The current row (refreshed from the database); ``StateConflict`` if unknown."""
    row = s.scalars(
        select(SampleRow).where(SampleRow.id == record_id).execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise StateConflict(f"sample #{record_id} is not in the ledger")
    return row


def find(s: Session, store_url: str, key: str, etag: str) -> SampleRow | None:
    return s.scalars(
        select(SampleRow).where(
            SampleRow.store_url == store_url,
            SampleRow.object_key == key,
            SampleRow.etag == etag,
        )
    ).one_or_none()
