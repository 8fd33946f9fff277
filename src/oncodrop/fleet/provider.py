"""What a source of workers offers the scaler: list them, start some, stop some.

Two providers exist: ``fleet.local.LocalFleet`` (worker processes on this machine) and
``fleet.ec2.Ec2Fleet`` (EC2 spot instances from a launch template).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FleetWorker:
    """One worker a provider runs. ``state`` is the provider's word (``running``, ``pending``);
    ``idle_for_s`` is None when the provider cannot tell (the worker then stops itself)."""

    id: str
    state: str
    started_at: datetime
    idle_for_s: float | None = None


class FleetProvider(Protocol):
    """Starts and stops workers; every call may raise ``TransientError`` or ``ConfigError``."""

    name: str

    def workers(self) -> list[FleetWorker]:
        """Workers that are starting or running (gone ones are not listed)."""
        ...

    def start(self, count: int) -> list[str]:
        """Start up to ``count`` workers; returns the ids of those actually started."""
        ...

    def stop(self, worker_ids: Sequence[str]) -> None:
        """Stop these workers (a running job is released, never half-uploaded)."""
        ...
