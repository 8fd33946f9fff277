from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from local_server import FileServer, serve


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[FileServer]:
    """A local HTTP server over ``tmp_path/www``, stopped after the test."""
    root = tmp_path / "www"
    root.mkdir()
    with serve(root) as state:
        yield state
