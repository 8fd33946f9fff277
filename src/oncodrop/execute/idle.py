"""Scale to zero: a worker that has claimed nothing for ``timeout_s`` exits by itself.

The scaler only ever starts workers on backlog; stopping is the worker's own decision, because
only the worker knows for sure that it is not in the middle of a job. ``execute.local.Worker``
keeps an ``IdleTimer`` when ``WorkerConfig.idle_exit_s`` is set and returns (exit status 0)
once it expires. On EC2 the worker's systemd unit then powers the instance off, and the launch
template's ``InstanceInitiatedShutdownBehavior: terminate`` turns that into a termination, so an
idle instance stops costing money without the scaler's help.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from oncodrop.errors import ConfigError

Clock = Callable[[], float]


class IdleTimer:
    """Measures how long a worker has gone without work, on a monotonic clock."""

    def __init__(self, timeout_s: float | None, clock: Clock = time.monotonic) -> None:
        if timeout_s is not None and timeout_s < 0:
            raise ConfigError(f"idle timeout must be >= 0 seconds (or unset), not {timeout_s:g}")
        self.timeout_s = timeout_s
        self._clock = clock
        self._last_busy = clock()

    def busy(self) -> None:
        """Note that the worker just finished (or started) a job: idleness counts from now."""
        self._last_busy = self._clock()

    def idle_for_s(self) -> float:
        return max(0.0, self._clock() - self._last_busy)

    def expired(self) -> bool:
        """True once the worker has been idle for the whole timeout (never without a timeout)."""
        return self.timeout_s is not None and self.idle_for_s() >= self.timeout_s
