"""Runs the real ``oncodrop serve`` command as a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.sample import SampleRecord
from oncodrop.ledger import Ledger


@dataclass
class Served:
    bucket: Path
    db: str
    process: subprocess.Popen[bytes]
    log: Path

    def samples(self) -> list[SampleRecord]:
        with Ledger.open(self.db) as ledger:
            return ledger.list_samples()

    def wait_for(self, key: str, done: Callable[[SampleRecord], bool], timeout_s: float = 60) -> SampleRecord:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"oncodrop serve exited early:\n{self.log.read_text()}"
            for record in self.samples():
                if record.key == key and done(record):
                    return record
            time.sleep(0.1)
        raise AssertionError(f"{key} did not reach the expected state in {timeout_s} s; "
                             f"ledger: {[(r.key, r.state.value, r.reason) for r in self.samples()]}\n"
                             f"{self.log.read_text()[-3000:]}")  # fmt: skip

    def wait_terminal(self, key: str, timeout_s: float = 60) -> SampleRecord:
        return self.wait_for(key, lambda r: r.is_terminal, timeout_s)


@contextmanager
def serve(tmp: Path, bundle: Path, *, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[Served]:
    bucket = tmp / "bucket"
    bucket.mkdir()
    db = f"sqlite:///{tmp / 'ledger.db'}"
    log = tmp / "serve.log"
    cmd = [sys.executable, "-m", "oncodrop", "serve", "--store", bucket.as_uri(), "--db", db,
           "--bundle", str(bundle), "--workers", str(workers), "--poll-interval", "0.3"]  # fmt: skip
    # tests copy into the bucket with plain (non-atomic) copies of small files: settle briefly
    full_env = {**os.environ, "ONCODROP_WORKDIR": str(tmp / "work"), "ONCODROP_SETTLE_S": "1", **(env or {})}
    (tmp / "work").mkdir(mode=0o700)
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env, start_new_session=True)
    try:
        yield Served(bucket, db, process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
