"""Poller memory: which object versions were already handed over, kept in the ledger database
so a restarted poller never hands the same (key, etag) over twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from oncodrop.ledger.db import read_session, write_session
from oncodrop.ledger.models import SeenObjectRow


def mark_seen(engine: Engine, store_url: str, key: str, etag: str, now: datetime) -> bool:
    """Insert the object version unless known; True if it was new."""
    with write_session(engine) as s:
        known = s.scalar(
            select(SeenObjectRow.id).where(
                SeenObjectRow.store_url == store_url,
                SeenObjectRow.object_key == key,
                SeenObjectRow.etag == etag,
            )
        )
        if known is not None:
            return False
        s.add(SeenObjectRow(store_url=store_url, object_key=key, etag=etag, seen_at=now))
        return True


def seen_objects(engine: Engine, store_url: str) -> frozenset[tuple[str, str]]:
    """All (key, etag) pairs handed over for ``store_url``."""
    query = select(SeenObjectRow.object_key, SeenObjectRow.etag).where(
        SeenObjectRow.store_url == store_url
    )
    with read_session(engine) as s:
        return frozenset((k, e) for k, e in s.execute(query))
