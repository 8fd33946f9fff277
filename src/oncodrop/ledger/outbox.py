"""The notification outbox: rows written with the state change they announce, handed to a
notifier loop that delivers them at least once.

``announce`` runs inside the transaction of the compare-and-set that made a sample terminal
(``transitions.cas``), so a committed SUCCEEDED / DEAD / REJECTED always has its notice and a
rolled-back one never does. ``claim`` gives due rows to one notifier loop at a time (a
compare-and-set on ``claimed_until``, safe with two ``serve`` on one ledger); ``settle``
records how a delivery round went. A loop that dies mid-delivery loses its claim when
``claimed_until`` passes, and the row is delivered again: receivers deduplicate by ``id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Engine, and_, or_, select, update
from sqlalchemy.orm import Session

from oncodrop.domain.outbox import OutboxItem, OutboxOutcome
from oncodrop.domain.state import TERMINAL, SampleState
from oncodrop.errors import ReasonCode
from oncodrop.ledger.db import read_session, write_session
from oncodrop.ledger.models import OutboxRow, SampleRow
from oncodrop.ledger.records import record_from_json, record_json, sample_record

# Moves that are not announced: an object_changed rejection means a newer version of the same
# key is in the store, and that version gets its own notice (one notice per final upload).
QUIET_REASONS: frozenset[str] = frozenset({ReasonCode.OBJECT_CHANGED.value})


def announces(target: SampleState, reason_code: str | None) -> bool:
    """Whether moving a sample to ``target`` for ``reason_code`` writes an outbox row."""
    return target in TERMINAL and (reason_code or "") not in QUIET_REASONS


def announce(s: Session, record_id: int, now: datetime) -> None:
    """Write the outbox row for the sample's current (just changed) state, in ``s``'s transaction."""
    s.flush()
    row = s.scalars(
        select(SampleRow).where(SampleRow.id == record_id).execution_options(populate_existing=True)
    ).one()
    s.add(
        OutboxRow(
            sample_pk=row.id, event_state=row.state, sample=record_json(sample_record(row)),
            created_at=now, not_before=None, attempts=0, done_targets=[],
        )
    )  # fmt: skip


def claim(engine: Engine, now: datetime, owner: str, limit: int, claim_s: float) -> list[OutboxItem]:
    """Up to ``limit`` due rows (oldest first), each claimed for ``claim_s`` by ``owner``."""
    due = and_(
        OutboxRow.finished_at.is_(None),
        or_(OutboxRow.not_before.is_(None), OutboxRow.not_before <= now),
        or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
    )
    taken: list[OutboxItem] = []
    with write_session(engine) as s:
        candidates = s.scalars(select(OutboxRow).where(due).order_by(OutboxRow.id).limit(limit)).all()
        for row in candidates:
            result = s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row.id, due)
                .values(claimed_by=owner, claimed_until=now + timedelta(seconds=claim_s))
                .execution_options(synchronize_session=False)
            )
            if isinstance(result, CursorResult) and result.rowcount == 1:
                taken.append(_item(row))
    return taken


def settle(
    engine: Engine,
    now: datetime,
    item_id: int,
    owner: str,
    *,
    outcome: OutboxOutcome,
    done_targets: Iterable[str],
    retry_in_s: float = 0.0,
    error: str | None = None,
) -> bool:
    """Record one delivery round of a row ``owner`` claimed; False if its claim was lost."""
    values: dict[str, object] = {
        "attempts": OutboxRow.attempts + 1,
        "done_targets": sorted(set(done_targets)),
        "claimed_by": None,
        "claimed_until": None,
        "last_error": error,
    }
    if outcome is OutboxOutcome.RETRY:
        values["not_before"] = now + timedelta(seconds=retry_in_s)
    else:
        values.update(finished_at=now, outcome=outcome.value)
    with write_session(engine) as s:
        result = s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id, OutboxRow.claimed_by == owner, OutboxRow.finished_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return isinstance(result, CursorResult) and result.rowcount == 1


def note_done(engine: Engine, item_id: int, owner: str, done_targets: Iterable[str]) -> bool:
    """Record at once which targets already took a row ``owner`` still holds (before the round
    is settled), so a loop killed while a slower target hangs does not send it to them again."""
    with write_session(engine) as s:
        result = s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id, OutboxRow.claimed_by == owner, OutboxRow.finished_at.is_(None))
            .values(done_targets=sorted(set(done_targets)))
            .execution_options(synchronize_session=False)
        )
        return isinstance(result, CursorResult) and result.rowcount == 1


def release(engine: Engine, owner: str) -> int:
    """Hand back every unfinished row ``owner`` holds (a loop shutting down); returns how many."""
    with write_session(engine) as s:
        result = s.execute(
            update(OutboxRow)
            .where(OutboxRow.claimed_by == owner, OutboxRow.finished_at.is_(None))
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount if isinstance(result, CursorResult) else 0


def pending_count(engine: Engine) -> int:
    """Rows not yet delivered or given up (for status and tests)."""
    with read_session(engine) as s:
        return len(s.scalars(select(OutboxRow.id).where(OutboxRow.finished_at.is_(None))).all())


def entries(engine: Engine, record_id: int | None = None) -> list[tuple[OutboxItem, str | None]]:
    """Every outbox row (of one sample, if given), oldest first, with its outcome (None: pending)."""
    query = select(OutboxRow).order_by(OutboxRow.id)
    if record_id is not None:
        query = query.where(OutboxRow.sample_pk == record_id)
    with read_session(engine) as s:
        return [(_item(row), row.outcome) for row in s.scalars(query)]


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id, record=record_from_json(row.sample), attempts=row.attempts,
        done_targets=frozenset(row.done_targets or ()), created_at=row.created_at, detail=row.detail,
    )  # fmt: skip
