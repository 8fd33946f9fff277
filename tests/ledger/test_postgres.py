"""The same ledger on a real PostgreSQL server (started here on 127.0.0.1, stopped by PID).

Skipped where PostgreSQL binaries or the psycopg driver are missing.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from oncodrop.domain.headline import Headline
from oncodrop.domain.state import SampleState
from oncodrop.errors import StateConflict
from oncodrop.ledger import Ledger
from oncodrop.ledger.models import Base

from .conftest import ManualClock, add_sample, claim_until_empty

pytest.importorskip("psycopg")
BINARIES = {name: shutil.which(name) for name in ("initdb", "postgres")}
pytestmark = pytest.mark.skipif(not all(BINARIES.values()), reason="PostgreSQL binaries not found")
S = SampleState


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL cluster; yields an admin URL. Runs as ``postgres`` under root."""
    base = Path(tempfile.mkdtemp(prefix="oncodrop-pg-"))
    as_user = "postgres" if os.geteuid() == 0 else None
    if as_user:
        shutil.chown(base, as_user, as_user)
    port = _free_port()
    subprocess.run(
        [
            str(BINARIES["initdb"]),
            "-D",
            str(base / "data"),
            "-A",
            "trust",
            "-U",
            "onco",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        user=as_user,
        timeout=120,
    )
    log = open(base / "server.log", "wb")  # noqa: SIM115 - closed in teardown
    server = subprocess.Popen(
        [
            str(BINARIES["postgres"]),
            "-D",
            str(base / "data"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-k",
            str(base),
            "-F",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        user=as_user,
    )
    url = f"postgresql+psycopg://onco@127.0.0.1:{port}/postgres"
    try:
        _wait_ready(url, server)
        yield url
    finally:
        server.send_signal(2)  # SIGINT: PostgreSQL "fast" shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        engine = create_engine(url)
        try:
            with engine.connect():
                return
        except Exception:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            engine.dispose()


@pytest.fixture
def pg_url(postgres: str) -> str:
    """A fresh, empty database on the shared server for each test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return postgres.rsplit("/", 1)[0] + f"/{name}"


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
