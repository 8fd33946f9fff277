"""A throw-away PostgreSQL server on 127.0.0.1 for the tests (started once per module that
uses it, stopped by PID); ``pg_url`` gives each test a fresh, empty database on it.

Skipped where PostgreSQL binaries or the psycopg driver are missing, and a failure in CI
(``CI=true``): a missing server must never pass silently there.
"""

from __future__ import annotations

import importlib.util
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
from sqlalchemy import create_engine, text
from waiting import require, scaled


def _pg_binary(name: str) -> str | None:
    """``name`` on PATH, else in the newest Debian ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                      if p.parent.name.isdigit() else 0)  # fmt: skip
    return next((str(p / name) for p in reversed(versions) if (p / name).is_file()), None)


BINARIES = {name: _pg_binary(name) for name in ("initdb", "postgres")}
PSYCOPG = importlib.util.find_spec("psycopg") is not None
HAVE_POSTGRES = all(BINARIES.values()) and PSYCOPG


def require_postgres() -> None:
    """Skip (fail in CI) unless a PostgreSQL server can be started and reached here."""
    require(all(BINARIES.values()), "PostgreSQL binaries (initdb, postgres) not found")
    require(PSYCOPG, "the psycopg driver is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL cluster; yields an admin URL. Runs as ``postgres`` under root."""
    require_postgres()
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
        timeout=scaled(120),
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
    deadline = time.monotonic() + scaled(30)
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
