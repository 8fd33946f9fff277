"""The durable ledger of samples: state machine, leases, history, poller memory."""

from oncodrop.ledger.records import HeadlineJSON, HistoryEntry, SampleRecord
from oncodrop.ledger.service import Ledger
from oncodrop.ledger.states import TERMINAL, TRANSITIONS, SampleState

__all__ = [
    "TERMINAL",
    "TRANSITIONS",
    "HeadlineJSON",
    "HistoryEntry",
    "Ledger",
    "SampleRecord",
    "SampleState",
]
