"""A notification waiting in the ledger's outbox, as the ledger hands it to the notifier loop.

The ledger writes one outbox entry in the same transaction as the state change it announces
(a sample became SUCCEEDED, DEAD or REJECTED), so a crash can lose neither the change nor its
notice. ``record`` is the sample as it was at that moment (a later re-run does not rewrite
it); ``id`` is the idempotency key receivers deduplicate on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from oncodrop.domain.sample import SampleRecord


class OutboxOutcome(StrEnum):
    """How one delivery round of an outbox entry ended."""

    DELIVERED = "delivered"  # every target has it (or refused it for good)
    RETRY = "retry"  # some target failed transiently: try again after a backoff
    ABANDONED = "abandoned"  # attempts exhausted: given up, logged


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One pending notification: what it is about, how often delivery was tried, and which
    targets already have it (so a retry never sends twice to a target that took it)."""

    id: int
    record: SampleRecord
    attempts: int
    done_targets: frozenset[str]
    created_at: datetime
    detail: dict[str, Any] | None = None  # a re-interpretation notice (not a state change)
