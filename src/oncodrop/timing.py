"""Wall time per named step, for provenance, ``ReportResult.timings`` and the run log."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


class StepClock:
    """Times named steps (seconds, in call order); logs each as it ends when given a logger."""

    def __init__(self, log: logging.Logger | None = None) -> None:
        self.timings: dict[str, float] = {}
        self.started_at = datetime.now(UTC)
        self._log = log

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 4)
            if self._log is not None:
                self._log.info("step %s: %.3f s", name, self.timings[name])
