"""What a new object in the store means: ignore it, reject it with a reason, or queue a sample.

This is the only place that turns an object key into ledger state, for every event source
(poller, SQS), so the same object version is never queued twice. Recording and classifying
happen in one ledger transaction (``Ledger.admit_object``), and a rejection's notification is
written into the ledger's outbox in that same transaction: admission never talks to a
notification target, so a hanging Slack cannot hold it up.

``drive_received`` is the safety net for RECEIVED rows that no transaction drove on (written
by an older version that recorded and classified in two steps and died in between): the
service runs it at start-up and periodically.
"""

from __future__ import annotations

import logging

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import ReasonCode, Rejection, StateConflict
from oncodrop.ledger import Ledger
from oncodrop.naming import Ignored, classify_key
from oncodrop.store.base import ObjectInfo

log = logging.getLogger(__name__)

SWEEP_BATCH = 1000  # RECEIVED rows driven on per sweep (the rest wait for the next)


def admit(obj: ObjectInfo, *, store_url: str, ledger: Ledger) -> SampleRecord | None:
    """Record ``obj`` in the ledger and queue or reject it; None when the key is ignored.

    Idempotent: a duplicate event for the same (store, key, etag) changes nothing and writes
    no second notification (a version left RECEIVED by a crash is driven on now).
    """
    decision = classify_key(obj.key)
    if isinstance(decision, Ignored):
        log.debug("ignoring %s: %s", obj.key, decision.reason)
        return None
    if isinstance(decision, Rejection):
        record, created = ledger.admit_object(
            store_url, obj.key, obj.etag, obj.size, "somatic", _fallback_id(obj.key), None,
            rejection=(decision.reason_code, decision.message),
        )  # fmt: skip
    else:
        record, created = ledger.admit_object(
            store_url, obj.key, obj.etag, obj.size, decision.kind, decision.sample_id, decision.output_key
        )
    if created:
        log.info("%s %s", "rejected" if record.state is SampleState.REJECTED else "queued", obj.key)
    return record


def verdict_for(key: str) -> tuple[ReasonCode, str] | None:
    """The rejection for a recorded key (code, message), or None when it may be queued."""
    decision = classify_key(key)
    if isinstance(decision, Rejection):
        return decision.reason_code, decision.message
    if isinstance(decision, Ignored):  # recorded under older naming rules: say why it stops here
        return ReasonCode.BAD_KEY, f"{key} is not a sample tarball ({decision.reason})"
    return None


def drive_received(ledger: Ledger) -> int:
    """Move every RECEIVED sample on to QUEUED or REJECTED; returns how many this call moved.

    Safe beside other processes doing the same: each move is a compare-and-set, and a lost
    race (someone else moved it first) is skipped.
    """
    moved = 0
    for record in ledger.list_samples(SampleState.RECEIVED, limit=SWEEP_BATCH):
        verdict = verdict_for(record.key)
        try:
            if verdict is None:
                ledger.queue(record.id, actor="sweep")
            else:
                ledger.reject(record.id, verdict[0], verdict[1], actor="sweep")
        except StateConflict:
            continue
        moved += 1
        log.info("sweep: %s was left RECEIVED; now %s", record.key, "REJECTED" if verdict else "QUEUED")
    return moved


def _fallback_id(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name.split(".", 1)[0] or name
