"""Never lose a sample (issue 10, part A), with real ``oncodrop serve`` processes, the real
reporter, real SQLite / PostgreSQL ledgers and HTTP targets on 127.0.0.1:

- a notification target that hangs and one that answers 500 delay no admission and no job,
  and every notification reaches the healthy target exactly once;
- an upload written in bursts is admitted once, complete;
- a sample left RECEIVED in the ledger is driven on when ``serve`` starts;
- two ``serve`` on one ledger (SQLite, PostgreSQL) run each sample once and notify once.

Every wait is for a positive event with a generous bound; nothing asserts wall time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from httpcapture import CaptureServer

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.errors import TransientError
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger

pytestmark = pytest.mark.integration

WAIT_S = 240  # generous: the suite must hold on a busy 2-core machine


def _small_sample(tmp: Path, name: str, n: int = 30) -> Path:
    """A tiny somatic tarball on the demo bundle's build (the reporter runs in seconds)."""
    folder = tmp / f"src-{name}"
    folder.mkdir()
    csq = Consequence(gene="GENE1", terms=("intron_variant",), impact="MODIFIER", source="VEP")
    variants = [Variant("1", 1_000_000 + 1000 * i, "A", "G", depth=100, alt_depth=30, vaf=0.3, consequence=csq)
                for i in range(n)]  # fmt: skip
    vcf = write_synthetic_vcf(folder / "s.vcf.gz", variants, samples=("TUMOR",), build="grch37")
    config = folder / "s.toml"
    config.write_text('[sample]\ngenome_build = "grch37"\n')
    return pack_sample(folder / name, vcf, config, index=Path(f"{vcf}.tbi"))


def _drop(tarball: Path, bucket: Path, key: str | None = None) -> str:
    """Place a tarball atomically (temp name + rename), as ``oncodrop submit`` does."""
    key = key or tarball.name
    tmp = bucket / f".{key}.part"
    tmp.write_bytes(tarball.read_bytes())
    tmp.rename(bucket / key)
    return key


class Serve:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def alive(self) -> None:
        assert self.process.poll() is None, f"oncodrop serve exited early:\n{self.log.read_text()[-3000:]}"


@contextmanager
def _serve(tmp: Path, bundle: Path, bucket: Path, db: str, name: str, env: dict[str, str]) -> Iterator[Serve]:
    work = tmp / f"work-{name}"
    work.mkdir(mode=0o700)
    log = tmp / f"serve-{name}.log"
    cmd = [sys.executable, "-m", "oncodrop", "serve", "--store", bucket.as_uri(), "--db", db,
           "--bundle", str(bundle), "--workers", "1", "--poll-interval", "0.3"]  # fmt: skip
    full_env = {**os.environ, "ONCODROP_WORKDIR": str(work), "ONCODROP_SETTLE_S": "1", "ONCODROP_WEB__PORT": "0",
                "ONCODROP_NOTIFY__BACKOFF_S": "0.2", "ONCODROP_NOTIFY__POLL_S": "0.2", **env}  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env, start_new_session=True)
    try:
        yield Serve(process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait(what: str, check: Callable[[], bool], serves: list[Serve], timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for served in serves:
            served.alive()
        if check():
            return
        time.sleep(0.2)
    logs = "\n".join(s.log.read_text()[-2000:] for s in serves)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _samples(db: str) -> list[SampleRecord]:
    """The ledger's samples; none while serve has not yet created its tables (a new ledger)."""
    try:
        with Ledger.open(db, migrate_schema=False) as ledger:
            return ledger.list_samples()
    except TransientError as exc:
        if "no such table" in exc.message:
            return []
        raise


def _terminal(db: str, keys: set[str]) -> Callable[[], bool]:
    def check() -> bool:
        done = {r.key for r in _samples(db) if r.is_terminal}
        return keys <= done

    return check


def _by_key(db: str) -> dict[str, list[SampleRecord]]:
    found: dict[str, list[SampleRecord]] = {}
    for record in _samples(db):
        found.setdefault(record.key, []).append(record)
    return found


@pytest.mark.slow
def test_hanging_and_failing_targets_delay_no_admission_no_job_no_shutdown_and_lose_no_notice(
    tmp_path: Path, demo_bundle: Path, http_capture: CaptureServer, second_capture: CaptureServer
) -> None:
    good = _small_sample(tmp_path, "good-a1b2c3-somatic.tar.gz")
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    keys = {"no-id-here.tar.gz", good.name}
    second_capture.gate.clear()  # Slack hangs until the test opens the gate
    http_capture.statuses[:] = [500, 500, 500]  # the webhook fails three times, then works
    env = {"ONCODROP_NOTIFY__SLACK_WEBHOOK_URL": second_capture.url("/services/T0/B0/X"),
           "ONCODROP_NOTIFY__WEBHOOK_URL": http_capture.url("/hook"),
           "ONCODROP_NOTIFY__TIMEOUT_S": "900"}  # fmt: skip
    with _serve(tmp_path, demo_bundle, bucket, db, "a", env) as served:
        (bucket / "no-id-here.tar.gz").write_bytes(b"not a sample")
        _wait("the rejection notice to hang at Slack", lambda: len(second_capture.received) >= 1, [served])
        _drop(good, bucket)  # Slack hangs now: admission and the job must go on regardless
        _wait("both samples terminal while Slack hangs", _terminal(db, keys), [served])
        assert not second_capture.gate.is_set()
        served.process.send_signal(signal.SIGTERM)
        served.process.wait(timeout=90)  # exits although a send still hangs
    samples = _by_key(db)
    assert [(r.state.value, r.reason_code) for r in samples["no-id-here.tar.gz"]] == [("REJECTED", "bad_key")]
    assert [r.state.value for r in samples[good.name]] == ["SUCCEEDED"]

    second_capture.gate.set()  # Slack answers again; a new serve delivers what is left
    slack_before = len(second_capture.received)
    with _serve(tmp_path, demo_bundle, bucket, db, "b", env) as served:
        _wait("every notice delivered to both targets after the restart",
              lambda: len(second_capture.received) > slack_before and _delivered(db), [served])  # fmt: skip
    delivered = http_capture.received[3:]  # after the three 500s, every answer was 200
    ids = Counter(r.body["notification_id"] for r in delivered)
    assert set(ids.values()) == {1}, ids  # each notification delivered once to the webhook
    assert sorted((r.body["key"], r.body["event"]) for r in delivered) == sorted(
        [("no-id-here.tar.gz", "rejected"), (good.name, "succeeded")]
    )
    assert {r.headers.get("Idempotency-Key") for r in delivered} == {f"oncodrop-{i}" for i in ids}
    assert {item.record.key for item, _ in _notices(db)} == keys


def _notices(db: str) -> list:  # type: ignore[type-arg]
    with Ledger.open(db, migrate_schema=False) as ledger:
        return ledger.notifications()


def _delivered(db: str) -> bool:
    notices = _notices(db)
    return bool(notices) and all(outcome == "delivered" for _, outcome in notices)


def test_a_burst_written_upload_is_admitted_once_complete(tmp_path: Path, demo_bundle: Path) -> None:
    """Five bursts 1.5 s apart with settle_s = 4 (the live finding: four object_changed rejections)."""
    tarball = _small_sample(tmp_path, "burst-b2c3d4-somatic.tar.gz")
    data = tarball.read_bytes()
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with _serve(tmp_path, demo_bundle, bucket, db, "a", {"ONCODROP_SETTLE_S": "4"}) as served:
        target = bucket / tarball.name
        step = len(data) // 5 + 1
        for i in range(5):
            with open(target, "ab") as out:
                out.write(data[i * step : (i + 1) * step])
            time.sleep(1.5)  # the writer's pace, not a wait for the service
        _wait("the upload to finish", _terminal(db, {tarball.name}), [served])
    (record,) = _by_key(db)[tarball.name]
    assert record.state.value == "SUCCEEDED" and record.size == len(data)
    with Ledger.open(db, migrate_schema=False) as ledger:
        assert "object_changed" not in [h.reason_code for h in ledger.history(record.id)]


def test_samples_left_received_are_driven_on_when_serve_starts(tmp_path: Path, demo_bundle: Path) -> None:
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:  # what a serve killed between recording and classifying left
        ledger.record_object(bucket.as_uri(), "gone-c3d4e5-somatic.tar.gz", "e1", 10, "somatic", "gone-c3d4e5",
                             "gone-c3d4e5-somatic-output.tar.gz")  # fmt: skip
        ledger.record_object(bucket.as_uri(), "no-id.tar.gz", "e2", 10, "somatic", "no-id", None)
    with _serve(tmp_path, demo_bundle, bucket, db, "a", {}) as served:
        _wait("the RECEIVED rows to be driven on", _terminal(db, {"gone-c3d4e5-somatic.tar.gz", "no-id.tar.gz"}),
              [served])  # fmt: skip
    samples = _by_key(db)
    assert [(r.state.value, r.reason_code) for r in samples["no-id.tar.gz"]] == [("REJECTED", "bad_key")]
    # queued by the start-up sweep, claimed, and refused by the worker: the object is not in the store
    assert [(r.state.value, r.reason_code) for r in samples["gone-c3d4e5-somatic.tar.gz"]] == [
        ("REJECTED", "missing_object")]  # fmt: skip


def _two_serves_on_one_ledger(tmp_path: Path, bundle: Path, db: str, capture: CaptureServer) -> None:
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    Ledger.open(db).close()  # migrate once, before both start
    tarballs = [_small_sample(tmp_path, f"two-{n:06d}-somatic.tar.gz") for n in range(1, 5)]
    env = {"ONCODROP_NOTIFY__WEBHOOK_URL": capture.url("/hook")}
    with ExitStack() as stack:
        serves = [stack.enter_context(_serve(tmp_path, bundle, bucket, db, name, env)) for name in ("a", "b")]
        keys = {_drop(t, bucket) for t in tarballs}
        (bucket / "bad-name.tar.gz").write_bytes(b"x")
        keys.add("bad-name.tar.gz")
        _wait("every sample terminal", _terminal(db, keys), serves)
        _wait("every notice delivered", lambda: {r.body["key"] for r in capture.received} == keys, serves)
        time.sleep(2)  # several poll and notifier rounds of both serves: room for a duplicate to show
    samples = _by_key(db)
    assert {k: [r.state.value for r in v] for k, v in samples.items()} == {
        **{t.name: ["SUCCEEDED"] for t in tarballs}, "bad-name.tar.gz": ["REJECTED"]}  # fmt: skip
    assert sorted(r.body["key"] for r in capture.received) == sorted(keys)  # each notice once
    for served in serves:
        text = served.log.read_text()
        assert "UniqueViolation" not in text and "Traceback" not in text, text[-3000:]
    with Ledger.open(db, migrate_schema=False) as ledger:
        claims = [h for r in ledger.list_samples() for h in ledger.history(r.id) if h.reason_code == "claimed"]
    assert len(claims) == len(tarballs)  # every sample ran exactly once


def test_two_serves_on_one_sqlite_ledger_run_and_notify_each_sample_once(
    tmp_path: Path, demo_bundle: Path, http_capture: CaptureServer
) -> None:
    _two_serves_on_one_ledger(tmp_path, demo_bundle, f"sqlite:///{tmp_path / 'ledger.db'}", http_capture)


@pytest.mark.slow
def test_two_serves_on_one_postgres_ledger_run_and_notify_each_sample_once(
    tmp_path: Path, demo_bundle: Path, http_capture: CaptureServer, pg_url: str
) -> None:
    _two_serves_on_one_ledger(tmp_path, demo_bundle, pg_url, http_capture)
