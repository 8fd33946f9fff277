"""``oncodrop demo --cloud --executor celery`` without redis-server: refused at once, before the
bundle, the samples and moto_server are set up (it used to take 40 s to find out)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oncodrop.cli import main


def test_celery_demo_without_redis_server_stops_before_any_set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-binaries"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no redis-server to be found
    workdir = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--cloud", "--executor", "celery", "--workdir", str(workdir)])
    assert result.exit_code == 1
    assert "--executor celery needs redis-server (apt-get install redis-server)" in result.output
    assert not workdir.exists()  # nothing built, nothing started
