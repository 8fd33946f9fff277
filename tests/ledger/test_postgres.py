"""The same ledger on a real PostgreSQL server (started here on 127.0.0.1, stopped by PID).

Skipped where PostgreSQL binaries or the psycopg driver are missing, except in CI (``CI=true``),
where that is a failure. The binaries are looked up on PATH, then in Debian's
``/usr/lib/postgresql/<version>/bin`` (not on PATH there).
"""

from __future__ import annotations

import multiprocessing as mp

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from oncodrop.domain.headline import Headline
from oncodrop.domain.state import SampleState
from oncodrop.errors import StateConflict
from oncodrop.ledger import Ledger
from oncodrop.ledger.models import Base

from .conftest import ManualClock, add_sample, claim_until_empty

S = SampleState


def test_migrations_build_the_model_schema_on_postgres(pg_url: str) -> None:
    Ledger.open(pg_url).close()
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_life_cycle_with_retry_and_rerun_on_postgres(pg_url: str) -> None:
    clock = ManualClock()
    with Ledger.open(pg_url, clock=clock) as ledger:
        record = add_sample(ledger)
        assert add_sample(ledger, queue=False).id == record.id  # duplicate object: same sample
        ledger.claim("w1", lease_s=10)
        assert (
            ledger.fail(record.id, "w1", "503", retryable=True, retry_delay_s=5).state is S.QUEUED
        )
        clock.advance(6)
        ledger.claim("w2", lease_s=10)
        clock.advance(11)  # w2 died: lease expired
        taken = ledger.claim("w3", lease_s=10)
        assert taken is not None and (taken.lease_owner, taken.attempts) == ("w3", 2)  # the dead w2 spent none
        with pytest.raises(StateConflict):
            ledger.succeed(record.id, "w2", "out", None)
        done = ledger.succeed(record.id, "w3", "out", Headline(tier1=1, tmb=3.5))
        assert done.headline == Headline(tier1=1, tmb=3.5)
        again = ledger.rerun(record.id, actor="alice", reason="new bundle")
        assert (again.state, again.run, again.attempts) == (S.QUEUED, 2, 0)
        codes = [h.reason_code for h in ledger.history(record.id)]
        assert codes == [
            "received",
            "queued",
            "claimed",
            "error",
            "retry_scheduled",
            "claimed",
            "lease_expired",
            "succeeded",
            "rerun",
        ]
        assert ledger.counts_by_state()[S.QUEUED] == 1


def test_racing_claimer_processes_never_share_a_sample_on_postgres(pg_url: str) -> None:
    with Ledger.open(pg_url) as ledger:
        ids = [add_sample(ledger, n).id for n in range(1, 21)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=claim_until_empty, args=(pg_url, f"w{i}", start, out)) for i in range(3)
    ]
    for p in procs:
        p.start()
    start.set()
    claimed = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sorted(i for got in claimed for i in got) == ids


def test_poller_memory_on_postgres(pg_url: str) -> None:
    with Ledger.open(pg_url) as ledger:
        assert ledger.mark_seen("s3://bucket/in", "a-000001-somatic.tar.gz", '"etag"') is True
        assert ledger.mark_seen("s3://bucket/in", "a-000001-somatic.tar.gz", '"etag"') is False
        assert ledger.seen_objects("s3://bucket/in") == {("a-000001-somatic.tar.gz", '"etag"')}


def _mark_many(url: str, start: mp.synchronize.Event, out: mp.Queue[int]) -> None:
    with Ledger.open(url, migrate_schema=False) as ledger:
        start.wait()
        out.put(sum(ledger.mark_seen("s3://b", f"k{n}", "e") for n in range(200)))


def test_two_pollers_marking_the_same_objects_at_once_never_raise_on_postgres(pg_url: str) -> None:
    """The live finding: UniqueViolation in mark_seen dropped the rest of a poll pass."""
    Ledger.open(pg_url).close()
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_mark_many, args=(pg_url, start, out)) for _ in range(3)]
    for p in procs:
        p.start()
    start.set()
    firsts = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sum(firsts) == 200 and all(p.exitcode == 0 for p in procs)


def test_reinterpretation_jobs_on_postgres(pg_url: str) -> None:
    from oncodrop.domain.reinterpretation import ReinterpretState
    from oncodrop.ledger.reinterp import Reinterpretations, Selection

    with Ledger.open(pg_url) as ledger:
        record = add_sample(ledger)
        ledger.claim("w1", lease_s=10)
        ledger.succeed(record.id, "w1", "out.tar.gz", None, "v1")
        r = Reinterpretations(ledger)
        r.install_bundle(name="b", version="v1", path="/b1", manifest_sha256="aa", demo=True)
        r.install_bundle(name="b", version="v2", path="/b2", manifest_sha256="bb", demo=False)
        current = r.current_bundle()
        assert current is not None and (current.version, current.demo) == ("v2", False)
        assert (r.enqueue("v1", Selection()), r.enqueue("v2", Selection()), r.enqueue("v2", Selection())) == (0, 1, 0)
        job = r.claim("a", 60.0)
        assert job is not None and r.claim("b", 60.0) is None
        notice = {"event": "reinterpreted", "meaningful": ["G x: tier III → I (new_tier_1_2)"], "output_key": "k"}
        done = r.complete(job.id, "a", output_key="k", location="k", changes=2, meaningful=1,
                          summary={"changes": 2}, notice=notice)  # fmt: skip
        assert (done.state, done.summary) == (ReinterpretState.DONE, {"changes": 2})
        assert [x.bundle_version for x in r.interpretations(record.id)] == ["v1", "v2"]
        assert [item.detail for item, _ in ledger.notifications() if item.detail] == [notice]
