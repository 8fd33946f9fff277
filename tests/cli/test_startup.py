"""CLI start-up: what ``oncodrop --help``, ``--version`` and ``status`` import (behaviour, not time;
the time is in benchmarks/cli_startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import oncodrop
from oncodrop.cli import COMMANDS, load_all, main
from oncodrop.ledger import Ledger

SRC = Path(oncodrop.__file__).resolve().parents[1]

# Nothing of these for the command list or the version: they are what made --help cost 28×.
HEAVY = ("pydantic", "pydantic_core", "pydantic_settings", "sqlalchemy", "alembic", "numpy", "scipy",
         "pysam", "boto3", "botocore", "celery", "fastapi", "rich", "email", "asyncio", "importlib.metadata",
         "oncodrop.settings", "oncodrop.report", "oncodrop.ledger", "oncodrop.cli.common")  # fmt: skip


def imported_modules(*args: str, cwd: Path, exit_code: int = 0) -> set[str]:
    """Every module ``python -X importtime -m oncodrop ARGS`` imported (importtime's stderr)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "oncodrop", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == exit_code, done.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "oncodrop.cli" in names  # the parse worked
    return names


def _heavy(names: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == h or n.startswith(f"{h}.") for h in heavy))


@pytest.mark.parametrize(("args", "exit_code"), [(("--help",), 0), (("--version",), 0), ((), 2)])
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...], exit_code: int, tmp_path: Path) -> None:
    """(Without a command, click prints the help and exits 2: a usage error.)"""
    assert _heavy(imported_modules(*args, cwd=tmp_path, exit_code=exit_code), HEAVY) == []


def test_status_imports_the_ledger_but_not_migrations_reporter_web_or_cloud(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(db).close()
    names = imported_modules("status", "--db", db, cwd=tmp_path)
    assert "oncodrop.ledger" in names
    assert _heavy(names, ("alembic", "numpy", "scipy", "pysam", "boto3", "botocore", "celery", "fastapi",
                          "oncodrop.report", "oncodrop.web", "oncodrop.execute", "oncodrop.service")) == []  # fmt: skip


def test_the_command_list_names_every_command_with_its_own_short_help() -> None:
    commands = load_all()
    assert set(commands) == set(COMMANDS)
    for name, command in commands.items():
        assert command.get_short_help_str(1000) == COMMANDS[name].short_help, name
        assert command.callback is not None
        assert command.callback.__module__ == f"oncodrop.cli.{COMMANDS[name].module}", name


def test_help_lists_every_command_and_each_one_runs_its_own_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1]
    for name in COMMANDS:
        assert (f"  {name} " in listed) is not COMMANDS[name].hidden, name
        sub = CliRunner().invoke(main, [name, "--help"])
        assert sub.exit_code == 0, (name, sub.output)
        assert f"Usage: main {name}" in sub.output or f"Usage: oncodrop {name}" in sub.output


def test_an_unknown_command_is_a_usage_error_naming_it() -> None:
    result = CliRunner().invoke(main, ["statsu"])
    assert result.exit_code == 2
    assert "No such command 'statsu'" in result.output


def test_version_is_the_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output.strip() == f"oncodrop, version {oncodrop.__version__}"
    assert isinstance(main, click.Group)
    # pyproject.toml reads the version from the package: the installed metadata agrees
    from importlib.metadata import version

    assert version("oncodrop") == oncodrop.__version__
