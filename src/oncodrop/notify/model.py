"""What a notification says: one frozen record per sample event, shared by every target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from oncodrop.domain.headline import Headline
from oncodrop.domain.kind import SampleKind, sample_kind
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState

Event = Literal["received", "rejected", "succeeded", "failed", "dead", "reinterpreted"]

EVENTS: tuple[Event, ...] = ("received", "rejected", "succeeded", "failed", "dead", "reinterpreted")

_EVENT_OF_STATE: dict[SampleState, Event] = {
    SampleState.RECEIVED: "received",
    SampleState.QUEUED: "received",
    SampleState.REJECTED: "rejected",
    SampleState.SUCCEEDED: "succeeded",
    SampleState.FAILED: "failed",
    SampleState.DEAD: "dead",
}


@dataclass(frozen=True, slots=True)
class Notification:
    """A sample's state change, carrying the object key and results only (no patient data).

    ``reason`` is the user-facing message of the rejection/failure, sent verbatim so the
    person who dropped the file can act on it. ``output_link`` is a (presigned) URL or None.
    ``id`` is the outbox row's number: the idempotency key a receiver deduplicates on (a
    notification is delivered at least once).
    """

    event: Event
    key: str
    sample_id: str
    kind: SampleKind
    state: str
    attempts: int = 0
    reason_code: str | None = None
    reason: str | None = None
    headline: Headline | None = None
    output_key: str | None = None
    output_link: str | None = None
    id: int | None = None
    record_id: int | None = None  # the ledger's sample number (console links, Slack buttons)
    bundle_version: str | None = None  # reinterpreted: the bundle the sample was re-interpreted with
    changes: tuple[str, ...] = ()  # reinterpreted: the clinically meaningful changes, one line each

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"unknown notification event {self.event!r}; expected one of {EVENTS}")

    @property
    def is_problem(self) -> bool:
        """Rejections and failures carry a reason the reader must see."""
        return self.event in ("rejected", "failed", "dead")


def notification_for(
    record: SampleRecord, output_link: str | None = None, notification_id: int | None = None
) -> Notification:
    """The notification for a record's current state (object key and results only)."""
    return Notification(
        event=_EVENT_OF_STATE[record.state], key=record.key, sample_id=record.sample_id,
        kind=sample_kind(record.kind), state=record.state.value, attempts=record.attempts,
        reason_code=record.reason_code, reason=record.reason, headline=record.headline,
        output_key=record.output_key if record.state is SampleState.SUCCEEDED else None,
        output_link=output_link, id=notification_id, record_id=record.id,
    )  # fmt: skip


def reinterpretation_notification(
    record: SampleRecord, detail: dict[str, Any], output_link: str | None = None,
    notification_id: int | None = None,
) -> Notification:
    """A re-interpretation with clinically meaningful changes (``detail`` from the outbox):
    the change report's key and one line per change (variant labels, as the headline has)."""
    return Notification(
        event="reinterpreted", key=record.key, sample_id=record.sample_id, kind=sample_kind(record.kind),
        state="REINTERPRETED", attempts=record.attempts, headline=record.headline,
        output_key=detail.get("output_key"), output_link=output_link, id=notification_id,
        bundle_version=detail.get("bundle_version"), changes=tuple(detail.get("meaningful", ())),
    )  # fmt: skip
