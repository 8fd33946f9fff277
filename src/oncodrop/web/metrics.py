"""Prometheus ``/metrics``, read from the ledger at scrape time (so every console process
reports the same numbers): samples by state, job durations, failures by reason code, the age
of the oldest queued sample. Needs a viewer token unless ``web.metrics_public``.

The notification backlog is not exported yet: it needs the notification outbox table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from oncodrop.ledger import queries
from oncodrop.web.auth import NotAuthenticated, identify
from oncodrop.web.context import Console, console
from oncodrop.web.schemas import Problem

router = APIRouter()
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


class LedgerCollector(Collector):
    """Turns one ``queries.stats`` snapshot into metric families."""

    def __init__(self, ctx: Console) -> None:
        self.ctx = ctx

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
        buckets, total = [], 0.0
        for bound in DURATION_BUCKETS:
            buckets.append((repr(bound), sum(1 for d in stats.job_durations_s if d <= bound)))
        buckets.append(("+Inf", len(stats.job_durations_s)))
        total = sum(stats.job_durations_s)
        yield HistogramMetricFamily("oncodrop_job_duration_seconds", "Attempt durations, claim to outcome.",
                                    buckets=buckets, sum_value=total)  # fmt: skip
        age = 0.0 if stats.oldest_queued_at is None else (self.ctx.now() - stats.oldest_queued_at).total_seconds()
        yield GaugeMetricFamily("oncodrop_queue_age_seconds", "Age of the oldest QUEUED sample (0: none queued).",
                                value=max(age, 0.0))  # fmt: skip


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
