"""Poll an object store and hand each new, *complete* object version over exactly once.

An object is handed to ``on_object`` when all of these hold:

1. its name is not hidden or temporary (``TEMP_MARKERS``: uploaders write there first);
2. its (key, etag) was never handed over before — remembered in the ledger, so a restarted
   poller does not repeat itself;
3. it is settled: this poller has seen its size, etag and modification time unchanged for at
   least ``settle_s`` (by its own clock, from the first listing that showed this exact state,
   and unchanged since the previous poll). A file still being copied into a folder, or
   appended in bursts, changes between polls and restarts the wait. The file's mtime alone is
   not trusted: a network file system's clock is not ours, and copy tools restore old mtimes.
   Object stores whose writes are atomic (S3) need no settling: the service passes
   ``settle_s=0`` there, and an object is handed over at first sight.

The callback (intake) decides what the object is; the poller only decides *when*. The object
is marked seen after the callback returns, so a crash in between hands it over again on
restart: delivery is at-least-once and intake is idempotent on (store, key, etag).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from oncodrop.errors import OncodropError, TransientError
from oncodrop.ledger import Ledger
from oncodrop.ledger.service import Clock, utcnow
from oncodrop.store.base import ObjectInfo, ObjectStore

log = logging.getLogger(__name__)

# A key is skipped if any path part starts with one of the prefixes or the name ends with one
# of the suffixes: partial uploads of rsync, curl, browsers, editors and our own LocalStore.
TEMP_MARKERS: dict[str, tuple[str, ...]] = {
    "prefixes": (".", "~$"),
    "suffixes": (".part", ".partial", ".tmp", ".temp", ".crdownload", ".filepart", "~"),
}

OnObject = Callable[[ObjectInfo], object]  # its result is ignored


def is_temporary(key: str) -> bool:
    """True for hidden or in-progress upload names, which are never handed over."""
    name = key.rsplit("/", 1)[-1]
    hidden = any(part.startswith(TEMP_MARKERS["prefixes"]) for part in key.split("/"))
    return hidden or name.lower().endswith(TEMP_MARKERS["suffixes"])


class Poller:
    """Lists ``store`` each poll and calls ``on_object`` for new, settled object versions."""

    def __init__(
        self,
        store: ObjectStore,
        ledger: Ledger,
        on_object: OnObject,
        *,
        prefix: str = "",
        settle_s: float = 5.0,
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.on_object = on_object
        self.prefix = prefix
        self.settle = timedelta(seconds=settle_s)
        self._clock = clock
        self._last: dict[str, ObjectInfo] = {}
        self._stable_since: dict[str, datetime] = {}  # key -> first listing showing its current state
        self._seen: set[tuple[str, str]] | None = None

    def poll_once(self) -> list[ObjectInfo]:
        """One listing; returns the objects handed over in this poll."""
        if self._seen is None:
            self._seen = set(self.ledger.seen_objects(self.store.url))
        now = self._clock()
        current = {o.key: o for o in self.store.list(self.prefix) if not is_temporary(o.key)}
        handed: list[ObjectInfo] = []
        for key, obj in current.items():
            if (key, obj.etag) in self._seen or not self._settled(obj, now):
                continue
            try:
                self.on_object(obj)
                self.ledger.mark_seen(self.store.url, key, obj.etag)
            except OncodropError as exc:  # e.g. ledger busy: try again next poll (admission is idempotent)
                log.warning("handing over %s failed, will retry: %s", key, type(exc).__name__)
                continue
            self._seen.add((key, obj.etag))
            handed.append(obj)
        self._last = current
        self._stable_since = {k: v for k, v in self._stable_since.items() if k in current}
        return handed

    def run(self, stop: threading.Event, interval_s: float = 2.0) -> None:
        """Poll every ``interval_s`` until ``stop`` is set; store/ledger hiccups only log."""
        while not stop.is_set():
            try:
                self.poll_once()
            except TransientError as exc:
                log.warning("poll of %s failed, will retry: %s", self.store.url, exc.message)
            stop.wait(interval_s)

    def _settled(self, obj: ObjectInfo, now: datetime) -> bool:
        """Unchanged since the previous listing and for ``settle_s`` in all (see module doc)."""
        previous = self._last.get(obj.key)
        changed = previous is not None and (previous.size, previous.etag, previous.modified) != (
            obj.size, obj.etag, obj.modified,
        )  # fmt: skip
        if changed or obj.key not in self._stable_since:
            self._stable_since[obj.key] = now
        return not changed and now - self._stable_since[obj.key] >= self.settle
