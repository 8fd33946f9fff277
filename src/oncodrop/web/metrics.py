"""Prometheus ``/metrics``, read from the ledger at scrape time (so every console process
reports the same numbers): samples by state, job durations, failures by reason code, the age
of the oldest queued sample, the notification backlog. Needs a viewer token unless
``web.metrics_public``.

Job durations are a cumulative histogram folded in as attempts end (``DurationTally``): a
scrape reads the transitions written since the previous one (plus the last few minutes again,
see ``SETTLE``), not the whole history; the first scrape of a process reads it all once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from oncodrop.domain.state import SampleState
from oncodrop.ledger import queries
from oncodrop.web.auth import NotAuthenticated, identify
from oncodrop.web.context import Console, console
from oncodrop.web.schemas import Problem

router = APIRouter()
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
# Transitions this recent are read again on the next scrape: with PostgreSQL a transaction that
# took an earlier id may commit after a later one, so "id above the last seen" alone could skip
# it. Ledger transactions last milliseconds; one that commits later than this is not counted.
SETTLE = timedelta(minutes=5)
_RUNNING = SampleState.RUNNING.value


class DurationTally:
    """Attempt durations (claim to outcome), folded in once each, by transition id."""

    def __init__(self, bounds: tuple[float, ...] = DURATION_BUCKETS) -> None:
        self.bounds = bounds
        self.le = [0] * len(bounds)  # attempts with duration <= bound, per bound
        self.count = 0
        self.total = 0.0
        self.floor = 0  # every transition up to this id has been folded in (or never will be)
        self._seen: dict[int, datetime] = {}  # folded ids above ``floor``, with their time
        self._started: dict[tuple[int, int], datetime] = {}  # (sample, run) -> attempt start
        self._lock = threading.Lock()

    def fold(self, moves: list[queries.RunMove], now: datetime) -> None:
        """Count the attempts these moves end; then raise ``floor`` past what has settled."""
        horizon, floor = now - SETTLE, self.floor
        for m in moves:
            if m.id <= self.floor or m.id in self._seen:
                continue
            if m.at < horizon:
                floor = max(floor, m.id)  # settled: the floor passes it, no need to remember it
            else:
                self._seen[m.id] = m.at
            if m.to_state == _RUNNING:
                self._started[(m.sample_pk, m.run)] = m.at
            elif m.from_state == _RUNNING and (start := self._started.pop((m.sample_pk, m.run), None)) is not None:
                self._add((m.at - start).total_seconds())
        floor = max([floor, *(i for i, at in self._seen.items() if at < horizon)])
        if floor > self.floor:
            self.floor = floor
            self._seen = {i: at for i, at in self._seen.items() if i > floor}

    def _add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        for i, bound in enumerate(self.bounds):
            if seconds <= bound:
                self.le[i] += 1

    def refresh(self, ctx: Console) -> HistogramMetricFamily:
        """Read what is new since ``floor`` and return the histogram as it now stands."""
        with self._lock:
            self.fold(queries.run_moves_after(ctx.ledger.engine, self.floor), ctx.now())
            buckets = [(repr(b), float(n)) for b, n in zip(self.bounds, self.le, strict=True)]
            buckets.append(("+Inf", float(self.count)))
            return HistogramMetricFamily("oncodrop_job_duration_seconds", "Attempt durations, claim to outcome.",
                                         buckets=buckets, sum_value=self.total)  # fmt: skip


class LedgerCollector(Collector):
    """Turns one ``queries.stats`` snapshot and the duration tally into metric families."""

    def __init__(self, ctx: Console) -> None:
        self.ctx = ctx
        self.durations = DurationTally()

    def age(self, since: datetime | None) -> float:
        return 0.0 if since is None else max((self.ctx.now() - since).total_seconds(), 0.0)

    def collect(self) -> Iterator[Metric]:
        stats = queries.stats(self.ctx.ledger.engine)
        by_state = GaugeMetricFamily("oncodrop_samples", "Samples in the ledger by state.", labels=["state"])
        for state, n in stats.by_state.items():
            by_state.add_metric([state.value], n)
        yield by_state
        failures = GaugeMetricFamily("oncodrop_failures", "Failed or rejected attempts by reason code "
                                     "(a count over the ledger's history).", labels=["reason_code"])  # fmt: skip
        for code, n in sorted(stats.failures_by_reason.items()):
            failures.add_metric([code], n)
        yield failures
        yield self.durations.refresh(self.ctx)
        yield GaugeMetricFamily("oncodrop_queue_age_seconds", "Age of the oldest QUEUED sample (0: none queued).",
                                value=self.age(stats.oldest_queued_at))  # fmt: skip
        yield GaugeMetricFamily("oncodrop_notifications_pending", "Notifications in the outbox not yet delivered "
                                "or given up (retries waiting included).", value=stats.notifications_pending)  # fmt: skip
        yield GaugeMetricFamily("oncodrop_notification_backlog_age_seconds", "Age of the oldest pending "
                                "notification (0: none pending).", value=self.age(stats.oldest_notification_at))  # fmt: skip


def registry_for(ctx: Console) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector(ctx))
    return registry


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}},
                                                             401: {"model": Problem}})  # fmt: skip
async def metrics(request: Request, ctx: Annotated[Console, Depends(console)]) -> Response:
    """Prometheus text format."""
    if not ctx.settings.web.metrics_public and await run_in_threadpool(identify, request) is None:
        raise NotAuthenticated("send a viewer API token (Prometheus: authorization.credentials)")
    body = await run_in_threadpool(generate_latest, request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
