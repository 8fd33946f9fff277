"""What a sample's jobs cost: time spent RUNNING over its attempts, priced per vCPU-hour.

Apart from the Batch executor (which imports boto3) so that ``oncodrop status --json`` can show
the estimate without the optional cloud extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from oncodrop.domain.sample import HistoryEntry
from oncodrop.domain.state import SampleState


def cost_usd(runtime_s: float | None, vcpus: int, price_per_vcpu_hour: float) -> float | None:
    """Runtime × vCPUs × price: the estimate ``oncodrop status`` and the job log show."""
    if runtime_s is None:
        return None
    return round(runtime_s / 3600 * vcpus * price_per_vcpu_hour, 6)


def running_seconds(history: Sequence[HistoryEntry], now: datetime | None = None) -> float:
    """Seconds the sample spent RUNNING over all its attempts (a running one counts up to ``now``):
    what its jobs were billed for, give or take the container start."""
    total = 0.0
    entries = sorted(history, key=lambda h: h.at)
    for entry, following in zip(entries, [*entries[1:], None], strict=True):
        if entry.to_state is SampleState.RUNNING:
            end = following.at if following is not None else (now or datetime.now(UTC))
            total += max(0.0, (_aware(end) - _aware(entry.at)).total_seconds())
    return total


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
