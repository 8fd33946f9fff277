"""``/metrics``: the notification backlog, and job durations counted once per attempt as the
ledger grows (the tally reads new transitions, not the whole history, on each scrape)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import Console
from fastapi.testclient import TestClient

from oncodrop.domain.access import Role
from oncodrop.domain.outbox import OutboxOutcome
from oncodrop.ledger import Ledger, access, outbox
from oncodrop.ledger.queries import RunMove
from oncodrop.settings import Settings
from oncodrop.web.app import create_app
from oncodrop.web.metrics import SETTLE, DurationTally

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def scrape(console: Console) -> dict[str, float]:
    text = console.client.get("/metrics", headers=console.as_role(Role.VIEWER)).text
    return {name: float(value) for name, value in (line.rsplit(" ", 1) for line in text.splitlines()
                                                    if line and not line.startswith("#"))}  # fmt: skip


def test_the_notification_backlog_counts_pending_outbox_rows_and_their_age(console: Console) -> None:
    got = scrape(console)
    assert got["oncodrop_notifications_pending"] == 0.0 and got["oncodrop_notification_backlog_age_seconds"] == 0.0
    console.succeed("nb-100001-somatic.tar.gz")  # each terminal state writes its notice
    console.dead("nb-100002-somatic.tar.gz")
    got = scrape(console)
    assert got["oncodrop_notifications_pending"] == 2.0
    assert got["oncodrop_notification_backlog_age_seconds"] >= 0.0
    engine, now = console.ledger.engine, console.ledger.now()
    first, second = outbox.claim(engine, now, "loop", 10, 60)
    assert outbox.settle(engine, now, first.id, "loop", outcome=OutboxOutcome.DELIVERED, done_targets=["slack"])
    assert outbox.settle(engine, now, second.id, "loop", outcome=OutboxOutcome.RETRY, done_targets=[], retry_in_s=60)
    got = scrape(console)
    assert got["oncodrop_notifications_pending"] == 1.0  # a retry waiting is still backlog


def test_each_scrape_adds_the_attempts_that_ended_since_and_counts_none_twice(console: Console) -> None:
    console.succeed("du-200001-somatic.tar.gz")
    got = scrape(console)
    assert got["oncodrop_job_duration_seconds_count"] == 1.0
    assert scrape(console)["oncodrop_job_duration_seconds_count"] == 1.0
    console.succeed("du-200002-somatic.tar.gz")
    console.dead("du-200003-somatic.tar.gz")
    got = scrape(console)
    assert got["oncodrop_job_duration_seconds_count"] == 3.0
    assert got['oncodrop_job_duration_seconds_bucket{le="+Inf"}'] == 3.0
    assert got['oncodrop_job_duration_seconds_bucket{le="3600.0"}'] == 3.0  # claimed and ended within the test


def _move(id_: int, pk: int, src: str | None, dst: str, at: datetime) -> RunMove:
    return RunMove(id_, pk, 1, src, dst, at)


def test_a_transition_committed_late_with_a_lower_id_is_still_counted() -> None:
    tally = DurationTally((10.0, 60.0))
    tally.fold([_move(1, 1, "QUEUED", "RUNNING", T0), _move(3, 2, "QUEUED", "RUNNING", T0)], T0)
    tally.fold([_move(4, 2, "RUNNING", "FAILED", T0 + timedelta(seconds=30))], T0 + timedelta(seconds=30))
    assert tally.floor == 0  # nothing settled yet: the next read starts from the beginning again
    # id 2 (sample 1 ends) commits after id 4; the next read sees everything above the floor
    again = [_move(1, 1, "QUEUED", "RUNNING", T0), _move(2, 1, "RUNNING", "SUCCEEDED", T0 + timedelta(seconds=5)),
             _move(3, 2, "QUEUED", "RUNNING", T0), _move(4, 2, "RUNNING", "FAILED", T0 + timedelta(seconds=30))]  # fmt: skip
    tally.fold(again, T0 + timedelta(seconds=40))
    assert (tally.count, tally.total, tally.le) == (2, 35.0, [1, 2])
    tally.fold(again, T0 + SETTLE + timedelta(minutes=1))  # read again once settled: still counted once
    assert (tally.count, tally.floor) == (2, 4)
    tally.fold([_move(5, 3, "QUEUED", "RUNNING", T0 + SETTLE), _move(6, 3, "RUNNING", "SUCCEEDED", T0 + SETTLE + timedelta(seconds=99))],
               T0 + SETTLE + timedelta(minutes=2))  # fmt: skip
    assert (tally.count, tally.le) == (3, [1, 2])  # 99 s: above every finite bound


def test_metrics_and_re_interpretations_read_the_same_on_postgres(pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "bucket").mkdir()
    settings = Settings.load(db=pg_url, store=(tmp_path / "bucket").as_uri())
    with Ledger.open(settings.db) as ledger:
        tokens = {role: access.create_token(ledger.engine, ledger.now(), f"t-{role.value}", role, None)[0]
                  for role in Role}  # fmt: skip
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            pg = Console(client, ledger, tmp_path / "bucket", tokens, settings)
            done = pg.succeed("pg-400001-somatic.tar.gz")
            pg.dead("pg-400002-somatic.tar.gz")
            got = scrape(pg)
            assert got["oncodrop_job_duration_seconds_count"] == 2.0 and got["oncodrop_notifications_pending"] == 2.0
            pg.succeed("pg-400003-somatic.tar.gz")
            assert scrape(pg)["oncodrop_job_duration_seconds_count"] == 3.0
            pg.reinterpreted(done, "2026.12")
            listed = client.get(f"/api/v1/samples/{done.id}/reinterpretations", headers=pg.as_role(Role.VIEWER))
            download = client.get(listed.json()[0]["download"], headers=pg.as_role(Role.VIEWER))
            assert download.status_code == 200 and download.content[:2] == b"\x1f\x8b"
