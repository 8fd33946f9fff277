"""Re-interpretation on the deployment's executor (Celery, Slurm, AWS Batch): queue, send
drains (``execute.reinterpret_dispatch``), and wait on the ledger.

``oncodrop reinterpret`` queues the selected samples, dispatches ``[reinterpret] workers``
drains and then polls the bundle's job counts until nothing is QUEUED or RUNNING (or its
timeout, or Ctrl-C: the drains go on without it). serve's scheduled trigger
(``[reinterpret] watch_s``) dispatches the same way and never runs a runner itself: the
control plane may be intake-only, without a bundle. It dispatches at its first look at a
version with unfinished jobs, and again only when the queue stalled: nothing claimed or
finished since its last look and its last drains sent at least ``[reinterpret] lease_s`` ago
(drains still waiting in a busy scheduler's queue, or dead ones; a held job's lease has expired
by then, so a new drain can take it over). Drains that start after the work is done exit at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from oncodrop.domain.reinterpretation import ReinterpretState
from oncodrop.errors import OncodropError
from oncodrop.execute.reinterpret import RunnerTally
from oncodrop.execute.reinterpret_dispatch import dispatch_drains
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations, Selection
from oncodrop.service.reinterpret import ReinterpretRun, run_reinterpretation, target_bundle, watch
from oncodrop.settings import Settings

log = logging.getLogger(__name__)
POLL_S = 1.0
UNFINISHED = (ReinterpretState.QUEUED.value, ReinterpretState.RUNNING.value)


def unfinished(counts: dict[str, int]) -> int:
    """Jobs not yet DONE or DEAD."""
    return sum(counts.get(state, 0) for state in UNFINISHED)


def wait_for_bundle(reinterps: Reinterpretations, version: str, *, timeout_s: float | None = None,
                    stop: threading.Event | None = None, poll_s: float = POLL_S) -> dict[str, int]:  # fmt: skip
    """Poll ``version``'s job counts until none is QUEUED or RUNNING, ``timeout_s`` passes or
    ``stop`` is set; the last counts."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    waiter = stop or threading.Event()
    while True:
        counts = reinterps.counts(version)
        if not unfinished(counts) or waiter.is_set():
            return counts
        if deadline is not None and time.monotonic() >= deadline:
            return counts
        waiter.wait(poll_s if deadline is None else max(0.0, min(poll_s, deadline - time.monotonic())))


def reinterpret(settings: Settings, selection: Selection, *, version: str | None = None,
                timeout_s: float | None = None, stop: threading.Event | None = None) -> ReinterpretRun:  # fmt: skip
    """``oncodrop reinterpret``: on local runner processes for ``executor = local``, else queue,
    dispatch drains to the executor and wait for the bundle's jobs to end."""
    if settings.executor == "local":
        return run_reinterpretation(settings.db, selection, settings.reinterpret, aws=settings.aws, version=version)
    with Ledger.open(settings.db) as ledger:
        bundle = target_bundle(ledger, version)
        reinterps = Reinterpretations(ledger)
        queued = reinterps.enqueue(bundle.version, selection)
        counts = reinterps.counts(bundle.version)
        if unfinished(counts):  # also the jobs a crashed run left behind
            dispatch_drains(settings, bundle.version)
            counts = wait_for_bundle(reinterps, bundle.version, timeout_s=timeout_s, stop=stop)
        return ReinterpretRun(bundle, queued, RunnerTally(), counts)


@dataclass
class Progress:
    """What serve's trigger saw of the current bundle's jobs at its last look, and when it
    last sent drains."""

    version: str = ""
    seen: tuple[int, int] = (-1, -1)  # (QUEUED, DONE + DEAD): a claim or a finish changes it
    sent_at: float | None = None  # time.monotonic() of the last dispatch


def dispatch_pass(ledger: Ledger, settings: Settings, progress: Progress, send: Callable[[Settings, str], object]
                  = dispatch_drains, now: float | None = None) -> bool:  # fmt: skip
    """One look of serve's trigger: queue past samples for the current bundle and send drains
    when it has unfinished jobs and either this is the first look at the version or nothing
    moved since the last look (no claim, no finish) and the last drains were sent at least
    ``[reinterpret] lease_s`` ago; True when drains were sent."""
    reinterps = Reinterpretations(ledger)
    current = reinterps.current_bundle()
    if current is None:
        return False
    if reinterps.enqueue(current.version, Selection()):
        log.info("re-interpreting past samples against bundle %s on %s", current.version, settings.executor)
    counts = reinterps.counts(current.version)
    now = time.monotonic() if now is None else now
    seen = (counts.get(ReinterpretState.QUEUED.value, 0),
            counts.get(ReinterpretState.DONE.value, 0) + counts.get(ReinterpretState.DEAD.value, 0))  # fmt: skip
    first = progress.version != current.version
    stalled = not first and seen == progress.seen and (
        progress.sent_at is None or now - progress.sent_at >= settings.reinterpret.lease_s)  # fmt: skip
    progress.version, progress.seen = current.version, seen
    if not unfinished(counts) or not (first or stalled):
        return False
    send(settings, current.version)
    progress.sent_at = now
    return True


def watch_remote(ledger: Ledger, settings: Settings, stop: threading.Event) -> None:
    """Every ``watch_s``: one ``dispatch_pass``, until ``stop``; trouble is logged, never fatal."""
    progress = Progress()
    while not stop.wait(settings.reinterpret.watch_s):
        try:
            dispatch_pass(ledger, settings, progress)
        except OncodropError as exc:
            log.warning("re-interpretation dispatch failed, will retry: %s", exc.message)
        except Exception:  # a bug must not stop serve
            log.exception("re-interpretation dispatch failed with a bug")


def watch_on_executor(ledger: Ledger, settings: Settings, stop: threading.Event) -> None:
    """serve's trigger: local runners in this process for ``executor = local``, else drains."""
    if settings.executor == "local":
        watch(ledger, settings.reinterpret, settings.aws, stop, settings.work_root)
    else:
        watch_remote(ledger, settings, stop)
