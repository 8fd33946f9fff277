"""Re-interpretation jobs in the ledger: one per (sample, bundle version), one holder at a time."""

from __future__ import annotations

import pytest

from oncodrop.domain.reinterpretation import ReinterpretState
from oncodrop.errors import ConfigError, StateConflict
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations, Selection


def _succeeded(ledger: Ledger, n: int) -> list[int]:
    ids = []
    for i in range(n):
        key = f"b{i}-a1b2c3-somatic.tar.gz"
        record, _ = ledger.admit_object("file:///s", key, f"e{i}", 1, "somatic", f"b{i}-a1b2c3",
                                        f"b{i}-a1b2c3-somatic-output.tar.gz")  # fmt: skip
        ledger.claim_specific(record.id, "w", 60)
        ledger.succeed(record.id, "w", record.output_key or "", None, "v1")
        ids.append(record.id)
    return ids


def test_bundle_versions_one_current_and_a_version_cannot_change_contents(ledger: Ledger) -> None:
    r = Reinterpretations(ledger)
    r.install_bundle(name="b", version="v1", path="/b1", manifest_sha256="aa", demo=True)
    r.install_bundle(name="b", version="v2", path="/b2", manifest_sha256="bb", demo=True)
    assert [(b.version, b.current) for b in r.bundles()] == [("v1", False), ("v2", True)]
    assert (current := r.current_bundle()) is not None and current.version == "v2"
    with pytest.raises(ConfigError, match="already installed with other contents"):
        r.install_bundle(name="b", version="v1", path="/b3", manifest_sha256="cc", demo=True)


def test_enqueue_is_once_per_sample_and_bundle_and_skips_the_reported_version(ledger: Ledger) -> None:
    _succeeded(ledger, 3)
    r = Reinterpretations(ledger)
    assert r.enqueue("v1", Selection()) == 0  # reported with v1 already
    assert r.enqueue("v2", Selection(keys=("b0-a1b2c3-somatic.tar.gz",))) == 1
    assert r.enqueue("v2", Selection()) == 2
    assert r.enqueue("v2", Selection()) == 0


def test_one_holder_at_a_time_an_expired_lease_is_taken_over_and_the_old_holder_refused(ledger: Ledger) -> None:
    _succeeded(ledger, 1)
    r = Reinterpretations(ledger)
    r.enqueue("v2", Selection())
    job = r.claim("a", -1.0)  # taken, with a lease already run out
    assert job is not None and job.attempts == 1
    again = r.claim("b", 60.0)
    assert again is not None and again.id == job.id and again.attempts == 2
    assert r.claim("c", 60.0) is None  # b holds a live lease
    with pytest.raises(StateConflict):
        r.complete(job.id, "a", output_key=None, location="x", changes=0, meaningful=0, summary={}, notice=None)
    done = r.complete(job.id, "b", output_key="k", location="k", changes=2, meaningful=1, summary={"changes": 2},
                      notice={"event": "reinterpreted", "meaningful": ["x"], "output_key": "k"})  # fmt: skip
    assert (done.state, done.output_key) is not None and done.state is ReinterpretState.DONE
    assert [ref.bundle_version for ref in r.interpretations(job.sample_pk)] == ["v1", "v2"]
    notices = [item for item, _ in ledger.notifications() if item.detail is not None]
    assert len(notices) == 1 and notices[0].detail == {"event": "reinterpreted", "meaningful": ["x"], "output_key": "k"}


def test_a_failing_job_is_retried_then_dead(ledger: Ledger) -> None:
    _succeeded(ledger, 1)
    r = Reinterpretations(ledger)
    r.enqueue("v2", Selection())
    for attempt in (1, 2):
        job = r.claim("a", 60.0)
        assert job is not None
        after = r.fail(job.id, "a", "bad", max_attempts=2)
        assert after.state is (ReinterpretState.QUEUED if attempt == 1 else ReinterpretState.DEAD)
    assert r.claim("a", 60.0) is None
