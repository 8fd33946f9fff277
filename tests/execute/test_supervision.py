"""Supervision with real processes: nothing the executor started outlives it (even after SIGKILL
of the service), a new executor fences a dead one's lease by heartbeat silence, and a worker
survives what goes wrong around a job (unusable work dir, dead fork server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from supervised_jobs import JournalJob

from oncodrop.domain.state import SampleState
from oncodrop.execute.local import LocalExecutor, Worker, WorkerConfig
from oncodrop.execute.worker import stop_on_signals
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

S = SampleState
TIMESCALE = float(os.environ.get("ONCODROP_TEST_TIMESCALE", "1"))
HERE = Path(__file__).resolve().parent


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s * TIMESCALE
    while not check():
        assert time.monotonic() < deadline, f"not reached in time: {what}"
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def group_members(pgid: int) -> list[int]:
    """Live processes in process group ``pgid`` (a worker's fork server and job children)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def queue(ledger: Ledger, n: int = 1) -> int:
    record, _ = ledger.record_object("file:///bucket", f"brca-{n:06d}-somatic.tar.gz", f"e{n}", 1, "somatic",
                                     f"brca-{n:06d}", f"brca-{n:06d}-somatic-output.tar.gz")  # fmt: skip
    return ledger.queue(record.id).id


def state(ledger: Ledger, record_id: int) -> SampleState:
    record = ledger.get(record_id)
    assert record is not None
    return record.state


def jobs(journal: Path) -> list[dict[str, int]]:
    return [json.loads(line) for line in journal.read_text().splitlines()] if journal.exists() else []


def test_sigkill_of_the_service_leaves_no_process_and_a_new_one_fences_its_lease(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    journal, pids = tmp_path / "journal.jsonl", tmp_path / "pids.json"
    with Ledger.open(db) as ledger:
        record_id = queue(ledger)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
        service = subprocess.Popen([sys.executable, str(HERE / "supervised_jobs.py"), db, str(tmp_path / "work"),
                                    str(journal), str(pids)], env=env)  # fmt: skip
        try:
            wait_for(lambda: len(jobs(journal)) == 1 and pids.exists(), 90, "the job runs")
            workers = json.loads(pids.read_text())
            job_pid = jobs(journal)[0]["pid"]
            started = {pid for w in workers for pid in group_members(w)} | {job_pid, *workers}
            assert len(started) >= 4  # two workers, a fork server, the job child
            running = ledger.get(record_id)
            assert running is not None and running.state is S.RUNNING
        finally:
            service.kill()
            service.wait()
        # the done-when bound of the issue: nothing the service started is alive 15 s later
        wait_for(lambda: not any(alive(p) for p in started), 15, f"orphans of the service: {started}")

        # a new executor takes the sample over once its holder has gone silent, spending no attempt
        settings = Settings.load(None, db=db, lease_s=3.0, poll_interval=0.1)
        with LocalExecutor(WorkerConfig(settings, JournalJob(journal), tmp_path / "work2"), workers=1):
            wait_for(lambda: state(ledger, record_id) is S.SUCCEEDED, 60, "the new service finishes it")
        done = ledger.get(record_id)
        history = ledger.history(record_id)
    assert done is not None and done.attempts == 1
    assert [h.to_state for h in history].count(S.SUCCEEDED) == 1
    # the orphaned worker saw its lifeline close and handed the sample back itself; had it been
    # killed outright, the new worker would have waited for the lease (heartbeat silence)
    handed_back = [h for h in history if h.reason_code in ("released", "lease_expired")]
    assert len(handed_back) == 1
    if handed_back[0].reason_code == "released":
        # the lifeline's reason, or the PDEATHSIG SIGTERM's when it came while the dying
        # service's other threads still stood as the worker's parent (same pid: not tellable)
        assert handed_back[0].reason in ("the service that started this worker is gone", "worker shutting down")
    else:
        assert running.lease_expires_at is not None and handed_back[0].at >= running.lease_expires_at


def test_a_worker_survives_an_unusable_work_dir_and_a_dead_fork_server(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    journal = tmp_path / "journal.jsonl"
    settings = Settings.load(None, db=db, lease_s=3.0, poll_interval=0.1, retry_backoff_s=0.2,
                             outage_backoff_cap_s=0.5)  # fmt: skip
    with Ledger.open(db) as ledger, LocalExecutor(WorkerConfig(settings, JournalJob(journal), tmp_path / "work"),
                                                  workers=1, restart=False) as executor:  # fmt: skip
        worker = executor.processes[0]
        wait_for(lambda: any((tmp_path / "work").glob("oncodrop-work-*/worker-0")), 60, "the worker's slot dir")
        slot = next((tmp_path / "work").glob("oncodrop-work-*/worker-0"))
        slot.rmdir()
        slot.write_text("not a directory")  # every job dir under it now fails (ENOTDIR)
        first = queue(ledger, 1)
        wait_for(lambda: any(h.reason_code == "outage_retry" for h in ledger.history(first)), 60, "an outage")
        slot.unlink()  # the operator fixes the work dir
        wait_for(lambda: state(ledger, first) is S.SUCCEEDED, 60, "the sample after the fix")

        # the job fork server dies between two jobs: the next job starts a new one
        fork_servers = [p for p in group_members(worker.pid) if p != worker.pid]
        assert fork_servers, "the worker's fork server runs in its process group"
        for pid in fork_servers:
            os.kill(pid, signal.SIGKILL)
        second = queue(ledger, 2)
        wait_for(lambda: state(ledger, second) is S.SUCCEEDED, 90, "a job after the fork server died")
        assert worker.is_alive() and executor.processes[0].pid == worker.pid  # never restarted
        done = ledger.get(first)
    assert done is not None and done.attempts == 1  # the work dir outage spent no attempt


def test_job_children_log_with_timestamps_as_json_and_redacted(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    secret = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    settings = Settings.load(None, db=db, lease_s=3.0, poll_interval=0.1, log_json=True,
                             notify__slack_webhook_url=secret)  # fmt: skip
    job = JournalJob(tmp_path / "journal.jsonl", secret=secret)
    with Ledger.open(db) as ledger, LocalExecutor(WorkerConfig(settings, job, tmp_path / "work"), workers=1):
        record_id = queue(ledger)
        wait_for(lambda: state(ledger, record_id) is S.SUCCEEDED, 60, "the job")
    err = capfd.readouterr().err
    assert "XXXXSECRET" not in err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    mine = [entry for entry in lines if entry["logger"] == "oncodrop.test.job"]
    assert len(mine) == 1 and mine[0]["level"] == "INFO" and mine[0]["ts"]
    assert f"job of sample #{record_id} posting to" in mine[0]["message"]


def test_a_worker_never_recreates_the_work_dir_of_a_gone_executor(tmp_path: Path) -> None:
    """Chaos finding: a worker restarted just before its service was SIGKILLed created its slot
    dir with ``parents=True`` after the next service had scrubbed the dead one's dir; it stayed."""
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    executor_dir = tmp_path / "work" / "oncodrop-work-1-gone"  # scrubbed by the next service
    settings = Settings.load(None, db=db, lease_s=3.0, poll_interval=0.1)
    with Ledger.open(db) as ledger:
        worker = Worker(WorkerConfig(settings, JournalJob(tmp_path / "journal.jsonl"), executor_dir), 0, ledger)
        worker.prepare()  # at start-up: logged, not fatal
        record_id = queue(ledger)
        claimed = ledger.claim(worker.worker_id, 3.0)
        assert claimed is not None and claimed.id == record_id
        worker.run_one(claimed)  # the job cannot get a work dir: an outage, not the sample's fault
        history = ledger.history(record_id)
        done = ledger.get(record_id)
    assert not (tmp_path / "work").exists()
    assert done is not None and done.state is S.QUEUED and done.attempts == 0
    assert history[-1].reason_code == "outage_retry"


def test_a_sigterm_inside_the_stop_event_lock_does_not_hang_the_worker(tmp_path: Path) -> None:
    """Chaos finding: SIGTERMs in quick succession ran the handler inside ``Event.set()`` of an
    earlier one; its lock is not reentrant, the worker hung forever, heartbeating its lease."""
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    settings = Settings.load(None, db=db)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with Ledger.open(db) as ledger:
        worker = Worker(WorkerConfig(settings, JournalJob(tmp_path / "journal.jsonl"), tmp_path / "w"), 0, ledger)
        try:
            stop_on_signals(worker)
            handler = signal.getsignal(signal.SIGTERM)
            assert callable(handler)
            with worker.stopping._cond:  # as if the signal came while the main thread held it
                handler(signal.SIGTERM, None)  # returns at once (it used to block here forever)
                handler(signal.SIGTERM, None)
            wait_for(worker.stopping.is_set, 10, "the worker asked to stop")
        finally:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
