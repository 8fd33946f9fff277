"""SQLAlchemy tables of the ledger (typed ``Mapped`` models). Only the ledger package sees them;
callers get frozen ``SampleRecord`` / ``HistoryEntry`` values instead.

Timestamps are stored as naive UTC (portable across SQLite and PostgreSQL) and come back as
timezone-aware UTC through :class:`UTCDateTime`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, return aware UTC: one clock convention whatever the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("ledger timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class SampleRow(Base):
    """One input object version (store, key, etag) and where its processing stands."""

    __tablename__ = "samples"
    __table_args__ = (
        UniqueConstraint("store_url", "object_key", "etag", name="uq_samples_object"),
        Index("ix_samples_state_not_before", "state", "not_before"),
        Index("ix_samples_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_url: Mapped[str] = mapped_column(String(1024))
    object_key: Mapped[str] = mapped_column(String(1024))
    etag: Mapped[str] = mapped_column(String(256))
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    sample_id: Mapped[str] = mapped_column(String(256))
    output_key: Mapped[str | None] = mapped_column(String(1024))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    run: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(256))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    headline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TransitionRow(Base):
    """Audit trail: one row per state change, never updated or deleted."""

    __tablename__ = "sample_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sample_pk: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    run: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(256))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)


class SeenObjectRow(Base):
    """Object versions a poller has already handed over, so a restart never repeats them."""

    __tablename__ = "seen_objects"
    __table_args__ = (
        UniqueConstraint("store_url", "object_key", "etag", name="uq_seen_objects_object"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_url: Mapped[str] = mapped_column(String(1024))
    object_key: Mapped[str] = mapped_column(String(1024))
    etag: Mapped[str] = mapped_column(String(256))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    """An API token of the console: only its SHA-256 is kept; ``token_id`` is the public part
    the token starts with, used to find the row."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_id", name="uq_api_tokens_token_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountRow(Base):
    """A local console account (embedded mode): a scrypt password hash and one role."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("username", name="uq_accounts_username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(512))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditRow(Base):
    """Who downloaded, re-ran or uploaded what, and when: appended, never updated."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(256))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(1024))
    sample_pk: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    """A notification written with the state change it announces; the notifier loop delivers it.

    ``sample`` is the sample's record as JSON at that moment. A row is pending while
    ``finished_at`` is NULL; ``claimed_by`` / ``claimed_until`` let one notifier loop of several
    (two ``serve`` on one ledger) deliver it at a time; ``done_targets`` lists the targets that
    already have it.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_outbox_pending", "finished_at", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sample_pk: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    event_state: Mapped[str] = mapped_column(String(16))
    sample: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    claimed_by: Mapped[str | None] = mapped_column(String(256))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a re-interpretation notice


class BundleVersionRow(Base):
    """A reference bundle the service knows (``oncodrop refdata install``); one is current."""

    __tablename__ = "bundle_versions"
    __table_args__ = (UniqueConstraint("version", name="uq_bundle_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256))
    version: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(1024))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InterpretationRow(Base):
    """Where a sample's interpretation input for one bundle version is kept: the original
    output (``origin`` output) or a re-interpretation output."""

    __tablename__ = "interpretations"
    __table_args__ = (UniqueConstraint("sample_pk", "bundle_version", name="uq_interpretations_sample_bundle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sample_pk: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    bundle_version: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(16))  # output | reinterpretation
    location: Mapped[str] = mapped_column(String(1024))  # object key of the tarball holding it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReinterpretationRow(Base):
    """One re-interpretation job, exactly one per (sample, bundle version): queued, leased by one
    runner at a time (same lease rule as samples), then done (with its changes) or dead."""

    __tablename__ = "reinterpretations"
    __table_args__ = (
        UniqueConstraint("sample_pk", "bundle_version", name="uq_reinterpretations_sample_bundle"),
        Index("ix_reinterpretations_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sample_pk: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    bundle_version: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))  # QUEUED | RUNNING | DONE | DEAD
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(256))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    baseline_version: Mapped[str | None] = mapped_column(String(128))
    output_key: Mapped[str | None] = mapped_column(String(1024))  # None: nothing changed
    changes: Mapped[int] = mapped_column(Integer, default=0)
    meaningful: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
