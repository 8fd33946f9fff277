"""The ledger's side of re-interpretation: bundle versions, the interpretation index, and the
re-interpretation jobs with their leases.

Exactly once per (sample, bundle version): a job row is unique on that pair, so enqueueing
twice (two operators, a crash between enqueue and run) adds nothing. A runner takes a job with
the same rule as a sample claim: a compare-and-set from QUEUED, or from RUNNING whose lease
expired (a runner that died), to RUNNING under its own lease. ``complete`` moves it to DONE
only while the runner still holds the lease, in one transaction with the interpretation index
row and, for clinically meaningful changes, the outbox notice: a crash anywhere leaves the job
to be run again, never done twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from oncodrop.domain.reinterpretation import (
    BundleVersion,
    InterpretationRef,
    ReinterpretJob,
    ReinterpretState,
)
from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError, StateConflict
from oncodrop.ledger.db import read_session, write_session
from oncodrop.ledger.interpretations import index_interpretation
from oncodrop.ledger.models import (
    BundleVersionRow,
    InterpretationRow,
    OutboxRow,
    ReinterpretationRow,
    SampleRow,
)
from oncodrop.ledger.records import record_json, sample_record
from oncodrop.ledger.service import Ledger

CLAIM_CANDIDATES = 8


@dataclass(frozen=True, slots=True)
class Selection:
    """Which past samples to re-interpret (all SUCCEEDED ones when every field is empty)."""

    since: datetime | None = None
    batch: str | None = None  # the ``{sample_batch}`` part of the key
    keys: tuple[str, ...] = ()


class Reinterpretations:
    """Re-interpretation operations over a ``Ledger`` (same engine, same clock)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    # -- bundles ------------------------------------------------------------------------

    def install_bundle(self, *, name: str, version: str, path: str, manifest_sha256: str, demo: bool,
                       current: bool = True) -> BundleVersion:  # fmt: skip
        """Register a bundle version (again: its path and checksum must match) and, with
        ``current``, make it the current one."""
        now = self.ledger.now()
        with write_session(self.ledger.engine) as s:
            row = s.scalars(select(BundleVersionRow).where(BundleVersionRow.version == version)).one_or_none()
            if row is not None and row.manifest_sha256 != manifest_sha256:
                raise ConfigError(f"bundle version {version} is already installed with other contents "
                                  f"(manifest {row.manifest_sha256[:12]}…); give the new bundle its own version")  # fmt: skip
            if row is None:
                row = BundleVersionRow(name=name, version=version, path=path, manifest_sha256=manifest_sha256,
                                       demo=demo, current=False, installed_at=now)  # fmt: skip
                s.add(row)
            row.path = path
            if current:
                s.execute(update(BundleVersionRow).values(current=False))
                row.current = True
            s.flush()
            return _bundle(row)

    def bundles(self) -> list[BundleVersion]:
        with read_session(self.ledger.engine) as s:
            return [_bundle(r) for r in s.scalars(select(BundleVersionRow).order_by(BundleVersionRow.id))]

    def current_bundle(self) -> BundleVersion | None:
        with read_session(self.ledger.engine) as s:
            row = s.scalars(select(BundleVersionRow).where(BundleVersionRow.current.is_(True))).first()
            return _bundle(row) if row is not None else None

    # -- the interpretation index -------------------------------------------------------

    def index(self, sample_pk: int, bundle_version: str, origin: str, location: str) -> None:
        with write_session(self.ledger.engine) as s:
            index_interpretation(s, sample_pk, bundle_version, origin, location, self.ledger.now())

    def interpretations(self, sample_pk: int) -> list[InterpretationRef]:
        """Oldest first; the last one is what the sample was last reported with."""
        with read_session(self.ledger.engine) as s:
            rows = s.scalars(select(InterpretationRow).where(InterpretationRow.sample_pk == sample_pk)
                             .order_by(InterpretationRow.id))  # fmt: skip
            return [InterpretationRef(r.sample_pk, r.bundle_version, r.origin, r.location) for r in rows]

    # -- jobs ---------------------------------------------------------------------------

    def enqueue(self, bundle_version: str, selection: Selection) -> int:
        """One QUEUED job per selected SUCCEEDED sample that has none for ``bundle_version``
        and was not reported with it; returns how many were added."""
        now = self.ledger.now()
        query = select(SampleRow).where(SampleRow.state == SampleState.SUCCEEDED.value,
                                        SampleRow.output_key.is_not(None)).order_by(SampleRow.id)  # fmt: skip
        if selection.since is not None:
            query = query.where(SampleRow.updated_at >= selection.since)
        if selection.batch:
            query = query.where(SampleRow.sample_id == selection.batch)
        if selection.keys:
            query = query.where(SampleRow.object_key.in_(selection.keys))
        added = 0
        with write_session(self.ledger.engine) as s:
            have = set(s.scalars(select(ReinterpretationRow.sample_pk)
                                 .where(ReinterpretationRow.bundle_version == bundle_version)))  # fmt: skip
            have |= set(s.scalars(select(InterpretationRow.sample_pk)
                                  .where(InterpretationRow.bundle_version == bundle_version)))  # fmt: skip
            for row in s.scalars(query):
                if row.id in have:
                    continue
                s.add(ReinterpretationRow(
                    sample_pk=row.id, bundle_version=bundle_version, state=ReinterpretState.QUEUED.value,
                    attempts=0, changes=0, meaningful=0, created_at=now, updated_at=now,
                ))  # fmt: skip
                added += 1
        return added

    def claim(self, worker_id: str, lease_s: float, bundle_version: str | None = None) -> ReinterpretJob | None:
        """Lease the oldest runnable job (QUEUED, or RUNNING with an expired lease)."""
        now = self.ledger.now()
        runnable = or_(
            ReinterpretationRow.state == ReinterpretState.QUEUED.value,
            and_(ReinterpretationRow.state == ReinterpretState.RUNNING.value,
                 ReinterpretationRow.lease_expires_at < now),
        )  # fmt: skip
        query = select(ReinterpretationRow).where(runnable)
        if bundle_version is not None:
            query = query.where(ReinterpretationRow.bundle_version == bundle_version)
        with write_session(self.ledger.engine) as s:
            for row in s.scalars(query.order_by(ReinterpretationRow.id).limit(CLAIM_CANDIDATES)).all():
                result = s.execute(
                    update(ReinterpretationRow)
                    .where(ReinterpretationRow.id == row.id, runnable)
                    .values(state=ReinterpretState.RUNNING.value, lease_owner=worker_id,
                            lease_expires_at=now + timedelta(seconds=lease_s),
                            attempts=ReinterpretationRow.attempts + 1, updated_at=now)
                    .execution_options(synchronize_session=False)
                )  # fmt: skip
                if isinstance(result, CursorResult) and result.rowcount == 1:
                    return _job(s, row.id)
        return None

    def running(self, bundle_version: str) -> int:
        """How many jobs of ``bundle_version`` some runner holds (live or expired lease)."""
        query = select(func.count()).where(ReinterpretationRow.bundle_version == bundle_version,
                                           ReinterpretationRow.state == ReinterpretState.RUNNING.value)  # fmt: skip
        with read_session(self.ledger.engine) as s:
            return int(s.scalar(query) or 0)

    def heartbeat(self, job_id: int, worker_id: str, lease_s: float) -> None:
        now = self.ledger.now()
        with write_session(self.ledger.engine) as s:
            _owned(s, job_id, worker_id, {"lease_expires_at": now + timedelta(seconds=lease_s)}, now)

    def complete(self, job_id: int, worker_id: str, *, output_key: str | None, location: str, changes: int,
                 meaningful: int, summary: dict[str, Any], notice: dict[str, Any] | None) -> ReinterpretJob:  # fmt: skip
        """RUNNING -> DONE (only by the lease holder), with the index row and the notice."""
        now = self.ledger.now()
        with write_session(self.ledger.engine) as s:
            row = _owned(s, job_id, worker_id, {
                "state": ReinterpretState.DONE.value, "lease_owner": None, "lease_expires_at": None,
                "output_key": output_key, "changes": changes, "meaningful": meaningful, "summary": summary,
                "reason": None,
            }, now)  # fmt: skip
            origin = "reinterpretation" if output_key else "unchanged"
            index_interpretation(s, row.sample_pk, row.bundle_version, origin, location, now)
            if notice is not None:
                sample = s.get(SampleRow, row.sample_pk)
                assert sample is not None
                s.add(OutboxRow(
                    sample_pk=sample.id, event_state="REINTERPRETED", sample=record_json(sample_record(sample)),
                    created_at=now, not_before=None, attempts=0, done_targets=[], detail=notice,
                ))  # fmt: skip
            return _job(s, job_id)

    def fail(self, job_id: int, worker_id: str, reason: str, *, max_attempts: int) -> ReinterpretJob:
        """RUNNING -> QUEUED while attempts remain, else DEAD (with the reason)."""
        now = self.ledger.now()
        with write_session(self.ledger.engine) as s:
            current = s.get(ReinterpretationRow, job_id)
            dead = current is not None and current.attempts >= max_attempts
            state = ReinterpretState.DEAD if dead else ReinterpretState.QUEUED
            _owned(s, job_id, worker_id, {"state": state.value, "lease_owner": None, "lease_expires_at": None,
                                          "reason": reason}, now)  # fmt: skip
            return _job(s, job_id)

    def release(self, job_id: int, worker_id: str) -> None:
        """Give a job back untouched (the runner is stopping); its attempt is handed back."""
        now = self.ledger.now()
        with write_session(self.ledger.engine) as s:
            _owned(s, job_id, worker_id, {"state": ReinterpretState.QUEUED.value, "lease_owner": None,
                                          "lease_expires_at": None, "attempts": ReinterpretationRow.attempts - 1},
                   now)  # fmt: skip

    def jobs(self, sample_pk: int | None = None, bundle_version: str | None = None) -> list[ReinterpretJob]:
        query = select(ReinterpretationRow.id).order_by(ReinterpretationRow.id)
        if sample_pk is not None:
            query = query.where(ReinterpretationRow.sample_pk == sample_pk)
        if bundle_version is not None:
            query = query.where(ReinterpretationRow.bundle_version == bundle_version)
        with read_session(self.ledger.engine) as s:
            return [_job(s, job_id) for job_id in s.scalars(query).all()]

    def counts(self, bundle_version: str) -> dict[str, int]:
        jobs = self.jobs(bundle_version=bundle_version)
        return {state.value: sum(1 for j in jobs if j.state is state) for state in ReinterpretState}


def _owned(s: Session, job_id: int, worker_id: str, values: dict[str, Any], now: datetime) -> ReinterpretationRow:
    """Update the job iff ``worker_id`` holds its lease (``StateConflict`` otherwise)."""
    values = {**values, "updated_at": now}
    result = s.execute(
        update(ReinterpretationRow)
        .where(ReinterpretationRow.id == job_id, ReinterpretationRow.state == ReinterpretState.RUNNING.value,
               ReinterpretationRow.lease_owner == worker_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise StateConflict(f"re-interpretation #{job_id}: {worker_id} no longer holds the lease")
    row = s.scalars(select(ReinterpretationRow).where(ReinterpretationRow.id == job_id)
                    .execution_options(populate_existing=True)).one()  # fmt: skip
    return row


def _bundle(row: BundleVersionRow) -> BundleVersion:
    return BundleVersion(row.name, row.version, row.path, row.manifest_sha256, bool(row.demo), bool(row.current),
                         row.installed_at)  # fmt: skip


def _job(s: Session, job_id: int) -> ReinterpretJob:
    row = s.scalars(select(ReinterpretationRow).where(ReinterpretationRow.id == job_id)
                    .execution_options(populate_existing=True)).one()  # fmt: skip
    sample = s.get(SampleRow, row.sample_pk)
    assert sample is not None
    return ReinterpretJob(
        id=row.id, sample_pk=row.sample_pk, sample_key=sample.object_key, sample_output_key=sample.output_key,
        kind=sample.kind, bundle_version=row.bundle_version, state=ReinterpretState(row.state),
        attempts=row.attempts, output_key=row.output_key, changes=row.changes, meaningful=row.meaningful,
        summary=row.summary, reason=row.reason, store_url=sample.store_url,
    )  # fmt: skip
