"""Composition of re-interpretation: register bundle versions, queue past samples for the
current one, and run the queue on local runner processes until it is empty.

Runner processes are started with ``spawn`` (a clean interpreter, like the job children) and
each opens its own ledger connection; the ledger lease decides which runner does which job.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.reinterpretation import BundleVersion
from oncodrop.errors import ConfigError, OncodropError
from oncodrop.execute.reinterpret import Runner, RunnerConfig, RunnerTally
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations, Selection
from oncodrop.refdata.bundle import Bundle
from oncodrop.settings import AwsSettings, ReinterpretSettings
from oncodrop.store import open_store

log = logging.getLogger(__name__)


def install_bundle(ledger: Ledger, path: Path, *, current: bool = True) -> BundleVersion:
    """Verify the bundle at ``path`` (every checksum) and register its version."""
    bundle = Bundle.open(path, verify=True)
    described = bundle.describe()
    return Reinterpretations(ledger).install_bundle(
        name=bundle.name, version=bundle.version, path=str(path.resolve()),
        manifest_sha256=str(described.get("manifest_sha256", "")), demo=bundle.demo, current=current,
    )  # fmt: skip


def target_bundle(ledger: Ledger, version: str | None) -> BundleVersion:
    """The named bundle version, else the current one; ``ConfigError`` saying what to do."""
    reinterps = Reinterpretations(ledger)
    if version is None:
        current = reinterps.current_bundle()
        if current is None:
            raise ConfigError("no bundle version is installed; run `oncodrop refdata install DIR` first")
        return current
    for known in reinterps.bundles():
        if known.version == version:
            return known
    raise ConfigError(f"bundle version {version} is not installed; `oncodrop refdata install DIR` registers it")


@dataclass(frozen=True, slots=True)
class ReinterpretRun:
    bundle: BundleVersion
    queued: int
    tally: RunnerTally
    counts: dict[str, int]


def reinterpret_pass(ledger: Ledger, settings: ReinterpretSettings, aws: AwsSettings,
                     stop: threading.Event | None = None, workdir: Path | None = None) -> RunnerTally:  # fmt: skip
    """The scheduled trigger (``serve`` with ``[reinterpret] watch_s``): queue every past sample
    not yet re-interpreted against the current bundle and run the queue in this process."""
    reinterps = Reinterpretations(ledger)
    current = reinterps.current_bundle()
    if current is None:
        return RunnerTally()
    if reinterps.enqueue(current.version, Selection()):
        log.info("re-interpreting past samples against bundle %s", current.version)
    cfg = RunnerConfig(bundle=Path(current.path), bundle_version=current.version, announce=settings.announce,
                       lease_s=settings.lease_s, max_attempts=settings.max_attempts,
                       **({"workdir": workdir} if workdir else {}))  # fmt: skip
    return Runner(reinterps, lambda url: open_store(url, aws), cfg).run(stop)


def watch(ledger: Ledger, settings: ReinterpretSettings, aws: AwsSettings, stop: threading.Event,
          workdir: Path | None = None) -> None:  # fmt: skip
    """Every ``watch_s``: one ``reinterpret_pass``, until ``stop``; trouble is logged, never fatal."""
    while not stop.wait(settings.watch_s):
        try:
            reinterpret_pass(ledger, settings, aws, stop, workdir)
        except OncodropError as exc:
            log.warning("re-interpretation pass failed, will retry: %s", exc.message)
        except Exception:  # a bug must not stop serve; the jobs' leases lapse and are retried
            log.exception("re-interpretation pass failed with a bug")


def _runner_main(db: str, cfg: RunnerConfig, aws: AwsSettings, worker_id: str) -> None:
    ledger = Ledger.open(db, migrate_schema=False)
    try:
        Runner(Reinterpretations(ledger), lambda url: open_store(url, aws), cfg, worker_id).run(wait_for_running=True)
    finally:
        ledger.close()


def run_reinterpretation(
    db: str, selection: Selection, settings: ReinterpretSettings, *, aws: AwsSettings | None = None,
    version: str | None = None, workdir: Path | None = None,
) -> ReinterpretRun:  # fmt: skip
    """Queue the selected samples for the bundle (current unless ``version``) and run every
    queued job of that bundle (including ones a crashed run left behind)."""
    aws = aws or AwsSettings()
    ledger = Ledger.open(db)
    try:
        bundle = target_bundle(ledger, version)
        reinterps = Reinterpretations(ledger)
        queued = reinterps.enqueue(bundle.version, selection)
        cfg = RunnerConfig(bundle=Path(bundle.path), bundle_version=bundle.version, announce=settings.announce,
                           lease_s=settings.lease_s, max_attempts=settings.max_attempts,
                           **({"workdir": workdir} if workdir else {}))  # fmt: skip
        tally = RunnerTally()
        if settings.workers <= 1:
            tally = Runner(reinterps, lambda url: open_store(url, aws), cfg).run(wait_for_running=True)
        else:
            ctx = multiprocessing.get_context("spawn")
            procs = [ctx.Process(target=_runner_main, args=(db, cfg, aws, f"reinterpret-{i}"), daemon=True)
                     for i in range(settings.workers)]  # fmt: skip
            for p in procs:
                p.start()
            for p in procs:
                p.join()
        return ReinterpretRun(bundle, queued, tally, reinterps.counts(bundle.version))
    finally:
        ledger.close()
