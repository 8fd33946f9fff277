"""How many workers the fleet should have: a pure decision from data, tested on its own.

The scaler feeds a ``FleetSnapshot`` (backlog, samples running, the workers it sees, when it
last acted) and ``ScalingLimits`` in; a ``ScalingDecision`` (start n, stop these ids, why)
comes out. Nothing here talks to a ledger, a process or AWS.

The rules, in the order they are checked (first match wins):

| rule      | when                                             | action                           |
|-----------|--------------------------------------------------|----------------------------------|
| minimum   | fewer workers than ``min_workers``               | start up to the minimum          |
| cooldown  | the last action was less than ``cooldown_s`` ago | nothing (a started worker needs  |
|           |                                                  | time to boot and claim)          |
| scale up  | wanted > workers                                 | start the difference             |
| scale down| wanted < workers, some idle >= ``idle_timeout_s``| stop the longest-idle ones       |
| steady    | otherwise                                        | nothing                          |

``wanted = clamp(ceil((backlog + running) / samples_per_worker), min_workers, max_workers)``.
Busy workers are never stopped by the scaler: a worker whose idleness is unknown (``None``,
e.g. an EC2 instance) stops itself after its own idle timeout (``execute.idle``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from oncodrop.errors import ConfigError
from oncodrop.settings import FleetSettings


class Rule(StrEnum):
    """Which rule made the decision (logged and shown by ``oncodrop fleet status``)."""

    MINIMUM = "minimum"
    COOLDOWN = "cooldown"
    SCALE_UP = "scale up"
    SCALE_DOWN = "scale down"
    STEADY = "steady"


@dataclass(frozen=True, slots=True)
class ScalingLimits:
    """The operator's bounds. ``samples_per_worker`` is how many samples one worker runs at once."""

    min_workers: int = 0
    max_workers: int = 4
    samples_per_worker: int = 1
    idle_timeout_s: float = 600.0
    cooldown_s: float = 60.0

    def __post_init__(self) -> None:
        if self.min_workers < 0 or self.max_workers < max(1, self.min_workers):
            raise ConfigError(
                f"fleet limits --min {self.min_workers} --max {self.max_workers}: need "
                "0 <= min <= max and max >= 1"
            )
        if self.samples_per_worker < 1:
            raise ConfigError(f"samples per worker must be >= 1, not {self.samples_per_worker}")
        if self.idle_timeout_s < 0 or self.cooldown_s < 0:
            raise ConfigError("fleet --idle-timeout and --cooldown must be >= 0 seconds")

    @classmethod
    def from_settings(cls, fleet: FleetSettings) -> ScalingLimits:
        """The limits of the ``[fleet]`` settings."""
        return cls(min_workers=fleet.min_workers, max_workers=fleet.max_workers,
                   samples_per_worker=fleet.samples_per_worker, idle_timeout_s=fleet.idle_timeout_s,
                   cooldown_s=fleet.cooldown_s)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WorkerView:
    """One worker as the scaler sees it; ``idle_for_s`` is None when busy or unknown."""

    id: str
    idle_for_s: float | None = None


@dataclass(frozen=True, slots=True)
class FleetSnapshot:
    """The facts a decision is made from; times are seconds on one monotonic clock."""

    backlog: int  # samples waiting (QUEUED)
    running: int  # samples a worker holds (RUNNING)
    workers: tuple[WorkerView, ...]
    now: float
    last_action_at: float | None = None


@dataclass(frozen=True, slots=True)
class ScalingDecision:
    """What to do now: start ``start`` workers, stop the workers named in ``stop``."""

    rule: Rule
    wanted: int
    start: int = 0
    stop: tuple[str, ...] = ()

    @property
    def acts(self) -> bool:
        return self.start > 0 or bool(self.stop)


def wanted_workers(backlog: int, running: int, limits: ScalingLimits) -> int:
    """Workers needed for every waiting and running sample, within the limits."""
    needed = math.ceil(max(0, backlog + running) / limits.samples_per_worker)
    return min(limits.max_workers, max(limits.min_workers, needed))


def decide(snapshot: FleetSnapshot, limits: ScalingLimits) -> ScalingDecision:
    """Apply the rules in the module docstring's table to one snapshot."""
    wanted = wanted_workers(snapshot.backlog, snapshot.running, limits)
    have = len(snapshot.workers)
    if have < limits.min_workers:
        return ScalingDecision(Rule.MINIMUM, wanted, start=limits.min_workers - have)
    last = snapshot.last_action_at
    if last is not None and snapshot.now - last < limits.cooldown_s:
        return ScalingDecision(Rule.COOLDOWN, wanted)
    if wanted > have:
        return ScalingDecision(Rule.SCALE_UP, wanted, start=wanted - have)
    if wanted < have:
        idle = sorted(
            (w for w in snapshot.workers if w.idle_for_s is not None and w.idle_for_s >= limits.idle_timeout_s),
            key=lambda w: (-(w.idle_for_s or 0.0), w.id),
        )
        stop = tuple(w.id for w in idle[: have - wanted])
        if stop:
            return ScalingDecision(Rule.SCALE_DOWN, wanted, stop=stop)
    return ScalingDecision(Rule.STEADY, wanted)
