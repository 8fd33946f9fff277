"""``oncodrop fleet run --provider local`` as a real process: a real demo tarball in a folder
store is reported by a worker the scaler started, the worker exits when idle, SIGTERM ends it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fleet_jobs import state_of
from waiting import scaled, wait_for

from oncodrop.demo.samples import make_demo_samples
from oncodrop.domain.state import SampleState
from oncodrop.events.admission import admit
from oncodrop.ledger import Ledger
from oncodrop.store import open_store

pytestmark = pytest.mark.integration


def worker_children(pid: int) -> list[int]:
    """Worker processes the fleet started (the multiprocessing resource tracker excluded)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_local_fleet_reports_a_real_sample_then_scales_to_zero(tmp_path: Path, demo_bundle: Path) -> None:
    first, second = [s for s in make_demo_samples(tmp_path / "samples", demo_bundle) if s.expect == "SUCCEEDED"][:2]
    (tmp_path / "bucket").mkdir()
    store = open_store(f"file://{tmp_path / 'bucket'}")
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        record = admit(store.put_file(first.path, first.key), store_url=store.url, ledger=ledger)
        assert record is not None and record.state is SampleState.QUEUED
        env = {**os.environ, "ONCODROP_WORKDIR": str(tmp_path / "work"), "ONCODROP_LOG_LEVEL": "INFO"}
        command = [sys.executable, "-m", "oncodrop", "fleet", "run", "--db", db, "--bundle", str(demo_bundle),
                   "--max", "2", "--idle-timeout", f"{scaled(1):g}", "--cooldown", "0", "--interval", "0.2"]  # fmt: skip
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: state_of(ledger, record.id) is SampleState.SUCCEEDED, timeout_s=45, what="report")
            wait_for(lambda: worker_children(proc.pid) == [], timeout_s=15, what="idle worker exit")
            # Scaled to zero, the scaler keeps ticking: new backlog gets exactly one new worker.
            later = admit(store.put_file(second.path, second.key), store_url=store.url, ledger=ledger)
            assert later is not None and later.state is SampleState.QUEUED
            wait_for(lambda: state_of(ledger, later.id) is SampleState.SUCCEEDED, timeout_s=45, what="second report")
            wait_for(lambda: worker_children(proc.pid) == [], timeout_s=15, what="second idle worker exit")
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=scaled(30))
        done = [ledger.get(r.id) for r in (record, later)]
    assert proc.returncode == 0, stderr.decode()[-2000:]
    # one start per backlog episode: nothing was started while the fleet sat at zero
    assert stderr.decode().count("scale up: started 1 worker(s)") == 2, stderr.decode()[-2000:]
    assert "started 2 worker(s)" not in stderr.decode()
    for sample, outcome in zip((first, second), done, strict=True):
        assert outcome is not None and outcome.output_key is not None
        assert store.head(outcome.output_key) is not None
        assert outcome.output_key == sample.key.replace("-somatic.tar.gz", "-somatic-output.tar.gz")
