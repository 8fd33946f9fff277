"""Running re-interpretations: claim a job, read the sample's last interpretation input from
its output in the store, re-run it against the bundle, write the change report, record it.

One runner per process (``run_runner``); several run side by side on one ledger, each job held
by one lease (``ledger.reinterp``). Nothing here re-reads a VCF. A runner killed at any point
leaves its job RUNNING until the lease expires; the next runner redoes it from the stored
input, and an upload that already happened is found in the store and kept (same input + same
bundle give the same report), so the ledger ends with exactly one DONE per (sample, bundle).
A sample whose interpretation is unchanged costs a download, a decode and a re-run: no upload.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncodrop.domain.reinterpretation import ReinterpretJob
from oncodrop.errors import InputRejected, OncodropError, ReasonCode
from oncodrop.execute.package import read_member, root_name_for, write_reproducible_tarball
from oncodrop.ledger.reinterp import Reinterpretations
from oncodrop.naming import REINTERPRETATION_MARK, reinterpretation_key
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.interpretation.snapshot import FILE_NAME, InterpretationInput, loads
from oncodrop.report.reinterpret.diff import Change, diff, meaningful
from oncodrop.report.reinterpret.rerun import Knowledge, reinterpret
from oncodrop.report.reinterpret.write import REPORT_DIR, change_summary, write_change_report
from oncodrop.store.base import ObjectStore

log = logging.getLogger(__name__)

StoreFor = Callable[[str], ObjectStore]


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    bundle: Path
    bundle_version: str
    announce: tuple[str, ...]
    lease_s: float = 120.0
    max_attempts: int = 3
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))


@dataclass
class RunnerTally:
    done: int = 0
    changed: int = 0
    meaningful: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class JobResult:
    output_key: str | None
    location: str
    changes: tuple[Change, ...]
    meaningful: tuple[tuple[Change, str], ...]
    summary: dict[str, Any]


def stored_input(store: ObjectStore, location: str, scratch: Path) -> InterpretationInput:
    """The interpretation input inside the tarball at ``location`` (an output or an earlier
    re-interpretation); ``InputRejected`` when it holds none (made before inputs were kept)."""
    local = scratch / "baseline.tar.gz"
    store.get_file(location, local)
    root = root_name_for(location)
    member = f"{root}/{REPORT_DIR}/{FILE_NAME}" if REINTERPRETATION_MARK in root else f"{root}/{FILE_NAME}"
    data = read_member(local, member)
    local.unlink(missing_ok=True)
    if data is None:
        raise InputRejected(ReasonCode.MISSING_OBJECT,
                            f"{location} holds no {FILE_NAME} (made before oncodrop kept interpretation "
                            "inputs); re-run the sample to re-interpret it", file=location)  # fmt: skip
    return loads(data, source=f"{location}:{member}")


def run_job(job: ReinterpretJob, baseline: str, store: ObjectStore, knowledge: Knowledge, cfg: RunnerConfig,
            scratch: Path) -> JobResult:  # fmt: skip
    """Re-interpret one sample from the interpretation kept at ``baseline``."""
    stored = stored_input(store, baseline, scratch)
    new = reinterpret(stored, knowledge)
    changes = diff(stored.interpretation, new.interpretation)
    picked = meaningful(changes, cfg.announce)
    summary = change_summary(stored, new, changes, picked)
    if not changes:
        return JobResult(None, baseline, changes, picked, summary)
    assert job.sample_output_key is not None, "only SUCCEEDED samples are re-interpreted"
    key = reinterpretation_key(job.sample_output_key, cfg.bundle_version)
    if store.head(key) is None:  # else: a runner that died after uploading made it from the same input
        root = scratch / root_name_for(key)
        write_change_report(root, stored, new, knowledge.bundle, summary)
        tarball = write_reproducible_tarball(root, scratch / "out.tar.gz", root.name)
        store.put_file(tarball, key)
    return JobResult(key, key, changes, picked, summary)


def notice(job: ReinterpretJob, result: JobResult, bundle_version: str) -> dict[str, Any] | None:
    """The outbox detail of a re-interpretation with clinically meaningful changes, else None."""
    if not result.meaningful:
        return None
    lines = [f"{c.label}: {_words(c)} ({rule})" for c, rule in result.meaningful]
    return {"event": "reinterpreted", "bundle_version": bundle_version, "output_key": result.output_key,
            "changes": len(result.changes), "meaningful": lines}  # fmt: skip


def _words(c: Change) -> str:
    before, after = c.before or "none", c.after or "none"
    return f"{c.kind.value.replace('_', ' ')} {before} → {after}"


def freeze_long_lived() -> bool:
    """Keep what the process holds once its first job is done (imported modules, the bundle's
    evidence index and ClinVar residues in ``Knowledge``) out of later full collections.

    Every job leaves reference cycles (workbook, templates) that only a full collection frees,
    and a full collection walked all ~150k long-lived objects: ~0.3 s on the 2-core machine, one
    every ~8 changed somatic samples, ~40 ms a sample on average (``gc.callbacks``, 2026-12-03).
    Frozen, it walks only what jobs made since (~10 ms). ``Runner.run`` unfreezes when its batch
    ends, so a process that runs one batch among other work (``serve``) is left as it was.
    """
    gc.collect()
    gc.freeze()
    return True


class Runner:
    """Claims and runs re-interpretation jobs of one bundle version until none is left."""

    def __init__(self, reinterps: Reinterpretations, store_for: StoreFor, cfg: RunnerConfig,
                 worker_id: str | None = None) -> None:  # fmt: skip
        self.reinterps = reinterps
        self.store_for = store_for
        self.cfg = cfg
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:reinterpret"
        self.knowledge = Knowledge(Bundle.open(cfg.bundle))
        self._stores: dict[str, ObjectStore] = {}

    def run(self, stop: threading.Event | None = None, limit: int | None = None, *,
            wait_for_running: bool = False) -> RunnerTally:  # fmt: skip
        """Run jobs until none is left. With ``wait_for_running``, jobs other runners hold are
        waited for: a holder that finishes ends them, a dead one's lease expires and this runner
        takes the job over (so a batch a crash interrupted is finished by the next run)."""
        tally = RunnerTally()
        idle = threading.Event() if stop is None else stop
        pause = min(1.0, self.cfg.lease_s / 4)
        frozen = False
        try:
            while not idle.is_set() and (limit is None or tally.done + tally.failed < limit):
                job = self.reinterps.claim(self.worker_id, self.cfg.lease_s, self.cfg.bundle_version)
                if job is None:
                    if wait_for_running and self.reinterps.running(self.cfg.bundle_version):
                        idle.wait(pause)
                        continue
                    break
                self.run_one(job, tally)
                frozen = frozen or freeze_long_lived()
        finally:
            if frozen:
                gc.unfreeze()
            self.knowledge.close()
        return tally

    def run_one(self, job: ReinterpretJob, tally: RunnerTally) -> None:
        store = self._stores.get(job.store_url) or self._stores.setdefault(job.store_url, self.store_for(job.store_url))
        refs = self.reinterps.interpretations(job.sample_pk)
        baseline = refs[-1].location if refs else job.sample_output_key
        self.cfg.workdir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="reinterp-", dir=self.cfg.workdir))
        try:
            assert baseline is not None
            result = run_job(job, baseline, store, self.knowledge, self.cfg, scratch)
        except InputRejected as exc:  # no stored input, or a damaged one: retrying cannot help
            self.reinterps.fail(job.id, self.worker_id, exc.message, max_attempts=0)
            tally.failed += 1
            return
        except OncodropError as exc:
            log.warning("re-interpretation #%d of %s failed: %s", job.id, job.sample_key, exc.message)
            self.reinterps.fail(job.id, self.worker_id, exc.message, max_attempts=self.cfg.max_attempts)
            tally.failed += 1
            return
        except Exception as exc:  # a bug: recorded (the traceback in the log only), retried, then DEAD
            log.exception("re-interpretation #%d of %s failed with a bug", job.id, job.sample_key)
            self.reinterps.fail(job.id, self.worker_id, f"error: {type(exc).__name__}",
                                max_attempts=self.cfg.max_attempts)  # fmt: skip
            tally.failed += 1
            return
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self.reinterps.complete(
            job.id, self.worker_id, output_key=result.output_key, location=result.location,
            changes=len(result.changes), meaningful=len(result.meaningful), summary=result.summary["counts"],
            notice=notice(job, result, self.cfg.bundle_version),
        )  # fmt: skip
        tally.done += 1
        tally.changed += bool(result.changes)
        tally.meaningful += bool(result.meaningful)
