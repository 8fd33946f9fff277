"""Poller memory: which object versions were already handed over, kept in the ledger database
so a restarted poller never hands the same (key, etag) over twice.

``mark_seen`` is one ``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL, so two
pollers (two ``serve`` on one ledger) marking the same version at once never raise; the
loser simply learns it was known. Other databases fall back to insert-and-catch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from oncodrop.ledger.db import read_session, write_session
from oncodrop.ledger.models import SeenObjectRow

_UNIQUE = ["store_url", "object_key", "etag"]
_UPSERT_DIALECTS = ("sqlite", "postgresql")


def _upsert_insert(dialect: str) -> Callable[..., Any] | None:
    """The dialect's INSERT construct that understands ON CONFLICT DO NOTHING. Imported on use:
    the PostgreSQL dialect costs ~70 ms, which ``oncodrop status`` on SQLite need not pay."""
    if dialect not in _UPSERT_DIALECTS:
        return None
    module = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
    return module.insert  # type: ignore[no-any-return]


def mark_seen(engine: Engine, store_url: str, key: str, etag: str, now: datetime) -> bool:
    """Insert the object version unless known; True if it was new."""
    values = {"store_url": store_url, "object_key": key, "etag": etag, "seen_at": now}
    make_insert = _upsert_insert(engine.dialect.name)
    if make_insert is not None:
        statement = (
            make_insert(SeenObjectRow).values(**values).on_conflict_do_nothing(index_elements=_UNIQUE)
            .returning(SeenObjectRow.id)
        )  # fmt: skip
        with write_session(engine) as s:
            return s.execute(statement).first() is not None
    with write_session(engine) as s:  # pragma: no cover - only databases without ON CONFLICT
        try:
            with s.begin_nested():
                s.execute(insert(SeenObjectRow).values(**values))
        except IntegrityError:
            return False
        return True


def seen_objects(engine: Engine, store_url: str) -> frozenset[tuple[str, str]]:
    """All (key, etag) pairs handed over for ``store_url``."""
    query = select(SeenObjectRow.object_key, SeenObjectRow.etag).where(
        SeenObjectRow.store_url == store_url
    )
    with read_session(engine) as s:
        return frozenset((k, e) for k, e in s.execute(query))
