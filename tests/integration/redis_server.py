"""Fixture ``redis_url``: a throw-away ``redis-server`` on 127.0.0.1 (no persistence), stopped
by its PID. Skips when the Debian package is missing (scripts/system-deps.sh installs it), but
fails in CI (``CI=true``), where a skipped broker test would hide a broken setup."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from waiting import require

from oncodrop.demo.servers import redis_server

REDIS = shutil.which("redis-server")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:PORT/0`` of a running redis-server."""
    require(REDIS is not None, "redis-server not installed (run scripts/system-deps.sh)")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
