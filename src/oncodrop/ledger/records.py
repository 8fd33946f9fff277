"""Rows to the domain's frozen records (``SampleRecord``, ``HistoryEntry``): what the ledger
hands to callers, never ORM objects."""

from __future__ import annotations

from datetime import datetime

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import HistoryEntry, SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.ledger.models import SampleRow, TransitionRow


def to_headline(value: object) -> Headline | None:
    """The stored JSON of a headline back as the model (None when the row has none)."""
    if not value:
        return None
    return Headline.model_validate(value)


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


_TIMES = ("created_at", "updated_at", "not_before", "lease_expires_at", "heartbeat_at")


def record_json(record: SampleRecord) -> dict[str, object]:
    """A record as plain JSON data (the outbox keeps the sample as it was when announced)."""
    data: dict[str, object] = {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]
    data["state"] = record.state.value
    for name in _TIMES:
        moment = getattr(record, name)
        data[name] = moment.isoformat() if moment is not None else None
    data["headline"] = record.headline.model_dump(mode="json") if record.headline is not None else None
    return data


def record_from_json(data: dict[str, object]) -> SampleRecord:
    """The inverse of ``record_json``."""
    values = dict(data)
    values["state"] = SampleState(str(values["state"]))
    for name in _TIMES:
        moment = values.get(name)
        values[name] = datetime.fromisoformat(str(moment)) if moment is not None else None
    values["headline"] = to_headline(values.get("headline"))
    return SampleRecord(**values)  # type: ignore[arg-type]
