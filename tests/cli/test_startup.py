"""CLI start-up: what ``oncodrop --help``, ``--version``, every command's ``--help`` and ``status``
import (behaviour, not time; the time is in benchmarks/cli_startup.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

import oncodrop
from oncodrop.cli import COMMANDS, load_all, main
from oncodrop.cli.common import SHOWN_DEFAULTS
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

SRC = Path(oncodrop.__file__).resolve().parents[1]

# Nothing of these for the command list or the version: they are what made --help cost 28×.
HEAVY = ("pydantic", "pydantic_core", "pydantic_settings", "sqlalchemy", "alembic", "numpy", "scipy",
         "pysam", "boto3", "botocore", "celery", "fastapi", "rich", "email", "asyncio", "importlib.metadata",
         "oncodrop.settings", "oncodrop.report", "oncodrop.ledger", "oncodrop.cli.common")  # fmt: skip


# What a command's --help may import of ours: the CLI and the standard-library-only modules its
# options are declared with (errors for ``cli.common``, the console roles for ``token``/``account``).
HELP_MAY_IMPORT = ("oncodrop", "oncodrop.__main__", "oncodrop.cli", "oncodrop.errors", "oncodrop.domain",
                   "oncodrop.domain.access")  # fmt: skip


def imported_modules(*args: str, cwd: Path, exit_code: int = 0, python_args: tuple[str, ...] = ("-m", "oncodrop"),
                     ) -> set[str]:  # fmt: skip
    """Every module ``python -X importtime -m oncodrop ARGS`` imported (importtime's stderr).

    (importtime also lists imports that failed, e.g. ``copy``'s of ``org.python.core``; a module
    ``importlib.import_module`` loads is not listed, only what it imports.)"""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-X", "importtime", *python_args, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == exit_code, done.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert python_args[-1] != "oncodrop" or "oncodrop.cli" in names  # the parse worked
    return names


def third_party(names: set[str]) -> set[str]:
    """The installed distributions' top-level packages among ``names`` (not the standard library,
    not oncodrop, not a failed import of something not installed)."""
    found = set()
    for top in {name.partition(".")[0] for name in names} - set(sys.stdlib_module_names) - {"oncodrop"}:
        spec = importlib.util.find_spec(top)
        if spec is not None and "site-packages" in str(spec.origin or spec.submodule_search_locations or ""):
            found.add(top)
    return found


def command_paths() -> list[tuple[str, ...]]:
    """Every command, a group's subcommands included: ("status",), ("config", "show"), …"""
    paths: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        paths.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    for name, command in load_all().items():
        walk(command, (name,))
    return sorted(paths)


def _heavy(names: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == h or n.startswith(f"{h}.") for h in heavy))


@pytest.mark.parametrize(("args", "exit_code"), [(("--help",), 0), (("--version",), 0), ((), 2)])
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...], exit_code: int, tmp_path: Path) -> None:
    """(Without a command, click prints the help and exits 2: a usage error.)"""
    assert _heavy(imported_modules(*args, cwd=tmp_path, exit_code=exit_code), HEAVY) == []


def test_every_commands_help_imports_click_and_the_cli_alone(tmp_path: Path) -> None:
    """Options are declared without the settings model (defaults are resolved when the command
    runs), so ``oncodrop status --help`` costs what ``oncodrop --help`` does, not pydantic,
    pydantic-settings and SQLAlchemy."""
    site = third_party(imported_modules(cwd=tmp_path, python_args=("-c", "pass")))  # e.g. _distutils_hack
    heavy = tuple(h for h in HEAVY if h != "oncodrop.cli.common")  # cli.common: click and errors only
    problems = {}
    for path in command_paths():
        names = imported_modules(*path, "--help", cwd=tmp_path)
        ours = sorted(n for n in names if n.startswith("oncodrop")
                      and n not in HELP_MAY_IMPORT and not n.startswith("oncodrop.cli."))  # fmt: skip
        if others := sorted(third_party(names) - site - {"click"}) + ours + _heavy(names, heavy):
            problems[" ".join(path)] = others
    assert problems == {}
    assert ("status",) in command_paths() and ("config", "show") in command_paths()  # the walk found them


def test_status_imports_the_ledger_but_not_migrations_reporter_web_or_cloud(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(db).close()
    names = imported_modules("status", "--db", db, cwd=tmp_path)
    assert "oncodrop.ledger" in names and "rich.table" in names
    assert _heavy(names, ("alembic", "numpy", "scipy", "pysam", "boto3", "botocore", "celery", "fastapi",
                          "starlette", "uvicorn", "jinja2", "httpx", "openpyxl", "xlsxwriter", "oncodrop.report",
                          "oncodrop.web", "oncodrop.execute", "oncodrop.service", "oncodrop.intake",
                          "oncodrop.refdata", "oncodrop.events", "oncodrop.notify", "oncodrop.demo",
                          "oncodrop.store.s3", "oncodrop.cli.report", "oncodrop.cli.web")) == []  # fmt: skip


def test_status_json_prints_no_table_so_imports_no_rich(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(db).close()
    names = imported_modules("status", "--db", db, "--json", cwd=tmp_path)
    assert "oncodrop.ledger" in names
    assert _heavy(names, ("rich", "alembic", "oncodrop.report", "oncodrop.web", "oncodrop.service")) == []


def test_status_json_imports_no_cloud_client(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(db).close()
    names = imported_modules("status", "--db", db, "--json", cwd=tmp_path)
    assert _heavy(names, ("boto3", "botocore", "oncodrop.store.s3")) == []


def test_every_default_an_options_help_shows_is_the_settings_models(tmp_path: Path) -> None:
    """The help carries a copy (``cli.common.default``) so that --help needs no pydantic."""
    load_all()
    assert {"refdata.builds", "refdata.name", "report.kind", "web.port"} <= set(SHOWN_DEFAULTS)
    for path, shown in SHOWN_DEFAULTS.items():
        model: type[BaseModel] = Settings
        *areas, field = path.split(".")
        for area in areas:
            model = model.model_fields[area].annotation  # type: ignore[assignment]
        value = model.model_fields[field].get_default(call_default_factory=True)
        if isinstance(value, bool):
            value = "on" if value else "off"
        elif isinstance(value, tuple):
            value = " ".join(value)
        assert shown == str(value), path


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
