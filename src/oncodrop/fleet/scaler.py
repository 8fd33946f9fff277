"""The scaler loop: ledger backlog + provider's workers -> ``policy.decide`` -> start/stop.

All judgement lives in ``policy``; this module only gathers the facts and applies the result,
so it stays the same for every provider.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from oncodrop.domain.state import SampleState
from oncodrop.errors import TransientError
from oncodrop.fleet.policy import (
    FleetSnapshot,
    ScalingDecision,
    ScalingLimits,
    WorkerView,
    decide,
)
from oncodrop.fleet.provider import FleetProvider
from oncodrop.ledger import Ledger

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScalerTick:
    """One round: the facts, the decision, and the workers actually started."""

    snapshot: FleetSnapshot
    decision: ScalingDecision
    started: tuple[str, ...] = ()


class Scaler:
    """Keeps a provider's worker count in step with the ledger's backlog."""

    def __init__(
        self,
        ledger: Ledger,
        provider: FleetProvider,
        limits: ScalingLimits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ledger = ledger
        self.provider = provider
        self.limits = limits
        self._clock = clock
        self._last_action_at: float | None = None

    def snapshot(self) -> FleetSnapshot:
        """Backlog (QUEUED) and samples in progress (RUNNING) from the ledger, workers from the provider."""
        counts = self.ledger.counts_by_state()
        workers = tuple(WorkerView(w.id, w.idle_for_s) for w in self.provider.workers())
        return FleetSnapshot(
            backlog=counts[SampleState.QUEUED],
            running=counts[SampleState.RUNNING],
            workers=workers,
            now=self._clock(),
            last_action_at=self._last_action_at,
        )

    def tick(self) -> ScalerTick:
        """Decide once and apply the decision."""
        snapshot = self.snapshot()
        decision = decide(snapshot, self.limits)
        started: list[str] = []
        if decision.start:
            started = self.provider.start(decision.start)
            log.info("fleet %s: %s: started %d worker(s) (backlog %d, running %d)", self.provider.name,
                     decision.rule, len(started), snapshot.backlog, snapshot.running)  # fmt: skip
        if decision.stop:
            self.provider.stop(decision.stop)
            log.info("fleet %s: %s: stopped %d idle worker(s)", self.provider.name, decision.rule, len(decision.stop))
        if decision.acts:
            self._last_action_at = self._clock()
        return ScalerTick(snapshot, decision, tuple(started))

    def run(self, stop: threading.Event, interval_s: float = 10.0) -> None:
        """Tick every ``interval_s`` until ``stop`` is set; a transient failure waits for the next tick."""
        while not stop.is_set():
            try:
                self.tick()
            except TransientError as exc:
                log.warning("fleet %s: %s", self.provider.name, exc.message)
            stop.wait(interval_s)
