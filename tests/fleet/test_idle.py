"""Scale to zero: the idle timer, and a real worker process that exits after its idle timeout."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fleet_jobs import VCF, OutputJob, queue_sample, state_of, worker_config
from waiting import scaled, wait_for

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


class CountingEvent(threading.Event):
    """``LocalExecutor``'s stop event, counting the supervisor's waits: it waits once per pass, so
    a wait that returns after some moment is followed by a whole pass over the workers."""

    def __init__(self) -> None:
        super().__init__()
        self.returned = 0

    def wait(self, timeout: float | None = None) -> bool:
        stopped = super().wait(timeout)
        self.returned += 1
        return stopped


def test_worker_finishes_its_sample_then_exits_cleanly_when_idle_and_is_not_restarted(
    ledger: Ledger, tmp_path: Path, testdata: Path
) -> None:
    (tmp_path / "out").mkdir()
    record = queue_sample(ledger, 1)
    job = OutputJob(testdata / VCF, tmp_path / "out", tmp_path / "journal.jsonl")
    executor = LocalExecutor(worker_config(ledger, tmp_path / "work", job, idle_exit_s=scaled(1.0)), workers=1)
    executor._stopping = supervisor = CountingEvent()  # instruments the supervisor loop, changes nothing
    with executor:
        wait_for(lambda: state_of(ledger, record.id) is SampleState.SUCCEEDED, what="sample succeeded")
        (proc,) = executor.processes
        proc.join(scaled(15))
        assert proc.exitcode == 0  # it left by itself: the idle timeout, not a signal or a crash
        passes = supervisor.returned
        wait_for(lambda: supervisor.returned >= passes + 2, what="two supervisor passes after the exit")
        assert executor.processes == [proc]  # a clean exit is not restarted
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["brca-000001-somatic-output.tar.gz"]
