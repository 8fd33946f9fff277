"""The database edge of the ledger: engine setup, schema migrations, error translation.

SQLite (the embedded default) is tuned for several worker processes on one machine: WAL so
readers never block the writer, a ``busy_timeout`` so writers queue instead of failing, and
``BEGIN IMMEDIATE`` for write transactions so a read-then-write never dies with
``SQLITE_BUSY`` half-way. Any other SQLAlchemy URL (PostgreSQL for many machines) works with
the same portable SQL; there, the compare-and-set ``UPDATE`` alone settles races.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from oncodrop.errors import ConfigError, TransientError

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE = "oncodrop_write"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_ledger_engine(url: str) -> Engine:
    """An engine for ``url``; ``ConfigError`` if the URL or its driver is unusable."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            in_memory = parsed.database in (None, "", ":memory:")
            kwargs: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
            engine = create_engine(
                parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"ledger URL {url!r} is not usable ({exc}); set ONCODROP_DB (--db) to e.g. "
            "sqlite:////var/lib/oncodrop/ledger.db or postgresql+psycopg://user@host/db"
        ) from exc


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///PATH`` URL (None for other URLs and in-memory)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision shipped in this package.

    Runs inside one write transaction, so on SQLite concurrent openers serialise and the
    later ones find the schema already current.
    """
    # lazy: Alembic (with mako and pygments) is for the commands that migrate; CLI start-up
    # of readers such as ``oncodrop status`` does without it
    from alembic import command
    from alembic.config import Config

    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # "setup plugin …" ×7: noise
    script_dir = resources.files("oncodrop.ledger") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(script_dir))
    with translate_errors(), engine.connect() as plain:
        conn = plain.execution_options(**{_WRITE: True})
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


@contextmanager
def translate_errors() -> Iterator[None]:
    """Database trouble (locked, gone, timed out) becomes ``TransientError`` right here."""
    try:
        yield
    except DBAPIError as exc:
        raise TransientError(
            f"ledger database error: {type(exc.orig).__name__}: {exc.orig}"
        ) from exc


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success."""
    writer = engine.execution_options(**{_WRITE: True})
    with translate_errors(), Session(writer) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """One read-only snapshot."""
    with translate_errors(), Session(engine) as session, session.begin():
        yield session
