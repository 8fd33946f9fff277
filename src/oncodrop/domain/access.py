"""Who may use the console and what they did: roles, tokens, accounts, audit entries.

Values only (no I/O): the ledger stores them, the console checks them. Roles are ordered; a
role may do everything the roles below it may (``viewer`` < ``submitter`` < ``admin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """A console role, weakest first."""

    VIEWER = "viewer"  # list samples, read history, download outputs and reports
    SUBMITTER = "submitter"  # + upload tarballs, re-run finished samples
    ADMIN = "admin"  # + the audit log, tokens and accounts

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class AuditAction(StrEnum):
    """What the audit log records."""

    DOWNLOAD = "download"
    RERUN = "rerun"
    UPLOAD = "upload"
    RESCAN = "rescan"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as stored (the secret itself is never kept, only its hash)."""

    token_id: str
    name: str
    role: Role
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class Account:
    """A local console account (the password hash stays in the ledger)."""

    username: str
    role: Role
    created_at: datetime
    disabled: bool


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    sample_pk: int | None
    detail: str | None
