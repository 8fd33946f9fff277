"""Scale to zero: the idle timer, and a real worker process that exits after its idle timeout."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fleet_jobs import VCF, OutputJob, queue_sample, state_of, wait_for, worker_config

from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError
from oncodrop.execute.idle import IdleTimer
from oncodrop.execute.local import LocalExecutor
from oncodrop.ledger import Ledger


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_idle_timer_expires_after_the_timeout_and_work_resets_it() -> None:
    clock = FakeClock()
    timer = IdleTimer(60, clock)
    clock.now += 59.9
    assert not timer.expired()
    timer.busy()
    clock.now += 59.9
    assert not timer.expired() and timer.idle_for_s() == pytest.approx(59.9)
    clock.now += 0.1
    assert timer.expired()


def test_without_a_timeout_a_worker_never_idles_out() -> None:
    clock = FakeClock()
    timer = IdleTimer(None, clock)
    clock.now += 1e9
    assert not timer.expired()


def test_a_negative_idle_timeout_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="idle timeout must be >= 0"):
        IdleTimer(-1)


def test_worker_finishes_its_sample_then_exits_cleanly_when_idle_and_is_not_restarted(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    (tmp_path / "out").mkdir()
    record = queue_sample(ledger, 1)
    job = OutputJob(testdata / VCF, tmp_path / "out", tmp_path / "journal.jsonl")
    executor = LocalExecutor(worker_config(ledger, tmp_path / "work", job, idle_exit_s=1.0), workers=1)
    with executor:
        wait_for(lambda: state_of(ledger, record.id) is SampleState.SUCCEEDED, what="sample succeeded")
        done_at = time.monotonic()
        (proc,) = executor.processes
        proc.join(15)
        idle_s = time.monotonic() - done_at
        assert proc.exitcode == 0
        time.sleep(0.7)  # the supervisor looks every 0.5 s: a clean exit is not restarted
        assert executor.processes == [proc]
    assert 0.5 <= idle_s < 10
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["brca-000001-somatic-output.tar.gz"]
