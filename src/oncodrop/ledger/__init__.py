"""The durable ledger of samples: state machine, leases, history, poller memory.

The records it hands out (``SampleRecord``, ``HistoryEntry``, ``SampleState``) are domain types:
import them from ``oncodrop.domain``.
"""

from oncodrop.ledger.leases import OutageBudget
from oncodrop.ledger.service import Ledger

__all__ = ["Ledger", "OutageBudget"]
