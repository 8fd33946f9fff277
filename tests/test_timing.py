import logging
import time

import pytest

from oncodrop.timing import StepClock


def test_steps_are_timed_in_call_order_even_when_they_fail(caplog: pytest.LogCaptureFixture) -> None:
    clock = StepClock(logging.getLogger("t"))
    with caplog.at_level(logging.INFO), clock.step("fetch"):
        time.sleep(0.02)
    with pytest.raises(RuntimeError), clock.step("report"):
        raise RuntimeError("boom")
    assert list(clock.timings) == ["fetch", "report"]
    assert clock.timings["fetch"] >= 0.02
    assert "step fetch" in caplog.text
