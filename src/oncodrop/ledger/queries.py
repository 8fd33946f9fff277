"""Read-only views of the ledger for the console: a filtered page of samples (keyset cursor,
newest first), what changed since a transition id (live updates), and what
``/metrics`` reads (aggregates, and the attempt starts and ends after a transition id)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.ledger.db import read_session
from oncodrop.ledger.models import OutboxRow, SampleRow, TransitionRow
from oncodrop.ledger.records import sample_record


@dataclass(frozen=True, slots=True)
class SampleFilter:
    """What the samples list may be narrowed by; every field optional."""

    states: tuple[SampleState, ...] = ()
    batch: str | None = None  # the {sample_batch} part of the name, exactly
    kind: str | None = None  # somatic | normal
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before
    text: str | None = None  # substring of the object key


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def page_samples(engine: Engine, where: SampleFilter, *, after_id: int | None, limit: int) -> tuple[list[SampleRecord], int | None]:
    """Up to ``limit`` samples older than ``after_id`` (newest first) and the cursor of the next
    page (None on the last page). A keyset cursor: stable while new samples arrive."""
    query = select(SampleRow).order_by(SampleRow.id.desc()).limit(limit + 1)
    if after_id is not None:
        query = query.where(SampleRow.id < after_id)
    if where.states:
        query = query.where(SampleRow.state.in_([s.value for s in where.states]))
    if where.batch:
        query = query.where(SampleRow.sample_id.like(_like_literal(where.batch) + "-" + "_" * 6, escape="\\"))
    if where.kind:
        query = query.where(SampleRow.kind == where.kind)
    if where.since is not None:
        query = query.where(SampleRow.created_at >= where.since)
    if where.until is not None:
        query = query.where(SampleRow.created_at < where.until)
    if where.text:
        query = query.where(SampleRow.object_key.like(f"%{_like_literal(where.text)}%", escape="\\"))
    with read_session(engine) as s:
        records = [sample_record(r) for r in s.scalars(query)]
    more = len(records) > limit
    records = records[:limit]
    return records, (records[-1].id if more and records else None)


def last_transition_id(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.max(TransitionRow.id))) or 0


def changed_since(engine: Engine, after_id: int, *, limit: int = 500) -> tuple[int, list[SampleRecord]]:
    """Samples with a transition after ``after_id`` (as they are now) and the newest transition
    id seen, for the next call."""
    with read_session(engine) as s:
        rows = list(s.execute(select(TransitionRow.id, TransitionRow.sample_pk)
                              .where(TransitionRow.id > after_id).order_by(TransitionRow.id).limit(limit)))  # fmt: skip
        if not rows:
            return after_id, []
        pks = list(dict.fromkeys(pk for _, pk in rows))
        samples = {r.id: sample_record(r) for r in s.scalars(select(SampleRow).where(SampleRow.id.in_(pks)))}
        return rows[-1][0], [samples[pk] for pk in pks if pk in samples]


@dataclass(frozen=True, slots=True)
class LedgerStats:
    """What ``/metrics`` reports from aggregate queries, read in one snapshot."""

    by_state: dict[SampleState, int]
    failures_by_reason: dict[str, int]  # transitions into FAILED or REJECTED, by reason code
    oldest_queued_at: datetime | None
    notifications_pending: int  # outbox rows not yet delivered or given up
    oldest_notification_at: datetime | None  # when the oldest of them was written


@dataclass(frozen=True, slots=True)
class RunMove:
    """A transition that starts an attempt (to RUNNING) or ends one (RUNNING to an outcome)."""

    id: int
    sample_pk: int
    run: int
    from_state: str | None
    to_state: str
    at: datetime


_ENDED = (SampleState.SUCCEEDED.value, SampleState.FAILED.value, SampleState.REJECTED.value)


def stats(engine: Engine) -> LedgerStats:
    with read_session(engine) as s:
        found = dict(s.execute(select(SampleRow.state, func.count()).group_by(SampleRow.state)).all())
        by_state = {state: int(found.get(state.value, 0)) for state in SampleState}
        failures = Counter[str]()
        for code, n in s.execute(select(TransitionRow.reason_code, func.count())
                                 .where(TransitionRow.to_state.in_([SampleState.FAILED.value, SampleState.REJECTED.value]))
                                 .group_by(TransitionRow.reason_code)):  # fmt: skip
            failures[code or "unknown"] += n
        oldest = s.scalar(select(func.min(SampleRow.updated_at)).where(SampleRow.state == SampleState.QUEUED.value))
        pending, oldest_notice = s.execute(select(func.count(), func.min(OutboxRow.created_at))
                                           .where(OutboxRow.finished_at.is_(None))).one()  # fmt: skip
    return LedgerStats(by_state, dict(failures), oldest, int(pending or 0), oldest_notice)


def run_moves_after(engine: Engine, after_id: int) -> list[RunMove]:
    """Attempt starts and ends with an id above ``after_id``, in id order: what a job-duration
    tally folds in since it last looked (so a scrape reads new history, not all of it)."""
    moves = (select(TransitionRow.id, TransitionRow.sample_pk, TransitionRow.run, TransitionRow.from_state,
                    TransitionRow.to_state, TransitionRow.at)
             .where(TransitionRow.id > after_id, TransitionRow.to_state.in_((SampleState.RUNNING.value, *_ENDED)))
             .order_by(TransitionRow.id))  # fmt: skip
    with read_session(engine) as s:
        return [RunMove(*row) for row in s.execute(moves)]
