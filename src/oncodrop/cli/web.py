"""``oncodrop web | token | account``: the operators' console alone, its API tokens and its
local accounts. (``oncodrop serve`` embeds the console too; see ``cli.service``.)"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors, config_option, default, load_settings
from oncodrop.domain.access import Role

_config_option = config_option()
_db_option = click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB).")
_ROLES = click.Choice([r.value for r in Role])


def _ledger(config_file: Path | None, db: str | None):  # type: ignore[no-untyped-def]
    from oncodrop.ledger import Ledger

    settings = load_settings(config_file, db=db)
    with click_errors():
        ledger = Ledger.open(settings.db)
    return ledger


@main.command()
@_config_option
@_db_option
@click.option("--store", help="file:///DIR or s3://bucket[/prefix] (env ONCODROP_STORE).")
@click.option("--bundle", type=click.Path(file_okay=False, path_type=Path), help="Reference bundle (env ONCODROP_BUNDLE).")
@click.option("--bind", help="Listen address (env ONCODROP_WEB__BIND)" + default("web.bind", "127.0.0.1") + ".")
@click.option("--port", type=int, help="Port (env ONCODROP_WEB__PORT)" + default("web.port", "8765") + ".")
def web(config_file: Path | None, db: str | None, store: str | None, bundle: Path | None, bind: str | None,
        port: int | None) -> None:  # fmt: skip
    """Run the console alone (dashboard, API, webhooks, metrics), e.g. beside separate workers."""
    from oncodrop.web.server import run_foreground  # lazy: FastAPI/uvicorn come with the web extra

    settings = load_settings(config_file, db=db, store=store, bundle=bundle, web__bind=bind, web__port=port)
    click.echo(f"oncodrop console on {settings.web.bind}:{settings.web.port} (Ctrl-C to stop)", err=True)
    with click_errors():
        run_foreground(settings)


@main.group()
def token() -> None:
    """API tokens of the console (hashed at rest; the secret is shown once)."""


@token.command("create")
@_config_option
@_db_option
@click.option("--name", required=True, help="Who or what uses it (e.g. prometheus, lims).")
@click.option("--role", type=_ROLES, required=True, help="viewer, submitter or admin.")
@click.option("--expires-days", type=click.IntRange(min=1), default=90, show_default=True, help="Days it is valid.")
@click.option("--never-expires", is_flag=True, help="No expiry (prefer an expiry and rotation).")
def token_create(config_file: Path | None, db: str | None, name: str, role: str, expires_days: int,
                 never_expires: bool) -> None:  # fmt: skip
    """Create a token and print its secret (once; only its hash is kept)."""
    from oncodrop.ledger import access

    ledger = _ledger(config_file, db)
    try:
        now = ledger.now()
        expires = None if never_expires else now + timedelta(days=expires_days)
        secret, made = access.create_token(ledger.engine, now, name, Role(role), expires)
    finally:
        ledger.close()
    click.echo(secret)
    until = made.expires_at.isoformat(timespec="seconds") if made.expires_at else "never"
    click.echo(f"token {made.token_id} ({made.role.value}) for {name}, expires {until}; "
               "store the secret now: it cannot be shown again", err=True)  # fmt: skip


@token.command("list")
@_config_option
@_db_option
def token_list(config_file: Path | None, db: str | None) -> None:
    """Every token: id, name, role, expiry, revoked, last used (never the secret)."""
    from oncodrop.ledger import access

    ledger = _ledger(config_file, db)
    try:
        tokens = access.list_tokens(ledger.engine)
        now = ledger.now()
    finally:
        ledger.close()
    for t in tokens:
        state = "revoked" if t.revoked_at else ("active" if t.usable(now) else "expired")
        expires = t.expires_at.isoformat(timespec="seconds") if t.expires_at else "never"
        used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never"
        click.echo(f"{t.token_id}  {t.role.value:<9}  {state:<7}  expires {expires}  last used {used}  {t.name}")


@token.command("revoke")
@_config_option
@_db_option
@click.argument("token_id")
def token_revoke(config_file: Path | None, db: str | None, token_id: str) -> None:
    """Revoke a token at once (its id is the part after odt_ and before the next _)."""
    from oncodrop.ledger import access

    ledger = _ledger(config_file, db)
    try:
        found = access.revoke_token(ledger.engine, ledger.now(), token_id)
    finally:
        ledger.close()
    if not found:
        raise click.ClickException(f"no token {token_id}; `oncodrop token list` shows them")
    click.echo(f"revoked {token_id}")


@main.group()
def account() -> None:
    """Local console accounts (browser login of the embedded console)."""


@account.command("set")
@_config_option
@_db_option
@click.argument("username")
@click.option("--role", type=_ROLES, required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else prompt).")
def account_set(config_file: Path | None, db: str | None, username: str, role: str, password_stdin: bool) -> None:
    """Create an account, or change its password and role."""
    from oncodrop.ledger import access

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    ledger = _ledger(config_file, db)
    try:
        with click_errors():
            made = access.set_account(ledger.engine, ledger.now(), username, password, Role(role))
    finally:
        ledger.close()
    click.echo(f"account {made.username} ({made.role.value}) saved")


@account.command("disable")
@_config_option
@_db_option
@click.argument("username")
def account_disable(config_file: Path | None, db: str | None, username: str) -> None:
    """Stop an account from logging in (sessions already open end when they expire)."""
    from oncodrop.ledger import access

    ledger = _ledger(config_file, db)
    try:
        found = access.disable_account(ledger.engine, ledger.now(), username)
    finally:
        ledger.close()
    if not found:
        raise click.ClickException(f"no account {username}")
    click.echo(f"disabled {username}")


@account.command("list")
@_config_option
@_db_option
def account_list(config_file: Path | None, db: str | None) -> None:
    from oncodrop.ledger import access

    ledger = _ledger(config_file, db)
    try:
        for a in access.list_accounts(ledger.engine):
            click.echo(f"{a.username}  {a.role.value}{'  disabled' if a.disabled else ''}")
    finally:
        ledger.close()
