"""Console access in the ledger: API tokens (SHA-256 of the secret at rest), local accounts
(scrypt password hashes) and the append-only audit log.

Tokens are ``odt_<token_id>_<secret>``: ``token_id`` finds the row, the secret's SHA-256 is
compared in constant time. The secret carries 256 random bits, so a fast hash is enough; a
password is chosen by a person, so it gets scrypt with a per-account salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Engine, select, update

from oncodrop.domain.access import Account, ApiToken, AuditAction, AuditEntry, Role
from oncodrop.errors import ConfigError
from oncodrop.ledger.db import read_session, write_session
from oncodrop.ledger.models import AccountRow, ApiTokenRow, AuditRow

TOKEN_PREFIX = "odt_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
LAST_USED_EVERY = timedelta(minutes=1)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(row.token_id, row.name, Role(row.role), row.created_at, row.expires_at, row.revoked_at,
                    row.last_used_at)  # fmt: skip


def create_token(engine: Engine, now: datetime, name: str, role: Role, expires_at: datetime | None) -> tuple[str, ApiToken]:
    """A new token: returns the full secret (shown once, never stored) and its record."""
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with write_session(engine) as s:
        row = ApiTokenRow(token_id=token_id, name=name, role=role.value, secret_sha256=_sha256(secret),
                          created_at=now, expires_at=expires_at)  # fmt: skip
        s.add(row)
        s.flush()
        return f"{TOKEN_PREFIX}{token_id}_{secret}", _token(row)


def check_token(engine: Engine, now: datetime, presented: str) -> ApiToken | None:
    """The token ``presented`` names if its secret matches and it is neither expired nor revoked.
    ``last_used_at`` is refreshed at most once a minute, so reads do not queue behind writers."""
    if not presented.startswith(TOKEN_PREFIX):
        return None
    token_id, _, secret = presented[len(TOKEN_PREFIX):].partition("_")
    if not token_id or not secret:
        return None
    with read_session(engine) as s:
        row = s.scalars(select(ApiTokenRow).where(ApiTokenRow.token_id == token_id)).one_or_none()
        if row is None or not hmac.compare_digest(row.secret_sha256, _sha256(secret)):
            return None
        token = _token(row)
    if not token.usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        with write_session(engine) as s:
            s.execute(update(ApiTokenRow).where(ApiTokenRow.token_id == token_id).values(last_used_at=now))
    return token


def revoke_token(engine: Engine, now: datetime, token_id: str) -> bool:
    """Revoke a token; False if there is no such token (revoking twice is fine)."""
    with write_session(engine) as s:
        result = s.execute(update(ApiTokenRow).where(ApiTokenRow.token_id == token_id,
                                                     ApiTokenRow.revoked_at.is_(None)).values(revoked_at=now))  # fmt: skip
        exists = s.scalars(select(ApiTokenRow.id).where(ApiTokenRow.token_id == token_id)).one_or_none()
        return bool(getattr(result, "rowcount", 0)) or exists is not None


def list_tokens(engine: Engine) -> list[ApiToken]:
    with read_session(engine) as s:
        return [_token(r) for r in s.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def set_account(engine: Engine, now: datetime, username: str, password: str, role: Role) -> Account:
    """Create the account or replace its password and role (re-enables a disabled one)."""
    if not username or len(username) > 128 or not username.isprintable():
        raise ConfigError(f"account name {username!r} must be 1-128 printable characters")
    if len(password) < 8:
        raise ConfigError("a console password needs at least 8 characters")
    with write_session(engine) as s:
        row = s.scalars(select(AccountRow).where(AccountRow.username == username)).one_or_none()
        if row is None:
            row = AccountRow(username=username, created_at=now, password_hash="", role=role.value)
            s.add(row)
        row.password_hash = hash_password(password)
        row.role = role.value
        row.disabled_at = None
        s.flush()
        return Account(row.username, Role(row.role), row.created_at, False)


def disable_account(engine: Engine, now: datetime, username: str) -> bool:
    with write_session(engine) as s:
        row = s.scalars(select(AccountRow).where(AccountRow.username == username)).one_or_none()
        if row is None:
            return False
        row.disabled_at = row.disabled_at or now
        return True


def check_password(engine: Engine, username: str, password: str) -> Account | None:
    """The account if the password matches and it is enabled. Unknown names cost the same
    scrypt as known ones, so timing does not tell which names exist."""
    with read_session(engine) as s:
        row = s.scalars(select(AccountRow).where(AccountRow.username == username)).one_or_none()
        stored = row.password_hash if row is not None else _dummy_hash()
        ok = verify_password(password, stored)
        if row is None or not ok or row.disabled_at is not None:
            return None
        return Account(row.username, Role(row.role), row.created_at, False)


def list_accounts(engine: Engine) -> list[Account]:
    with read_session(engine) as s:
        return [Account(r.username, Role(r.role), r.created_at, r.disabled_at is not None)
                for r in s.scalars(select(AccountRow).order_by(AccountRow.username))]  # fmt: skip


def audit(engine: Engine, now: datetime, actor: str, action: AuditAction, target: str, *,
          sample_pk: int | None = None, detail: str | None = None) -> None:  # fmt: skip
    with write_session(engine) as s:
        s.add(AuditRow(at=now, actor=actor, action=action.value, target=target, sample_pk=sample_pk, detail=detail))


def audit_entries(engine: Engine, *, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    """Newest first."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    with read_session(engine) as s:
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.target, r.sample_pk, r.detail) for r in s.scalars(query)]


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
