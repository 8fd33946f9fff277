"""Picklable jobs and a stand-in ``serve`` for the supervision tests (spawned processes import
this module by name, so it lives beside the tests, not inside one)."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.headline import Headline
from oncodrop.domain.sample import SampleRecord
from oncodrop.execute.local import JobOutcome, LocalExecutor, WorkerConfig
from oncodrop.settings import Settings


@dataclass(frozen=True)
class JournalJob:
    """Writes its pid to ``journal``, logs one INFO line naming ``secret``, sleeps, succeeds."""

    journal: Path
    sleep_s: float = 0.0
    secret: str = ""

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        with open(self.journal, "a") as f:
            f.write(json.dumps({"pid": os.getpid(), "id": record.id}) + "\n")
        logging.getLogger("oncodrop.test.job").info("job of sample #%d posting to %s", record.id, self.secret)
        time.sleep(self.sleep_s)
        return JobOutcome(record.output_key or "", Headline(summary_line=f"pid {os.getpid()}"))


def serve_stand_in(db: str, work: Path, journal: Path, pids: Path) -> None:
    """What ``serve`` does for its workers: run a LocalExecutor until killed; writes the worker
    pids to ``pids`` once they run."""
    settings = Settings.load(None, db=db, lease_s=3.0, poll_interval=0.1)
    config = WorkerConfig(settings, JournalJob(journal, sleep_s=600), work)
    executor = LocalExecutor(config, workers=2)
    executor.start()
    pids.write_text(json.dumps([p.pid for p in executor.processes]))
    while True:
        time.sleep(1)


if __name__ == "__main__":
    serve_stand_in(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
