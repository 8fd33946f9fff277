"""Session fixture ``demo_bundle``: the offline demo reference bundle, built once per run.

Import it into tests/conftest.py (``from bundle_fixture import demo_bundle  # noqa: F401``) so
every test folder can ask for ``demo_bundle: Path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.demo.bundle import build_demo_bundle


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a freshly built demo bundle (GRCh37, ``demo: true``); treat it as read-only."""
    return build_demo_bundle(tmp_path_factory.mktemp("bundle") / "oncodrop-demo")
