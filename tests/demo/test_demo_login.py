"""The demo's last lines: the console URL and a one-time login that really opens the console on
the demo's ledger (a fresh password each run; the old one stops working)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rich.console import Console

from oncodrop.cli import main
from oncodrop.demo.login import DEMO_USER, console_login, print_console_login
from oncodrop.ledger import Ledger
from oncodrop.web.app import create_app


def _log_in(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    return client.post("/login", data={"username": username, "password": password, "csrf": token, "next": "/"},
                       follow_redirects=False).status_code  # fmt: skip


def test_the_printed_command_and_login_open_the_demo_ledger_in_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ONCODROP_WEB__PORT", "ONCODROP_WEB__BIND", "ONCODROP_DB", "ONCODROP_STORE", "ONCODROP_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "demo-work"
    (root / "bucket").mkdir(parents=True)
    (root / "bundle").mkdir()
    Ledger.open(f"sqlite:///{root / 'oncodrop.db'}").close()  # as the demo leaves it

    first = console_login(root)
    second = console_login(root)  # a second demo run in the same workdir
    assert first.url == "http://127.0.0.1:8765/login" and second.username == DEMO_USER
    assert first.password != second.password and len(second.password) >= 12

    # the printed command is `oncodrop web` with the demo's ledger, bucket and bundle
    argv = shlex.split(second.command)
    web_args = argv[argv.index("web") + 1:]
    assert dict(zip(web_args[::2], web_args[1::2], strict=True)) == {
        "--db": f"sqlite:///{root / 'oncodrop.db'}", "--store": (root / "bucket").as_uri(), "--bundle": str(root / "bundle"),
    }  # fmt: skip
    assert CliRunner().invoke(main, ["web", *web_args, "--help"]).exit_code == 0  # options the command knows

    from oncodrop.cli.common import load_settings

    settings = load_settings(None, configure_logs=False, db=web_args[1], store=web_args[3], bundle=Path(web_args[5]))
    with Ledger.open(settings.db) as ledger, TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
        assert _log_in(client, DEMO_USER, first.password) == 401  # the earlier run's password is gone
        assert _log_in(client, DEMO_USER, second.password) == 303
        assert client.get("/api/v1/samples").status_code == 200

    out = Console(record=True, width=100)
    print_console_login(out, second)
    text = out.export_text()
    assert second.url in text and second.password in text and "shown this once" in text
