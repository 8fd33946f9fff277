"""``oncodrop token`` and ``oncodrop account``: the secret is printed once and works against the
API; list never shows it; revoke takes effect at once; a short password is refused."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from oncodrop.cli import main
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.web.app import create_app


def test_token_create_list_revoke_round_trip(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("ONCODROP_DB", raising=False)
    db = f"sqlite:///{tmp_path / 'l.db'}"
    runner = CliRunner()
    made = runner.invoke(main, ["token", "create", "--db", db, "--name", "prometheus", "--role", "viewer"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[0]
    token_id = secret.split("_")[1]
    listed = runner.invoke(main, ["token", "list", "--db", db]).output
    assert token_id in listed and "viewer" in listed and "active" in listed and secret.split("_", 2)[2] not in listed

    settings = Settings.load(db=db, store=tmp_path.as_uri())
    with Ledger.open(db) as ledger, TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
        auth = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/whoami", headers=auth).json() == {"name": f"token:{token_id}", "role": "viewer"}
        assert runner.invoke(main, ["token", "revoke", "--db", db, token_id]).exit_code == 0
        assert client.get("/api/v1/whoami", headers=auth).status_code == 401
    assert "revoked" in runner.invoke(main, ["token", "list", "--db", db]).output
    assert runner.invoke(main, ["token", "revoke", "--db", db, "nosuch"]).exit_code != 0


def test_account_set_checks_the_password_and_disable_stops_logins(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    runner = CliRunner()
    short = runner.invoke(main, ["account", "set", "ann", "--role", "admin", "--password-stdin", "--db", db], input="short\n")
    assert short.exit_code != 0 and "8 characters" in short.output
    ok = runner.invoke(main, ["account", "set", "ann", "--role", "admin", "--password-stdin", "--db", db],
                       input="long enough pw\n")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    with Ledger.open(db) as ledger:
        assert access.check_password(ledger.engine, "ann", "long enough pw") is not None
        assert runner.invoke(main, ["account", "disable", "ann", "--db", db]).exit_code == 0
        assert access.check_password(ledger.engine, "ann", "long enough pw") is None
