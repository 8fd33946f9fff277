"""serve's re-interpretation trigger on a remote executor: it sends drains for the current
bundle's new work, and again only for a stalled queue; the wait of ``oncodrop reinterpret``
ends when the bundle's jobs have, or at its timeout."""

from __future__ import annotations

from pathlib import Path

from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations, Selection
from oncodrop.naming import parse_key
from oncodrop.service.reinterpret_remote import Progress, dispatch_pass, wait_for_bundle
from oncodrop.settings import Settings


def _past_samples(ledger: Ledger, n: int) -> None:
    for i in range(n):
        key = f"past{i}-abcde{i}-somatic.tar.gz"
        parsed = parse_key(key)
        record, _ = ledger.admit_object("file:///store", key, f"e{i}", 1, parsed.kind, parsed.sample_id,
                                        parsed.output_key)  # fmt: skip
        assert ledger.claim_specific(record.id, "w", 60) is not None
        ledger.succeed(record.id, "w", parsed.output_key, None, "v1")


def test_the_trigger_sends_drains_for_new_work_and_again_only_when_it_stalled_a_lease_long(
    ledger: Ledger, tmp_path: Path
) -> None:  # fmt: skip
    settings = Settings.load(db="sqlite://", executor="slurm", reinterpret__lease_s=100)
    sent: list[str] = []

    def send(_settings: Settings, version: str) -> None:
        sent.append(version)

    def look(now: float) -> bool:
        return dispatch_pass(ledger, settings, progress, send, now=now)

    progress = Progress()
    reinterps = Reinterpretations(ledger)
    _past_samples(ledger, 3)
    assert not look(0) and sent == []  # no bundle installed
    reinterps.install_bundle(name="b", version="v2", path=str(tmp_path), manifest_sha256="x", demo=True, current=True)
    assert look(1) and sent == ["v2"]  # 3 queued, first look at v2
    assert reinterps.counts("v2")["QUEUED"] == 3
    assert not look(50)  # nothing moved, but the drains may still wait in the scheduler's queue
    job = reinterps.claim("drain-a", 60, "v2")
    assert job is not None
    assert not look(150)  # a claim: drains at work
    reinterps.complete(job.id, "drain-a", output_key=None, location="x", changes=0, meaningful=0, summary={},
                       notice=None)  # fmt: skip
    assert not look(160) and sent == ["v2"]  # a finish: drains at work
    assert look(170) and sent == ["v2", "v2"]  # nothing moved for a look, the last drains a lease old: stalled
    for worker in ("drain-b", "drain-c"):
        job = reinterps.claim(worker, 60, "v2")
        assert job is not None
        reinterps.fail(job.id, worker, "broken", max_attempts=1)
    assert not look(400)
    assert not look(500) and sent == ["v2", "v2"]  # all ended: nothing to do
    assert wait_for_bundle(reinterps, "v2", timeout_s=0) == {"QUEUED": 0, "RUNNING": 0, "DONE": 1, "DEAD": 2}


def test_the_wait_gives_up_at_its_timeout_with_the_counts_it_saw(ledger: Ledger, tmp_path: Path) -> None:
    reinterps = Reinterpretations(ledger)
    _past_samples(ledger, 2)
    reinterps.install_bundle(name="b", version="v2", path=str(tmp_path), manifest_sha256="x", demo=True, current=True)
    reinterps.enqueue("v2", Selection())
    assert wait_for_bundle(reinterps, "v2", timeout_s=0.2, poll_s=0.05)["QUEUED"] == 2
