from __future__ import annotations

from pathlib import Path

import pytest

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


from bundle_fixture import demo_bundle  # noqa: F401 - session fixture shared by all folders
from httpcapture import closed_port, http_capture, second_capture  # noqa: F401 - local HTTP capture
from moto_fixture import moto_endpoint  # noqa: F401 - one moto_server per session
