"""A throw-away PostgreSQL server on 127.0.0.1 for the tests (started once per module that
uses it, stopped by PID); ``pg_url`` gives each test a fresh, empty database on it.

Skipped where PostgreSQL binaries or the psycopg driver are missing (``HAVE_POSTGRES``).
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

BINARIES = {name: shutil.which(name) for name in ("initdb", "postgres")}
HAVE_POSTGRES = all(BINARIES.values()) and importlib.util.find_spec("psycopg") is not None


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
