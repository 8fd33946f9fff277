from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from oncodrop.ledger import Ledger

# Every `oncodrop serve` a test starts embeds the console; on its fixed default port, two serves
# (in one test, or tests of parallel sessions on one machine) collide: any free port instead.
os.environ.setdefault("ONCODROP_WEB__PORT", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TESTDATA = SHARED / "testdata"
REFERENCE = SHARED / "reference"


@pytest.fixture(scope="session")
def testdata() -> Path:
    """Real public test data (read-only), ``../shared/testdata`` from the repo root."""
    if not TESTDATA.is_dir():
        pytest.fail(f"shared test data not found at {TESTDATA}")
    return TESTDATA


@pytest.fixture(scope="session")
def reference() -> Path:
    return REFERENCE


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh SQLite ledger at ``tmp_path/ledger.db`` (folders with other needs override it)."""
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}") as opened:
        yield opened


from bundle_fixture import demo_bundle  # noqa: F401 - session fixture shared by all folders
from httpcapture import closed_port, http_capture, second_capture  # noqa: F401 - local HTTP capture
from moto_fixture import moto_endpoint  # noqa: F401 - one moto_server per session
from pg_fixture import pg_url, postgres  # noqa: F401 - a PostgreSQL server per module that asks
from waiting import TIMESCALE  # ONCODROP_TEST_TIMESCALE, see tests/waiting.py


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pytest-timeout's per-test limit (``timeout`` in pyproject.toml) grows with the time scale."""
    if TIMESCALE == 1 or not config.pluginmanager.hasplugin("timeout"):
        return
    import pytest_timeout

    base = pytest_timeout.get_env_settings(config).timeout
    if not base:
        return
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(base * TIMESCALE))
