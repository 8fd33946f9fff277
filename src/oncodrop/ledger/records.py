"""What the ledger hands to callers: frozen values, never ORM objects (no session leaks,
picklable, safe to pass to worker processes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime
from typing import Any

from oncodrop.ledger.models import SampleRow, TransitionRow
from oncodrop.ledger.states import TERMINAL, SampleState

HeadlineValue = int | float | str | bool | None | list[str]
HeadlineJSON = dict[str, HeadlineValue]


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """One sample (an input object version) as the ledger last saw it.

    ``id`` is the ledger's number for the sample; ``sample_id`` is the human name
    (``{sample_batch}-{id6}``). ``version`` is the compare-and-set counter; ``run`` counts
    explicit re-runs, ``attempts`` the claims within the current run.
    """

    id: int
    store_url: str
    key: str
    etag: str
    size: int
    kind: str
    sample_id: str
    state: SampleState
    version: int
    run: int
    attempts: int
    max_attempts: int
    created_at: datetime
    updated_at: datetime
    output_key: str | None = None
    not_before: datetime | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    heartbeat_at: datetime | None = None
    reason_code: str | None = None
    reason: str | None = None
    headline: HeadlineJSON = field(default_factory=dict)

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded state change of a sample."""

    record_id: int
    run: int
    from_state: SampleState | None
    to_state: SampleState
    at: datetime
    actor: str
    reason_code: str | None
    reason: str | None


def to_headline(value: Mapping[str, Any] | object | None) -> HeadlineJSON:
    """Normalise a headline (a mapping, or a dataclass such as ``report.protocol.Headline``) to
    small JSON: scalars and lists of strings; anything else is dropped."""
    if value is not None and is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    out: HeadlineJSON = {}
    for key, item in (value if isinstance(value, Mapping) else {}).items():
        if item is None or isinstance(item, (bool, int, float, str)):
            out[str(key)] = item
        elif isinstance(item, (list, tuple)):
            out[str(key)] = [str(x) for x in item]
    return out


def sample_record(row: SampleRow) -> SampleRecord:
    """Copy a row into its frozen record."""
    return SampleRecord(
        id=row.id,
        store_url=row.store_url,
        key=row.object_key,
        etag=row.etag,
        size=row.size,
        kind=row.kind,
        sample_id=row.sample_id,
        state=SampleState(row.state),
        version=row.version,
        run=row.run,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        output_key=row.output_key,
        not_before=row.not_before,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        heartbeat_at=row.heartbeat_at,
        reason_code=row.reason_code,
        reason=row.reason,
        headline=to_headline(row.headline),
    )


def history_entry(row: TransitionRow) -> HistoryEntry:
    return HistoryEntry(
        record_id=row.sample_pk,
        run=row.run,
        from_state=SampleState(row.from_state) if row.from_state else None,
        to_state=SampleState(row.to_state),
        at=row.at,
        actor=row.actor,
        reason_code=row.reason_code,
        reason=row.reason,
    )
