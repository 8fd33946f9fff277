"""Admission: one transaction per object, and the sweep that leaves no sample RECEIVED."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncodrop.domain.state import SampleState
from oncodrop.events.admission import admit, drive_received
from oncodrop.ledger import Ledger
from oncodrop.store.base import ObjectInfo

S = SampleState
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _obj(key: str, etag: str = "e1") -> ObjectInfo:
    return ObjectInfo(key=key, size=10, etag=etag, modified=NOW)


def test_a_good_key_is_queued_and_a_bad_one_rejected_with_its_notice(ledger: Ledger) -> None:
    good = admit(_obj("b-a1b2c3-somatic.tar.gz"), store_url="file:///b", ledger=ledger)
    bad = admit(_obj("no-id-here.tar.gz"), store_url="file:///b", ledger=ledger)
    assert good is not None and bad is not None
    assert (good.state, bad.state, bad.reason_code) == (S.QUEUED, S.REJECTED, "bad_key")
    assert [item.record.id for item, _ in ledger.notifications()] == [bad.id]
    assert admit(_obj("notes.txt"), store_url="file:///b", ledger=ledger) is None  # ignored


def test_a_repeated_event_changes_nothing(ledger: Ledger) -> None:
    for _ in range(3):
        admit(_obj("no-id-here.tar.gz"), store_url="file:///b", ledger=ledger)
        admit(_obj("b-a1b2c3-somatic.tar.gz"), store_url="file:///b", ledger=ledger)
    assert len(ledger.list_samples()) == 2 and len(ledger.notifications()) == 1


def test_the_sweep_drives_every_received_row_on(tmp_path: Path) -> None:
    """Rows an older two-step admission left RECEIVED when it died in between."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url) as ledger:
        good, _ = ledger.record_object("file:///b", "b-a1b2c3-somatic.tar.gz", "e1", 10, "somatic", "b-a1b2c3",
                                       "b-a1b2c3-somatic-output.tar.gz")  # fmt: skip
        bad, _ = ledger.record_object("file:///b", "no-id-here.tar.gz", "e2", 10, "somatic", "no-id-here", None)
    with Ledger.open(url) as ledger:  # a restarted service
        assert drive_received(ledger) == 2
        assert drive_received(ledger) == 0
        assert ledger.get(good.id).state is S.QUEUED  # type: ignore[union-attr]
        rejected = ledger.get(bad.id)
        assert rejected is not None and (rejected.state, rejected.reason_code) == (S.REJECTED, "bad_key")
        assert [h.actor for h in ledger.history(good.id)][-1] == "sweep"
        assert [item.record.id for item, _ in ledger.notifications()] == [bad.id]
