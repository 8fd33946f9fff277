"""The demo's last lines: how to look at its samples in the console, with a login made for it.

The demo's ledger gets a local admin account ``demo`` with a fresh random password on every
run (the ledger keeps only its hash, so it is shown this once); the command printed starts the
console on that ledger, its bucket and its bundle.
"""

from __future__ import annotations

import importlib.util
import secrets
import shlex
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from oncodrop.domain.access import Role
from oncodrop.ledger import Ledger
from oncodrop.ledger.access import set_account
from oncodrop.settings import Settings

DEMO_USER = "demo"


@dataclass(frozen=True, slots=True)
class ConsoleLogin:
    """Where the console will listen, the command that starts it, and the account to log in as."""

    url: str
    command: str
    username: str
    password: str


def console_login(root: Path) -> ConsoleLogin:
    """Give the demo ledger under ``root`` a ``demo`` admin with a new password; say how to log in."""
    password = secrets.token_urlsafe(12)
    db = f"sqlite:///{root / 'oncodrop.db'}"
    with Ledger.open(db, migrate_schema=False, create=False) as ledger:
        set_account(ledger.engine, datetime.now(UTC), DEMO_USER, password, Role.ADMIN)
    web = Settings.load(None).web  # as `oncodrop web` will read it (ONCODROP_WEB__PORT, …)
    program = "oncodrop" if Path(sys.argv[0]).name == "oncodrop" else f"{sys.executable} -m oncodrop"
    command = shlex.join([*program.split(), "web", "--db", db, "--store", (root / "bucket").as_uri(),
                          "--bundle", str(root / "bundle")])  # fmt: skip
    return ConsoleLogin(f"http://{web.bind}:{web.port}/login", command, DEMO_USER, password)


def print_console_login(console: Console, login: ConsoleLogin) -> None:
    console.print()
    console.print("See the samples in the console (dashboard, reports, re-runs):", style="bold")
    console.print(f"  {login.command}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"  then open {login.url} and log in as {login.username} with the password "
                  f"{login.password}", markup=False, highlight=False, soft_wrap=True)  # fmt: skip
    console.print("  (shown this once: the ledger keeps only its hash; the next demo run makes a new one)",
                  style="dim")  # fmt: skip
    if importlib.util.find_spec("fastapi") is None:
        console.print("  the console needs the web extra: pip install 'oncodrop[web]'", markup=False)
