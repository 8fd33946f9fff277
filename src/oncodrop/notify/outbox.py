"""The notifier loop: delivers the notifications waiting in the ledger's outbox, at least once.

The ledger writes a notification in the same transaction as the state change it announces;
this loop (one thread of ``oncodrop serve``) is the only thing that talks to targets, so a
hanging or failing target never holds up admission or a worker. Each round it claims up to
``concurrency`` due notifications (a claim, not a lock: two ``serve`` on one ledger never
deliver the same row at once), sends each to every target that does not have it yet, all
targets and notifications in parallel, notes each target that took it at once (a loop killed
while a slow target hangs must not resend to the others), then records the round in the ledger:

- every target took it (or refused it for good, HTTP 4xx: retrying cannot help) -> delivered;
- a target failed transiently (timeout, refused connection, 429, 5xx) -> retried after
  ``RetryPolicy.delay_s`` (exponential, capped, jittered; at least the target's
  ``Retry-After``), only to the targets that do not have it yet;
- ``policy.attempts`` rounds failed -> given up, with a warning in the log.

A loop that dies mid-round loses its claim when it times out and the row is delivered again:
receivers deduplicate by the notification's ``id`` (``notification_id`` in the webhook body,
the ``Idempotency-Key`` header). The presigned output link is made at delivery time, so it is
fresh however long the notification waited.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from oncodrop.domain.outbox import OutboxItem, OutboxOutcome
from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import OncodropError, TransientError
from oncodrop.notify.model import Notification, notification_for, reinterpretation_notification
from oncodrop.notify.target import Notifier
from oncodrop.retry import RetryPolicy

log = logging.getLogger(__name__)

LinkFor = Callable[[SampleRecord], str | None]


class Outbox(Protocol):
    """What the loop needs of the ledger (``oncodrop.ledger.Ledger`` has these methods)."""

    def claim_notifications(self, owner: str, *, limit: int, claim_s: float) -> list[OutboxItem]: ...

    def release_notifications(self, owner: str) -> int: ...

    def note_notification_targets(self, item_id: int, owner: str, done_targets: Iterable[str]) -> bool: ...

    def settle_notification(
        self, item_id: int, owner: str, *, outcome: OutboxOutcome, done_targets: Iterable[str],
        retry_in_s: float = 0.0, error: str | None = None,
    ) -> bool: ...  # fmt: skip


@dataclass(frozen=True, slots=True)
class TargetAttempt:
    """How one send to one target went: ``done`` (delivered or refused for good) or not."""

    target: str
    done: bool
    error: str | None = None
    retry_after_s: float | None = None


def attempt(notifier: Notifier, notification: Notification) -> TargetAttempt:
    """One send, never raising: transient trouble means "try again later"."""
    try:
        notifier.send(notification)
        return TargetAttempt(notifier.name, done=True)
    except TransientError as exc:
        return TargetAttempt(notifier.name, done=False, error=exc.message, retry_after_s=exc.retry_after_s)
    except OncodropError as exc:  # the target refuses us for good (4xx): retrying cannot help
        log.warning("notify %s refused notification %s of %s for good: %s",
                    notifier.name, notification.id, notification.key, exc.message)  # fmt: skip
        return TargetAttempt(notifier.name, done=True, error=exc.message)
    except Exception as exc:  # a bug in a target must not stop the loop; retried
        log.exception("notify %s: unexpected error sending notification %s", notifier.name, notification.id)
        return TargetAttempt(notifier.name, done=False, error=type(exc).__name__)


def round_outcome(
    item: OutboxItem, attempts: Sequence[TargetAttempt], policy: RetryPolicy
) -> tuple[OutboxOutcome, frozenset[str], float, str | None]:
    """The outcome of a delivery round: (outcome, targets done, retry delay, last error)."""
    done = item.done_targets | {a.target for a in attempts if a.done}
    failed = [a for a in attempts if not a.done]
    error = "; ".join(f"{a.target}: {a.error}" for a in attempts if a.error) or None
    if not failed:
        return OutboxOutcome.DELIVERED, done, 0.0, error
    round_number = item.attempts + 1
    if round_number >= policy.attempts:
        return OutboxOutcome.ABANDONED, done, 0.0, error
    asked = max((a.retry_after_s or 0.0 for a in failed), default=0.0)
    return OutboxOutcome.RETRY, done, policy.delay_s(round_number, asked or None), error


class _Send(threading.Thread):
    """One send in a daemon thread, so a target that hangs never blocks the process's exit."""

    def __init__(self, notifier: Notifier, notification: Notification,
                 on_done: Callable[[str], None] | None = None) -> None:  # fmt: skip
        super().__init__(name=f"notify-{notification.id}", daemon=True)
        self.notifier = notifier
        self.notification = notification
        self.on_done = on_done
        self.outcome = TargetAttempt(notifier.name, done=False, error="not sent")
        self.start()

    def run(self) -> None:
        self.outcome = attempt(self.notifier, self.notification)
        if self.outcome.done and self.on_done is not None:
            self.on_done(self.notifier.name)

    def result(self) -> TargetAttempt:
        self.join()  # bounded by the target's request timeout
        return self.outcome


class NotifierLoop:
    """Delivers outbox notifications to ``notifiers`` until stopped (see module docstring)."""

    def __init__(
        self,
        outbox: Outbox,
        notifiers: Sequence[Notifier],
        policy: RetryPolicy,
        *,
        link_for: LinkFor | None = None,
        concurrency: int = 4,
        timeout_s: float = 10.0,
        owner: str | None = None,
    ) -> None:
        self.outbox = outbox
        self.notifiers = tuple(notifiers)
        self.policy = policy
        self.link_for = link_for
        self.concurrency = concurrency
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:notifier"
        # a round lasts about one request timeout; the claim outlives it with a wide margin
        self.claim_s = 3 * timeout_s + 30

    def run_once(self) -> int:
        """One round: claim, deliver, record. Returns how many notifications it handled."""
        items = self.outbox.claim_notifications(self.owner, limit=self.concurrency, claim_s=self.claim_s)
        sends: list[tuple[OutboxItem, list[_Send]]] = []
        for item in items:
            notification = self._notification(item)
            todo = [n for n in self.notifiers if n.name not in item.done_targets]
            on_done = self._noter(item) if len(todo) > 1 else None
            sends.append((item, [_Send(n, notification, on_done) for n in todo]))
        for item, item_sends in sends:
            self._settle(item, [send.result() for send in item_sends])
        return len(items)

    def run(self, stop: threading.Event, poll_s: float = 1.0) -> None:
        """Deliver until ``stop`` is set; an idle or failing round waits ``poll_s``."""
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except TransientError as exc:  # the ledger is unreachable: nothing is lost, try later
                log.warning("notifier: outbox unavailable, will retry: %s", exc.message)
                busy = False
            if not busy:
                stop.wait(poll_s)

    def close(self) -> None:
        """Hand this loop's claims back (an unfinished send is delivered again, by the next
        ``serve`` at once) and close the clients. Sends still hanging are daemon threads: they
        never hold up the process's exit."""
        try:
            released = self.outbox.release_notifications(self.owner)
            if released:
                log.info("notifier: %d notification(s) left for the next start", released)
        except OncodropError as exc:  # the claims lapse on their own after claim_s
            log.warning("notifier: could not release claims: %s", exc.message)
        for notifier in self.notifiers:
            close = getattr(notifier, "close", None)
            if callable(close):
                close()

    def _noter(self, item: OutboxItem) -> Callable[[str], None]:
        """Records each target that took ``item`` as soon as it did, not when the round ends:
        the round waits for its slowest (maybe hanging) target, and a loop killed meanwhile
        would otherwise send the notice again to the targets that already have it."""
        done = set(item.done_targets)
        lock = threading.Lock()

        def note(target: str) -> None:
            with lock:  # one write at a time, each with all targets done so far
                done.add(target)
                try:
                    self.outbox.note_notification_targets(item.id, self.owner, done)
                except OncodropError as exc:  # the round's settle records it anyway
                    log.warning("notifier: could not note delivery of notification %d: %s", item.id, exc.message)

        return note

    def _notification(self, item: OutboxItem) -> Notification:
        if item.detail is not None:  # a re-interpretation notice: its link is the change report's
            target = replace(item.record, output_key=item.detail.get("output_key"))
            return reinterpretation_notification(item.record, item.detail, self._link(target), item.id)
        return notification_for(item.record, self._link(item.record), notification_id=item.id)

    def _link(self, record: SampleRecord) -> str | None:
        if self.link_for is None or record.output_key is None:
            return None
        try:
            return self.link_for(record)
        except OncodropError as exc:  # a notice without its link beats no notice
            log.warning("notifier: no output link for %s: %s", record.key, exc.message)
            return None

    def _settle(self, item: OutboxItem, attempts: Sequence[TargetAttempt]) -> None:
        outcome, done, delay_s, error = round_outcome(item, attempts, self.policy)
        if outcome is OutboxOutcome.ABANDONED:
            log.warning("notifier: giving up notification %d (%s of %s) after %d attempts: %s",
                        item.id, item.record.state.value, item.record.key, item.attempts + 1, error)  # fmt: skip
        elif outcome is OutboxOutcome.RETRY:
            log.info("notifier: notification %d of %s not delivered (%s); retry in %.1f s",
                     item.id, item.record.key, error, delay_s)  # fmt: skip
        if not self.outbox.settle_notification(item.id, self.owner, outcome=outcome, done_targets=done,
                                               retry_in_s=delay_s, error=error):  # fmt: skip
            log.warning("notifier: lost the claim of notification %d; another loop delivers it", item.id)
