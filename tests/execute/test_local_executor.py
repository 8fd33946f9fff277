"""LocalExecutor with real worker processes, a real SQLite ledger and real job processes."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from waiting import scaled, wait_for

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import BundleError, InputRejected, TransientError
from oncodrop.execute.local import (
    JobOutcome,
    LocalExecutor,
    RunJob,
    WorkerConfig,
    prepare_work_root,
)
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

S = SampleState
VCF = "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"

# Jobs and hooks run in spawned processes, so they are module-level and picklable. They do
# real work on real files.


@dataclass(frozen=True)
class CopyJob:
    """Copies the input into the work dir, sleeps, then logs start/finish lines to ``journal``."""

    source: Path
    journal: Path
    sleep_s: float = 0.0

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        mode = stat.S_IMODE(workdir.stat().st_mode)
        _append(
            self.journal,
            {"event": "start", "pid": os.getpid(), "workdir": str(workdir), "mode": mode},
        )
        (workdir / "input.vcf.gz").write_bytes(self.source.read_bytes())
        time.sleep(self.sleep_s)
        size = (workdir / "input.vcf.gz").stat().st_size
        _append(self.journal, {"event": "finish", "pid": os.getpid()})
        return JobOutcome(record.output_key or "", Headline(summary_line=f"{size} bytes of {record.sample_id}"))


@dataclass(frozen=True)
class FailingJob:
    """Raises the named error, as a real pipeline step would (``bug``: an unexpected exception;
    ``denied``: EACCES on a file of ``bundle``, which the child reports as a bundle error)."""

    error: str
    bundle: Path | None = None

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        if self.error == "bug":
            return JobOutcome(str({}["secret-free key"]))
        if self.error == "denied" and self.bundle is not None:
            fasta = self.bundle / "genome" / "grch38" / "genome.fa"
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(fasta))
        if self.error == "rejected":
            raise InputRejected(
                "bad_vcf", "VCF header is missing ##fileformat", file="x.vcf.gz", line=1
            )
        if self.error == "bundle":
            raise BundleError("bundle has no grch37 genome")
        raise TransientError("store returned 503")


@dataclass(frozen=True)
class JournalHook:
    """``on_terminal`` hook that records what it was told."""

    journal: Path

    def __call__(self, record: SampleRecord) -> None:
        _append(self.journal, {"event": "terminal", "id": record.id, "state": record.state.value})


def _append(path: Path, entry: dict[str, object]) -> None:
    with open(path, "a") as f:
        f.write(json.dumps(entry) + "\n")


def read_journal(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def queue_sample(ledger: Ledger, n: int = 1, max_attempts: int = 3) -> SampleRecord:
    record, _ = ledger.record_object(
        "file:///bucket",
        f"brca-{n:06d}-somatic.tar.gz",
        f"etag{n}",
        1,
        "somatic",
        f"brca-{n:06d}",
        f"brca-{n:06d}-somatic-output.tar.gz",
        max_attempts=max_attempts,
    )
    return ledger.queue(record.id)


def config(ledger: Ledger, tmp_path: Path, job: RunJob, **kw: object) -> WorkerConfig:
    """Test settings (short lease, quick polls, retries without backoff) handed to the worker."""
    settings: dict[str, object] = {
        "db": ledger.url,
        "lease_s": scaled(5.0),
        "poll_interval": 0.1,
        "job_timeout_s": scaled(60.0),
        "retry_backoff_s": 0,
        "retry_jitter": 0,
    }
    settings.update(kw)
    return WorkerConfig(Settings.load(None, **settings), job, tmp_path / "work",
                        on_terminal=JournalHook(tmp_path / "hooks.jsonl"))  # fmt: skip


def state_of(ledger: Ledger, record_id: int) -> SampleState:
    record = ledger.get(record_id)
    assert record is not None
    return record.state


def test_successful_job_is_recorded_with_headline_hook_and_scrubbed_workdir(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    record = queue_sample(ledger)
    job = CopyJob(testdata / VCF, tmp_path / "journal.jsonl")
    with LocalExecutor(config(ledger, tmp_path, job), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.SUCCEEDED, what="sample SUCCEEDED")
        wait_for(lambda: len(read_journal(tmp_path / "hooks.jsonl")) == 1, what="on_terminal hook")
    done = ledger.get(record.id)
    assert done is not None and done.output_key == "brca-000001-somatic-output.tar.gz"
    assert done.headline == Headline(summary_line=f"{(testdata / VCF).stat().st_size} bytes of brca-000001")
    start = read_journal(tmp_path / "journal.jsonl")[0]
    assert start["mode"] == 0o700
    assert not Path(str(start["workdir"])).exists()
    assert read_journal(tmp_path / "hooks.jsonl") == [
        {"event": "terminal", "id": record.id, "state": "SUCCEEDED"}
    ]


def test_rejected_input_ends_rejected_with_location_and_no_retry(
    ledger: Ledger, tmp_path: Path
) -> None:
    record = queue_sample(ledger)
    with LocalExecutor(config(ledger, tmp_path, FailingJob("rejected")), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.REJECTED, what="sample REJECTED")
    done = ledger.get(record.id)
    assert done is not None and (done.reason_code, done.attempts) == ("bad_vcf", 1)
    assert done.reason == "VCF header is missing ##fileformat (file x.vcf.gz, line 1)"


@dataclass(frozen=True)
class OutageThenCopy:
    """Fails with ``TransientError`` (a store outage) ``outages`` times, then succeeds;
    counts its runs in a file because each run is a fresh process."""

    counter: Path
    outages: int

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        runs = len(self.counter.read_text()) if self.counter.exists() else 0
        with open(self.counter, "a") as f:
            f.write("x")
        if runs < self.outages:
            raise TransientError("store returned 503")
        return JobOutcome(record.output_key or "", Headline(summary_line=f"after {runs} outages"))


def test_an_outage_within_its_budget_spends_no_attempt(ledger: Ledger, tmp_path: Path) -> None:
    record = queue_sample(ledger, max_attempts=2)
    job = OutageThenCopy(tmp_path / "runs.txt", outages=3)
    with LocalExecutor(config(ledger, tmp_path, job, outage_backoff_cap_s=0.1), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.SUCCEEDED)
    done = ledger.get(record.id)
    assert done is not None and done.attempts == 1  # three outage failures, none counted
    moves = [(h.to_state, h.reason_code) for h in ledger.history(record.id)][2:]
    assert moves == [(S.RUNNING, "claimed"), (S.FAILED, "transient"), (S.QUEUED, "outage_retry")] * 3 + [
        (S.RUNNING, "claimed"), (S.SUCCEEDED, "succeeded")
    ]  # fmt: skip


def test_an_outage_longer_than_its_budget_spends_attempts_until_dead(ledger: Ledger, tmp_path: Path) -> None:
    record = queue_sample(ledger, max_attempts=2)
    with LocalExecutor(config(ledger, tmp_path, FailingJob("transient"), outage_budget_s=0), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.DEAD)
        wait_for(lambda: len(read_journal(tmp_path / "hooks.jsonl")) == 1)
    moves = [(h.to_state, h.reason_code) for h in ledger.history(record.id)][2:]
    assert moves == [
        (S.RUNNING, "claimed"),
        (S.FAILED, "transient"),
        (S.QUEUED, "retry_scheduled"),
        (S.RUNNING, "claimed"),
        (S.FAILED, "transient"),
        (S.DEAD, "attempts_exhausted"),
    ]
    assert read_journal(tmp_path / "hooks.jsonl")[0]["state"] == "DEAD"


def test_bundle_error_is_dead_without_retry(ledger: Ledger, tmp_path: Path) -> None:
    record = queue_sample(ledger)
    with LocalExecutor(config(ledger, tmp_path, FailingJob("bundle")), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.DEAD, what="sample DEAD")
    done = ledger.get(record.id)
    assert done is not None and (done.attempts, done.reason_code) == (1, "bundle_error")


def test_unexpected_exception_is_retried_then_dead_as_error_with_its_traceback_in_the_log_only(
    ledger: Ledger, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    record = queue_sample(ledger, max_attempts=2)
    with LocalExecutor(config(ledger, tmp_path, FailingJob("bug")), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.DEAD)
        wait_for(lambda: len(read_journal(tmp_path / "hooks.jsonl")) == 1)
    done = ledger.get(record.id)
    assert done is not None and (done.attempts, done.reason_code) == (2, "error")
    assert done.reason == "KeyError: 'secret-free key' (unexpected; traceback in the run log and service log)"
    moves = [(h.to_state, h.reason_code) for h in ledger.history(record.id)][2:]
    assert moves[-2:] == [(S.FAILED, "error"), (S.DEAD, "attempts_exhausted")]
    assert all("Traceback" not in (h.reason or "") for h in ledger.history(record.id))
    service_log = capfd.readouterr().err  # the worker processes write to the service's stderr
    assert "Traceback (most recent call last)" in service_log
    assert "test_local_executor.py" in service_log and "KeyError: 'secret-free key'" in service_log


def test_permission_denied_on_a_bundle_file_is_dead_at_once(ledger: Ledger, tmp_path: Path) -> None:
    record = queue_sample(ledger)
    bundle = tmp_path / "bundle"
    with LocalExecutor(config(ledger, tmp_path, FailingJob("denied", bundle)), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.DEAD)
    done = ledger.get(record.id)
    assert done is not None and (done.attempts, done.reason_code) == (1, "bundle_error")
    assert done.reason is not None and "EACCES" in done.reason and "genome.fa" in done.reason


def test_job_over_its_time_limit_is_killed_and_counted_as_failed(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    record = queue_sample(ledger, max_attempts=1)
    limit_s = scaled(5.0)  # long enough for the job child to start on a loaded machine
    job = CopyJob(testdata / VCF, tmp_path / "journal.jsonl", sleep_s=limit_s * 30)  # would outlive the limit
    with LocalExecutor(config(ledger, tmp_path, job, job_timeout_s=limit_s), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.DEAD, what="sample DEAD")
    done = ledger.get(record.id)
    assert done is not None and done.reason_code == "timeout", done.reason
    assert [e["event"] for e in read_journal(tmp_path / "journal.jsonl")] == ["start"]


def test_heartbeat_keeps_a_job_longer_than_its_lease(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    record = queue_sample(ledger)
    lease_s = scaled(1.5)  # renewed every lease_s / 3
    job = CopyJob(testdata / VCF, tmp_path / "journal.jsonl", sleep_s=2.5 * lease_s)  # outlives two leases
    with LocalExecutor(config(ledger, tmp_path, job, lease_s=lease_s), workers=2):
        wait_for(lambda: state_of(ledger, record.id) is S.SUCCEEDED, what="sample SUCCEEDED")
    codes = [h.reason_code for h in ledger.history(record.id)]
    assert codes.count("claimed") == 1 and "lease_expired" not in codes
    assert [e["event"] for e in read_journal(tmp_path / "journal.jsonl")] == ["start", "finish"]


def test_stopping_the_executor_releases_the_running_sample(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    record = queue_sample(ledger)
    job = CopyJob(testdata / VCF, tmp_path / "journal.jsonl", sleep_s=scaled(60))
    executor = LocalExecutor(config(ledger, tmp_path, job), workers=1)
    executor.start()
    try:
        wait_for(lambda: len(read_journal(tmp_path / "journal.jsonl")) == 1, what="job started")
    finally:
        executor.stop(timeout_s=scaled(20))
    assert [p.exitcode for p in executor.processes] == [0]
    released = ledger.get(record.id)
    assert released is not None
    assert (released.state, released.attempts, released.lease_owner) == (S.QUEUED, 0, None)
    assert ledger.history(record.id)[-1].reason_code == "released"
    assert list((tmp_path / "work").iterdir()) == []  # the executor's private dir is gone


def test_sample_whose_workers_keep_dying_ends_dead_instead_of_looping(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    record = queue_sample(ledger, max_attempts=1)
    assert ledger.claim("vanished-worker-1", lease_s=0.2) is not None  # then it "dies"
    time.sleep(0.3)
    assert ledger.claim("vanished-worker-2", lease_s=0.2) is not None  # re-claimed; dies too
    time.sleep(0.3)
    job = CopyJob(testdata / VCF, tmp_path / "journal.jsonl")
    with LocalExecutor(config(ledger, tmp_path, job, max_lease_losses=2), workers=1):
        wait_for(lambda: state_of(ledger, record.id) is S.DEAD)
        wait_for(lambda: len(read_journal(tmp_path / "hooks.jsonl")) == 1)
    done = ledger.get(record.id)
    # lost leases spend no attempt (a dying worker is not the sample's doing), but are capped
    assert done is not None and (done.reason_code, done.attempts) == ("lease_expired", 1)
    assert "died 2 times" in (done.reason or "")
    assert read_journal(tmp_path / "journal.jsonl") == []  # the job itself never ran again


def test_work_dirs_of_dead_executors_are_scrubbed_and_live_ones_kept(tmp_path: Path) -> None:
    root = tmp_path / "work"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = root / f"oncodrop-work-{dead.pid}-abc" / "worker-0" / "job-1-x"
    stale.mkdir(parents=True)
    (stale / "tumour.vcf.gz").write_bytes(b"patient data")
    live = root / f"oncodrop-work-{os.getpid()}-def"
    live.mkdir()
    mine = prepare_work_root(root)
    assert not stale.parents[1].exists() and live.exists()
    assert mine.parent == root and stat.S_IMODE(mine.stat().st_mode) == 0o700
