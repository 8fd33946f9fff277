"""The poller over a real folder store and a real SQLite ledger."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from waiting import scaled

from oncodrop.errors import TransientError
from oncodrop.events.poller import Poller, is_temporary
from oncodrop.ledger import Ledger
from oncodrop.store.base import ObjectInfo
from oncodrop.store.local import LocalStore

KEY = "brca-000001-somatic.tar.gz"


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    (tmp_path / "bucket").mkdir()
    return LocalStore(tmp_path / "bucket")


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def drop(store: LocalStore, testdata: Path, key: str = KEY) -> Path:
    """Drop a real VCF into the bucket, backdated so it counts as settled."""
    path = store.root / key
    shutil.copyfile(testdata / "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz", path)
    old = (datetime.now(UTC) - timedelta(minutes=5)).timestamp()
    os.utime(path, (old, old))
    return path


def test_a_settled_object_is_handed_over_at_first_sight_and_never_twice(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    got: list[ObjectInfo] = []
    poller = Poller(store, ledger, got.append, settle_s=0)
    drop(store, testdata)  # backdated: untouched for longer than settle_s
    handed = poller.poll_once()
    assert [o.key for o in handed] == [KEY] and got == handed
    assert poller.poll_once() == []  # never twice


def test_a_growing_file_is_not_handed_over_until_it_stops_changing(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    got: list[ObjectInfo] = []
    poller = Poller(store, ledger, got.append, settle_s=0)
    path = drop(store, testdata)
    poller.poll_once()
    with open(path, "ab") as f:
        f.write(b"more bytes still arriving")
    assert poller.poll_once() == []
    assert [o.size for o in poller.poll_once()] == [path.stat().st_size]


def test_an_object_waits_until_this_poller_saw_it_unchanged_for_settle_s(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    drop(store, testdata)  # an old mtime: the file's own clock is not trusted
    now = [datetime(2026, 12, 1, 12, 0, tzinfo=UTC)]
    poller = Poller(store, ledger, lambda o: None, settle_s=30, clock=lambda: now[0])
    assert poller.poll_once() == []  # first sight starts the wait
    now[0] += timedelta(seconds=29)
    assert poller.poll_once() == []
    now[0] += timedelta(seconds=1)
    assert [o.key for o in poller.poll_once()] == [KEY]


def test_a_file_written_in_bursts_is_handed_over_once_after_the_last_burst(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    """Five bursts 4.5 s apart (the live finding): one hand-over, of the complete file."""
    got: list[ObjectInfo] = []
    now = [datetime(2026, 12, 1, 12, 0, tzinfo=UTC)]
    poller = Poller(store, ledger, got.append, settle_s=10, clock=lambda: now[0])
    path = store.root / KEY
    payload = (testdata / "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz").read_bytes()
    chunks = [payload[i::5] for i in range(5)]  # five slices, appended one per burst
    for chunk in chunks:
        with open(path, "ab") as f:
            f.write(chunk)
        for _ in range(3):  # polls every 1.5 s between bursts
            assert poller.poll_once() == []
            now[0] += timedelta(seconds=1.5)
    while not got and now[0] < datetime(2026, 12, 1, 12, 5, tzinfo=UTC):
        poller.poll_once()
        now[0] += timedelta(seconds=1.5)
    assert [(o.key, o.size) for o in got] == [(KEY, path.stat().st_size)]
    assert path.stat().st_size == sum(map(len, chunks))


def test_restarted_poller_does_not_hand_over_the_same_version_again(
    store: LocalStore, ledger_url: str, testdata: Path
) -> None:
    drop(store, testdata)
    with Ledger.open(ledger_url) as ledger:
        first = Poller(store, ledger, lambda o: None, settle_s=0)
        assert len(first.poll_once()) == 1
    with Ledger.open(ledger_url) as ledger:
        again = Poller(LocalStore(store.root), ledger, lambda o: None, settle_s=0)
        assert again.poll_once() == [] and again.poll_once() == []


def test_a_new_version_under_the_same_key_is_handed_over(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    poller = Poller(store, ledger, lambda o: None, settle_s=0)
    path = drop(store, testdata)
    first = poller.poll_once()
    path.write_bytes(b"a corrected upload")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert poller.poll_once() == []  # changed since the previous poll: wait for it to settle
    second = poller.poll_once()
    assert [o.key for o in second] == [KEY] and second[0].etag != first[0].etag


def test_hidden_and_partial_uploads_are_ignored(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    poller = Poller(store, ledger, lambda o: None, settle_s=0)
    drop(store, testdata, "brca-000002-somatic.tar.gz.part")
    drop(store, testdata, "brca-000003-somatic.tar.gz.crdownload")
    poller.poll_once()
    assert poller.poll_once() == []


def test_failed_handover_is_retried_at_the_next_poll(
    store: LocalStore, ledger: Ledger, testdata: Path
) -> None:
    calls: list[str] = []

    def flaky(obj: ObjectInfo) -> None:
        calls.append(obj.key)
        if len(calls) == 1:
            raise TransientError("ledger busy")

    poller = Poller(store, ledger, flaky, settle_s=0)
    drop(store, testdata)
    assert poller.poll_once() == []
    assert [o.key for o in poller.poll_once()] == [KEY]
    assert calls == [KEY, KEY]


def test_run_polls_until_stopped(store: LocalStore, ledger: Ledger, testdata: Path) -> None:
    drop(store, testdata)
    handed = threading.Event()
    stop = threading.Event()
    poller = Poller(store, ledger, lambda o: handed.set(), settle_s=0)
    thread = threading.Thread(target=poller.run, args=(stop, 0.05))
    thread.start()
    try:
        assert handed.wait(timeout=scaled(10))
    finally:
        stop.set()
        thread.join(timeout=scaled(10))
    assert not thread.is_alive()


@pytest.mark.parametrize(
    ("key", "temporary"),
    [
        ("a-000001-somatic.tar.gz", False),
        ("in/a-000001-somatic.tar.gz", False),
        (".a-000001-somatic.tar.gz.x1.part", True),
        ("a-000001-somatic.tar.gz.tmp", True),
        ("uploads/.staging/a-000001-somatic.tar.gz", True),
        ("a-000001-somatic.tar.gz~", True),
    ],
)
def test_temporary_name_rules(key: str, temporary: bool) -> None:
    assert is_temporary(key) is temporary
