"""What a new object in the store means: ignore it, reject it with a reason, or queue a sample.

This is the only place that turns an object key into ledger state, for every event source
(poller today; S3 events, webhooks later), so the same object version is never queued twice.
"""

from __future__ import annotations

import logging

from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import Rejection
from oncodrop.ledger import Ledger
from oncodrop.naming import Ignored, classify_key
from oncodrop.notify import Fanout, notification_for
from oncodrop.store.base import ObjectInfo

log = logging.getLogger(__name__)


def admit(obj: ObjectInfo, *, store_url: str, ledger: Ledger, notify: Fanout | None = None) -> SampleRecord | None:
    """Record ``obj`` in the ledger and queue or reject it; None when the key is ignored.

    Idempotent: a duplicate event for the same (store, key, etag) changes nothing and
    notifies nobody.
    """
    decision = classify_key(obj.key)
    if isinstance(decision, Ignored):
        log.debug("ignoring %s: %s", obj.key, decision.reason)
        return None
    if isinstance(decision, Rejection):
        record, created = ledger.record_object(
            store_url, obj.key, obj.etag, obj.size, kind="somatic", sample_id=_fallback_id(obj.key), output_key=None
        )
        if not created:
            return record
        record = ledger.reject(record.id, decision.reason_code, decision.message, actor="intake")
        log.info("rejected %s: %s", obj.key, decision.reason_code)
        _send(notify, record)
        return record
    record, created = ledger.record_object(
        store_url, obj.key, obj.etag, obj.size, kind=decision.kind, sample_id=decision.sample_id,
        output_key=decision.output_key,
    )  # fmt: skip
    if created and record.state is SampleState.RECEIVED:
        record = ledger.queue(record.id)
        log.info("queued %s", obj.key)
    return record


def _fallback_id(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name.split(".", 1)[0] or name


def _send(notify: Fanout | None, record: SampleRecord) -> None:
    if notify is not None:
        notify.send(notification_for(record))
