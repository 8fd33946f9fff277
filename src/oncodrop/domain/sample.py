"""A sample: one input object version and where it is in its life, as every layer sees it.

The ledger persists these records; workers, notifications and the CLI read them. They are
frozen values, never ORM objects, so they are picklable and safe to pass to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oncodrop.domain.headline import Headline
from oncodrop.domain.state import TERMINAL, SampleState


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
    headline: Headline | None = None

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
