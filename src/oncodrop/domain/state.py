"""The sample state machine as data: which transitions are allowed, and one function to check.

A reviewer checks the life cycle by reading ``TRANSITIONS``; the ledger never moves a sample
without asking :func:`check_transition` first.

``FAILED`` is where a failed attempt lands; in the same ledger transaction it moves on to
``QUEUED`` (retry with backoff) or ``DEAD`` (attempts exhausted, or an error retrying cannot
fix). Both hops are kept in the history, so the audit trail shows every failure.
``RUNNING -> RUNNING`` is a re-claim of a sample whose lease expired (its worker died).
"""

from __future__ import annotations

from enum import StrEnum

from oncodrop.errors import StateConflict


class SampleState(StrEnum):
    """Where a sample is in its life; stored as the string value."""

    RECEIVED = "RECEIVED"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    DEAD = "DEAD"
    REJECTED = "REJECTED"


S = SampleState

TRANSITIONS: dict[SampleState, frozenset[SampleState]] = {
    S.RECEIVED: frozenset({S.QUEUED, S.REJECTED}),
    S.QUEUED: frozenset({S.RUNNING, S.REJECTED}),
    S.RUNNING: frozenset({S.RUNNING, S.SUCCEEDED, S.FAILED, S.QUEUED, S.REJECTED}),
    S.FAILED: frozenset({S.QUEUED, S.DEAD}),
    S.SUCCEEDED: frozenset(),
    S.DEAD: frozenset(),
    S.REJECTED: frozenset(),
}

# Terminal states change only through an explicit, audited ``Ledger.rerun``.
TERMINAL: frozenset[SampleState] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


def check_transition(record_id: int, current: SampleState, target: SampleState) -> None:
    """Raise ``StateConflict`` unless ``current -> target`` is in ``TRANSITIONS``."""
    if target not in TRANSITIONS[current]:
        raise StateConflict(
            f"sample #{record_id} is {current.value}; it cannot move to {target.value}"
            + (" (terminal: use rerun)" if current in TERMINAL else "")
        )
