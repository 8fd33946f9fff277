"""Waiting in tests, and the time scale that lets them run on a loaded machine.

``ONCODROP_TEST_TIMESCALE`` (a float > 0) multiplies every lease, job timeout and wait a test
hands to the code under test or waits for. Unset, it is 1, or 3 when ``CI=true``. Raise it on a
loaded or slow machine (e.g. ``ONCODROP_TEST_TIMESCALE=5`` beside a CPU hog): tests get slower
to fail, never weaker — a test waits for a positive event, it never sleeps as proof.

Import as ``from waiting import scaled, wait_for`` (``tests/`` is on ``sys.path``, like
``httpcapture``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

IN_CI = os.environ.get("CI", "").strip().lower() == "true"


def _timescale() -> float:
    raw = os.environ.get("ONCODROP_TEST_TIMESCALE", "").strip()
    if not raw:
        return 3.0 if IN_CI else 1.0
    try:
        value = float(raw)
    except ValueError:
        raise RuntimeError(f"ONCODROP_TEST_TIMESCALE must be a number, not {raw!r}") from None
    if not value > 0:
        raise RuntimeError(f"ONCODROP_TEST_TIMESCALE must be > 0, not {raw!r}")
    return value


TIMESCALE = _timescale()


def scaled(seconds: float) -> float:
    """``seconds`` times the test time scale: for leases, job timeouts and waits."""
    return seconds * TIMESCALE


def wait_for(check: Callable[[], T], timeout_s: float = 30.0, what: str = "condition", *,
             interval_s: float = 0.05) -> T:  # fmt: skip
    """Poll ``check`` until it returns something truthy, and return that.

    ``timeout_s`` is the budget on a quiet machine; it is scaled here (do not pass a scaled
    value). Raises ``AssertionError`` naming ``what`` and the scaled budget when time runs out.
    """
    budget = scaled(timeout_s)
    deadline = time.monotonic() + budget
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} not reached within {budget:g} s ({timeout_s:g} s x timescale {TIMESCALE:g})"
            )
        time.sleep(interval_s)


def require(available: bool, reason: str) -> None:
    """A test's external dependency (PostgreSQL, redis-server, Chromium, ...): skip without it,
    except in CI (``CI=true``), where a missing dependency fails the test instead of hiding it."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing dependency is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)
