"""A worker SIGKILLed mid-job loses nothing: after its lease expires another worker re-claims
the sample and it finishes exactly once. Real processes, real SQLite ledger."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from waiting import scaled, wait_for

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.execute.local import JobOutcome, LocalExecutor, WorkerConfig
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

LEASE_S = scaled(1.5)
JOB_S = 2.5 * LEASE_S  # the job outlives its lease: only the heartbeat keeps it


@dataclass(frozen=True)
class SlowCopy:
    """Copies a real VCF into the work dir in a slow job, journaling start and finish."""

    source: Path
    journal: Path
    sleep_s: float = JOB_S

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        self._log("start", workdir)
        (workdir / "input.vcf.gz").write_bytes(self.source.read_bytes())
        time.sleep(self.sleep_s)
        self._log("finish", workdir)
        return JobOutcome(
            record.output_key or "", Headline(summary_line=f"{(workdir / 'input.vcf.gz').stat().st_size} bytes")
        )

    def _log(self, event: str, workdir: Path) -> None:
        with open(self.journal, "a") as f:
            f.write(
                json.dumps({"event": event, "pid": os.getpid(), "workdir": str(workdir)}) + "\n"
            )


@dataclass(frozen=True)
class CountTerminal:
    path: Path

    def __call__(self, record: SampleRecord) -> None:
        with open(self.path, "a") as f:
            f.write(f"{record.id} {record.state.value}\n")


def journal(path: Path) -> list[dict[str, str | int]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_sigkilled_worker_mid_job_is_recovered_with_exactly_one_success(
    tmp_path: Path, testdata: Path
) -> None:
    source = testdata / "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"
    log_path, hooks = tmp_path / "journal.jsonl", tmp_path / "hooks.txt"
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        record, _ = ledger.record_object(
            "file:///bucket",
            "brca-000001-somatic.tar.gz",
            "etag1",
            source.stat().st_size,
            "somatic",
            "brca-000001",
            "brca-000001-somatic-output.tar.gz",
        )
        ledger.queue(record.id)
        settings = Settings.load(None, db=ledger.url, lease_s=LEASE_S, poll_interval=0.1, retry_backoff_s=0,
                                 retry_jitter=0)  # fmt: skip
        config = WorkerConfig(settings, SlowCopy(source, log_path), tmp_path / "work",
                              on_terminal=CountTerminal(hooks))  # fmt: skip
        with LocalExecutor(config, workers=2):
            wait_for(lambda: len(journal(log_path)) == 1, what="job started")
            running = ledger.get(record.id)
            assert running is not None and running.lease_owner is not None
            victim = int(running.lease_owner.split(":")[1])
            os.kill(victim, signal.SIGKILL)

            wait_for(
                lambda: ledger.get(record.id).state is SampleState.SUCCEEDED,  # type: ignore[union-attr]
                what="sample SUCCEEDED",
            )
            first_workdir = Path(str(journal(log_path)[0]["workdir"]))
            wait_for(lambda: not first_workdir.exists(), what="orphaned work dir scrubbed")  # by the restarted slot

        done = ledger.get(record.id)
        history = ledger.history(record.id)

    events = journal(log_path)
    assert [e["event"] for e in events] == ["start", "start", "finish"]
    assert (
        events[2]["pid"] == events[1]["pid"] != events[0]["pid"]
    )  # the orphaned job never finished
    assert done is not None and (done.state, done.attempts) == (SampleState.SUCCEEDED, 1)  # the lost lease cost none
    assert done.lease_owner is None and done.headline == Headline(summary_line=f"{source.stat().st_size} bytes")
    assert [h.to_state for h in history].count(SampleState.SUCCEEDED) == 1
    reclaim = [h for h in history if h.reason_code == "lease_expired"]
    assert len(reclaim) == 1 and f":{victim}:" in (reclaim[0].reason or "")
    assert running.lease_expires_at is not None
    assert reclaim[0].at >= running.lease_expires_at  # waited for the lease, did not steal it
    assert hooks.read_text().splitlines() == [f"{record.id} SUCCEEDED"]
