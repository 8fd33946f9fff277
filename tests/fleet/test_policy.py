"""Pure scaling decisions: data in, decision out."""

from __future__ import annotations

import pytest

from oncodrop.errors import ConfigError
from oncodrop.fleet.policy import (
    FleetSnapshot,
    Rule,
    ScalingLimits,
    WorkerView,
    decide,
    wanted_workers,
)

LIMITS = ScalingLimits(min_workers=0, max_workers=4, idle_timeout_s=300, cooldown_s=60)


def snap(backlog: int, *workers: WorkerView, running: int = 0, now: float = 1000.0,
         last: float | None = None) -> FleetSnapshot:  # fmt: skip
    return FleetSnapshot(backlog=backlog, running=running, workers=workers, now=now, last_action_at=last)


def test_empty_backlog_with_no_workers_stays_at_zero() -> None:
    decision = decide(snap(0), LIMITS)
    assert (decision.rule, decision.start, decision.stop) == (Rule.STEADY, 0, ())


def test_empty_backlog_scales_up_to_the_minimum_even_in_cooldown() -> None:
    decision = decide(snap(0, now=1000, last=990), ScalingLimits(min_workers=2, max_workers=4, cooldown_s=60))
    assert (decision.rule, decision.start) == (Rule.MINIMUM, 2)


def test_backlog_of_ten_with_max_four_starts_four() -> None:
    decision = decide(snap(10), LIMITS)
    assert (decision.rule, decision.wanted, decision.start) == (Rule.SCALE_UP, 4, 4)


def test_only_the_missing_workers_are_started() -> None:
    decision = decide(snap(3, WorkerView("a"), running=1), LIMITS)
    assert (decision.wanted, decision.start) == (4, 3)


def test_several_samples_per_worker_need_fewer_workers() -> None:
    limits = ScalingLimits(max_workers=10, samples_per_worker=4)
    assert wanted_workers(backlog=9, running=0, limits=limits) == 3
    assert wanted_workers(backlog=0, running=0, limits=limits) == 0


def test_no_action_during_cooldown_after_a_start() -> None:
    decision = decide(snap(10, WorkerView("a"), now=1030, last=1000), LIMITS)
    assert (decision.rule, decision.start) == (Rule.COOLDOWN, 0)
    after = decide(snap(10, WorkerView("a"), now=1061, last=1000), LIMITS)
    assert (after.rule, after.start) == (Rule.SCALE_UP, 3)


def test_idle_workers_past_the_timeout_are_stopped_longest_idle_first() -> None:
    workers = (WorkerView("a", idle_for_s=400), WorkerView("b", idle_for_s=900), WorkerView("c", idle_for_s=10))
    decision = decide(snap(0, *workers), LIMITS)
    assert (decision.rule, decision.stop) == (Rule.SCALE_DOWN, ("b", "a"))


def test_busy_and_unknown_workers_are_never_stopped() -> None:
    decision = decide(snap(0, WorkerView("busy"), WorkerView("ec2-unknown")), LIMITS)
    assert (decision.rule, decision.stop) == (Rule.STEADY, ())


def test_scale_down_keeps_the_minimum_and_the_workers_running_samples_need() -> None:
    workers = tuple(WorkerView(name, idle_for_s=1000) for name in "abcd")
    limits = ScalingLimits(min_workers=1, max_workers=4, idle_timeout_s=300)
    assert decide(snap(0, *workers), limits).stop == ("a", "b", "c")
    assert decide(snap(0, *workers, running=2), limits).stop == ("a", "b")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"min_workers": 3, "max_workers": 2}, "--min 3 --max 2"), ({"max_workers": 0}, "max >= 1"),
     ({"samples_per_worker": 0}, "samples per worker"), ({"cooldown_s": -1}, "--cooldown")],
)  # fmt: skip
def test_impossible_limits_are_a_config_error_naming_the_option(kwargs: dict[str, float], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        ScalingLimits(**kwargs)  # type: ignore[arg-type]
