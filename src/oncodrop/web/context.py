"""What every route of the console shares: settings, the ledger and its console views, the
store, the session signer. Built once per app; the routes reach it through ``console(request)``."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import HTTPConnection

from oncodrop.domain.access import AuditAction
from oncodrop.events.admission import admit
from oncodrop.events.poller import Poller
from oncodrop.ledger import Ledger
from oncodrop.ledger import access as ledger_access
from oncodrop.settings import Settings
from oncodrop.store import ObjectStore, open_store


@dataclass
class Console:
    """The console's state; one per app (and so per process)."""

    settings: Settings
    ledger: Ledger
    session_secret: str = ""
    _store: ObjectStore | None = None
    stopping: threading.Event = field(default_factory=threading.Event)  # ends live streams on shutdown
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        given = self.settings.web.session_secret
        # unset: a random key per process, so a restart logs everyone out (fine when embedded)
        self.session_secret = given.get_secret_value() if given is not None else secrets.token_urlsafe(32)

    @property
    def store(self) -> ObjectStore:
        """The store of the service's settings, opened on first use."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings.store, self.settings.aws)
            return self._store

    def rescan(self) -> int:
        """List the store once now and admit what is new (what a webhook's ``rescan`` asks);
        returns how many objects were handed over. The service's own poller stays as it is.

        A rescan is the uploader saying its uploads are complete, so objects are handed over
        at first sight (no settling); admission stays idempotent if the poller sees them too.
        """
        store = self.store
        poller = Poller(store, self.ledger, lambda obj: admit(obj, store_url=store.url, ledger=self.ledger),
                        settle_s=0.0)  # fmt: skip
        return len(poller.poll_once())

    def now(self) -> datetime:
        return self.ledger.now()

    def audit(self, actor: str, action: AuditAction, target: str, *, sample_pk: int | None = None,
              detail: str | None = None) -> None:  # fmt: skip
        ledger_access.audit(self.ledger.engine, self.now(), actor, action, target, sample_pk=sample_pk, detail=detail)


def console(conn: HTTPConnection) -> Console:
    found: Console = conn.app.state.console
    return found
