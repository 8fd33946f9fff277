"""Runs the real ``oncodrop serve`` command as a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import waiting

from oncodrop.domain.sample import SampleRecord
from oncodrop.ledger import Ledger


@dataclass
class Served:
    bucket: Path
    db: str
    process: subprocess.Popen[bytes]
    log: Path
    _markers: int = 0

    def samples(self) -> list[SampleRecord]:
        with Ledger.open(self.db) as ledger:
            return ledger.list_samples()

    def wait_for(self, key: str, done: Callable[[SampleRecord], bool], timeout_s: float = 60) -> SampleRecord:
        """Wait (``timeout_s``, scaled) until the sample at ``key`` satisfies ``done``."""

        def reached() -> SampleRecord | None:
            assert self.process.poll() is None, "oncodrop serve exited early"
            return next((r for r in self.samples() if r.key == key and done(r)), None)

        try:
            return waiting.wait_for(reached, timeout_s, f"{key} in the expected state", interval_s=0.1)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; ledger: {[(r.key, r.state.value, r.reason) for r in self.samples()]}\n"
                                 f"{self.log.read_text()[-3000:]}") from None  # fmt: skip

    def wait_polls(self, polls: int = 2) -> None:
        """Return once the poller has completed at least ``polls`` whole listings of the bucket that
        began after this call: a positive event to wait for instead of sleeping before asserting
        that an earlier drop changed nothing.

        Each round drops a marker object the naming rules ignore and waits until the poller has
        handed it over (the ledger's seen-objects table). A poll that handed marker *n* began after
        marker *n* was written; the poll that hands marker *n + 1* runs after that one is finished.
        So ``polls + 1`` sequential markers cover ``polls`` complete listings.
        """
        store_url = self.bucket.resolve().as_uri()  # as LocalStore names itself
        for n in range(polls + 1):
            self._markers += 1
            key = f"poll-marker-{self._markers}.txt"
            (self.bucket / key).write_text(f"marker {self._markers}\n")

            def handed_over(key: str = key) -> bool:
                assert self.process.poll() is None, f"oncodrop serve exited early:\n{self.log.read_text()}"
                with Ledger.open(self.db) as ledger:
                    return any(k == key for k, _ in ledger.seen_objects(store_url))

            waiting.wait_for(handed_over, 30, f"poller handing over {key} (round {n + 1} of {polls + 1})")

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
                process.wait(timeout=waiting.scaled(30))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
