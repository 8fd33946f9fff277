"""What a notification says: one frozen record per sample event, shared by every target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from oncodrop.report.model import SampleKind
from oncodrop.report.protocol import Headline

Event = Literal["received", "rejected", "succeeded", "failed", "dead"]

EVENTS: tuple[Event, ...] = ("received", "rejected", "succeeded", "failed", "dead")


@dataclass(frozen=True, slots=True)
class Notification:
    """A sample's state change, carrying the object key and results only (no patient data).

    ``reason`` is the user-facing message of the rejection/failure, sent verbatim so the
    person who dropped the file can act on it. ``output_link`` is a (presigned) URL or None.
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

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"unknown notification event {self.event!r}; expected one of {EVENTS}")

    @property
    def is_problem(self) -> bool:
        """Rejections and failures carry a reason the reader must see."""
        return self.event in ("rejected", "failed", "dead")
