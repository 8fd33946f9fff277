"""Picklable jobs and helpers for fleet tests: worker processes are spawned, so jobs live at
module level. They do real work on real files: copy a real VCF, write the output atomically."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from waiting import scaled

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.execute.local import JobOutcome, StopWatcher, WorkerConfig
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

VCF = "pcgr/v2.3.2/T001-BRCA.grch38.vcf.gz"


@dataclass(frozen=True)
class OutputJob:
    """Journals its start, works ``sleep_s``, then writes ``outputs/<output_key>`` whole (rename)."""

    source: Path
    outputs: Path
    journal: Path
    sleep_s: float = 0.0

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        append(self.journal, {"event": "start", "id": record.id, "worker": record.lease_owner})
        staged = workdir / "input.vcf.gz"
        staged.write_bytes(self.source.read_bytes())
        time.sleep(self.sleep_s)
        key = record.output_key or f"{record.sample_id}-output.tar.gz"
        partial = self.outputs / f".{key}.partial"
        partial.write_bytes(staged.read_bytes())
        partial.rename(self.outputs / key)
        append(self.journal, {"event": "finish", "id": record.id, "worker": record.lease_owner})
        return JobOutcome(key, Headline(summary_line=f"{staged.stat().st_size} bytes"))


def append(path: Path, entry: dict[str, object]) -> None:
    with open(path, "a") as f:
        f.write(json.dumps(entry) + "\n")


def read_journal(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def queue_sample(ledger: Ledger, n: int) -> SampleRecord:
    record, _ = ledger.record_object(
        "file:///bucket", f"brca-{n:06d}-somatic.tar.gz", f"etag{n}", 1, "somatic", f"brca-{n:06d}",
        f"brca-{n:06d}-somatic-output.tar.gz",
    )  # fmt: skip
    return ledger.queue(record.id)


def worker_config(ledger: Ledger, work: Path, job: OutputJob, *, idle_exit_s: float | None = None,
                  lease_s: float = scaled(30.0), watchers: tuple[StopWatcher, ...] = ()) -> WorkerConfig:  # fmt: skip
    settings = Settings.load(None, db=ledger.url, lease_s=lease_s, poll_interval=0.1, job_timeout_s=scaled(60.0),
                             retry_backoff_s=0, retry_jitter=0)  # fmt: skip
    return WorkerConfig(settings, job, work, idle_exit_s=idle_exit_s, watchers=watchers)


def state_of(ledger: Ledger, record_id: int) -> SampleState:
    record = ledger.get(record_id)
    assert record is not None
    return record.state
