"""The schema ships as Alembic migrations inside the package and is applied on open."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from oncodrop.errors import ConfigError
from oncodrop.ledger import Ledger
from oncodrop.ledger.models import Base


def _alembic_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def test_open_creates_the_schema_at_the_newest_revision(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()
    engine = create_engine(ledger_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"samples", "sample_transitions", "seen_objects", "notification_outbox", "alembic_version"} <= tables
    assert _alembic_version(ledger_url) == "0004_reinterpretation"


def test_reopening_keeps_the_data(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ledger.record_object("file:///b", "k", "e", 1, "somatic", "b-000001", None)
    with Ledger.open(ledger_url) as ledger:
        assert [r.key for r in ledger.list_samples()] == ["k"]


def test_sqlite_ledger_runs_in_wal_mode(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()
    engine = create_engine(ledger_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def _open(url: str) -> None:
    Ledger.open(url).close()


def test_processes_opening_a_new_ledger_at_once_all_succeed(ledger_url: str) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_open, args=(ledger_url,)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert _alembic_version(ledger_url) == "0004_reinterpretation"


def test_unusable_url_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="ONCODROP_DB"):
        Ledger.open("nosuchdb://x/y")


def test_in_memory_sqlite_works_for_quick_tools() -> None:
    with Ledger.open("sqlite://") as ledger:
        record, created = ledger.record_object("file:///b", "k", "e", 1, "somatic", "s", None)
        assert created and ledger.get(record.id) == record


def test_migrations_match_the_models(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()
    engine = create_engine(ledger_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
