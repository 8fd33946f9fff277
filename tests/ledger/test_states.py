from __future__ import annotations

import pytest

from oncodrop.domain.state import TERMINAL, TRANSITIONS, SampleState, check_transition
from oncodrop.errors import StateConflict


def test_terminal_states_are_succeeded_dead_and_rejected() -> None:
    assert TERMINAL == {SampleState.SUCCEEDED, SampleState.DEAD, SampleState.REJECTED}


def test_every_state_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(SampleState)


def test_rejection_is_possible_until_the_sample_finishes() -> None:
    can_reject = {s for s, nxt in TRANSITIONS.items() if SampleState.REJECTED in nxt}
    assert can_reject == {SampleState.RECEIVED, SampleState.QUEUED, SampleState.RUNNING}


def test_a_failed_attempt_moves_on_to_retry_or_dead_only() -> None:
    assert TRANSITIONS[SampleState.FAILED] == {SampleState.QUEUED, SampleState.DEAD}


def test_allowed_transition_passes_the_check() -> None:
    check_transition(7, SampleState.QUEUED, SampleState.RUNNING)


def test_leaving_a_terminal_state_is_refused_and_points_to_rerun() -> None:
    with pytest.raises(StateConflict, match=r"#7 is SUCCEEDED.*use rerun"):
        check_transition(7, SampleState.SUCCEEDED, SampleState.QUEUED)


def test_skipping_the_queue_is_refused() -> None:
    with pytest.raises(StateConflict, match="RECEIVED; it cannot move to RUNNING"):
        check_transition(1, SampleState.RECEIVED, SampleState.RUNNING)
