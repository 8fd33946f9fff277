"""Send runnable samples to a message-queue executor (Celery), and send them again when the
message was evidently lost.

Decision (documented in deploy/aws/README.md): dispatching is *not* a ledger state. The
dispatcher remembers in memory when it last sent each sample; the ledger lease taken by the
task (``Ledger.claim_specific``) is the exactly-once guard, so a duplicate message is harmless
(the second task finds the lease held or the sample finished and returns). A restarted ``serve``
therefore re-sends every runnable sample once, which costs a few no-op tasks and nothing else.

When a sample is due, as a rule table over (state, what happened since we last sent it):

==========================  ===================================================================
QUEUED, backing off         not yet (``not_before`` in the future)
QUEUED, never sent by us    now
QUEUED, changed since sent  now (a retry or a release put it back after our message ran)
QUEUED, sent long ago       now: nobody claimed it within ``redispatch_s``, the message is lost
RUNNING, lease live         never (a worker holds it)
RUNNING, lease expired      once after expiry (its worker died); again after ``redispatch_s``
==========================  ===================================================================
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import OncodropError
from oncodrop.ledger import Ledger

log = logging.getLogger(__name__)

Send = Callable[[int], None]  # hands one record id to the executor's queue


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def due_reason(record: SampleRecord, sent_at: datetime | None, now: datetime,
               redispatch_s: float) -> str | None:  # fmt: skip
    """Why ``record`` should be sent now (see the module's table), or ``None``."""
    if record.state is SampleState.QUEUED:
        if record.not_before is not None and _aware(record.not_before) > now:
            return None
        changed_at = _aware(record.updated_at)
    elif record.state is SampleState.RUNNING:
        if record.lease_expires_at is None or _aware(record.lease_expires_at) >= now:
            return None
        changed_at = _aware(record.lease_expires_at)
    else:
        return None
    if sent_at is None:
        return "new" if record.state is SampleState.QUEUED else "lease expired"
    if sent_at < changed_at:
        return "requeued" if record.state is SampleState.QUEUED else "lease expired"
    if now - sent_at > timedelta(seconds=redispatch_s):
        return "message lost"
    return None


def due(records: Iterable[SampleRecord], sent: dict[int, datetime], now: datetime,
        redispatch_s: float) -> list[tuple[SampleRecord, str]]:  # fmt: skip
    """Every record due for sending, oldest first, with the reason."""
    picked = []
    for record in sorted(records, key=lambda r: r.id):
        reason = due_reason(record, sent.get(record.id), now, redispatch_s)
        if reason is not None:
            picked.append((record, reason))
    return picked


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep sent, by reason (for logs and tests)."""

    sent: tuple[tuple[int, str], ...] = ()


class Sweeper:
    """Runs ``due`` over the ledger every ``interval_s`` and sends what it picks."""

    def __init__(self, ledger: Ledger, send: Send, *, redispatch_s: float,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:  # fmt: skip
        self.ledger = ledger
        self.send = send
        self.redispatch_s = redispatch_s
        self._clock = clock
        self._sent: dict[int, datetime] = {}

    def sweep_once(self) -> SweepResult:
        """One pass: read QUEUED and RUNNING samples, send the due ones, remember when."""
        records = [*self.ledger.list_samples(SampleState.QUEUED, limit=10_000),
                   *self.ledger.list_samples(SampleState.RUNNING, limit=10_000)]  # fmt: skip
        now = self._clock()
        live = {r.id for r in records}
        self._sent = {rid: at for rid, at in self._sent.items() if rid in live}  # forget finished
        sent: list[tuple[int, str]] = []
        for record, reason in due(records, self._sent, now, self.redispatch_s):
            self.send(record.id)
            self._sent[record.id] = now
            sent.append((record.id, reason))
            if reason != "new":
                log.info("re-dispatched sample #%d (%s)", record.id, reason)
        return SweepResult(tuple(sent))

    def run(self, stop: threading.Event, interval_s: float) -> None:
        """Sweep until ``stop``; a broker or ledger outage is logged and retried next pass."""
        while not stop.is_set():
            try:
                self.sweep_once()
            except OncodropError as exc:
                log.warning("dispatch sweep failed, will retry: %s", exc.message)
            except Exception as exc:  # noqa: BLE001 - kombu/redis errors: retry, never die
                log.warning("dispatch sweep failed (%s), will retry", type(exc).__name__)
            stop.wait(interval_s)
