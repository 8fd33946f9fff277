"""serve's re-interpretation trigger on a remote executor: it sends drains for the current
bundle when jobs are unfinished and none finished since its last look, never runs a runner
itself; and the wait of ``oncodrop reinterpret`` ends when the bundle's jobs have."""

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


def test_the_trigger_sends_drains_for_new_or_stalled_work_and_not_while_jobs_finish(ledger: Ledger,
                                                                                    tmp_path: Path) -> None:  # fmt: skip
    settings = Settings.load(db="sqlite://", executor="slurm")
    sent: list[str] = []

    def send(_settings: Settings, version: str) -> None:
        sent.append(version)

    seen = Progress()
    reinterps = Reinterpretations(ledger)
    _past_samples(ledger, 3)
    assert not dispatch_pass(ledger, settings, seen, send) and sent == []  # no bundle installed
    reinterps.install_bundle(name="b", version="v2", path=str(tmp_path), manifest_sha256="x", demo=True, current=True)
    assert dispatch_pass(ledger, settings, seen, send) and sent == ["v2"]  # 3 queued, first look
    assert reinterps.counts("v2")["QUEUED"] == 3
    job = reinterps.claim("drain-a", 60, "v2")
    assert job is not None
    reinterps.complete(job.id, "drain-a", output_key=None, location="x", changes=0, meaningful=0, summary={},
                       notice=None)  # fmt: skip
    assert not dispatch_pass(ledger, settings, seen, send) and sent == ["v2"]  # one finished: drains at work
    assert dispatch_pass(ledger, settings, seen, send) and sent == ["v2", "v2"]  # nothing moved: stalled
    for worker in ("drain-b", "drain-c"):
        job = reinterps.claim(worker, 60, "v2")
        assert job is not None
        reinterps.fail(job.id, worker, "broken", max_attempts=1)
    assert not dispatch_pass(ledger, settings, seen, send)
    assert not dispatch_pass(ledger, settings, seen, send) and sent == ["v2", "v2"]  # all ended: nothing to do
    assert wait_for_bundle(reinterps, "v2", timeout_s=0) == {"QUEUED": 0, "RUNNING": 0, "DONE": 1, "DEAD": 2}


def test_the_wait_gives_up_at_its_timeout_with_the_counts_it_saw(ledger: Ledger, tmp_path: Path) -> None:
    reinterps = Reinterpretations(ledger)
    _past_samples(ledger, 2)
    reinterps.install_bundle(name="b", version="v2", path=str(tmp_path), manifest_sha256="x", demo=True, current=True)
    reinterps.enqueue("v2", Selection())
    assert wait_for_bundle(reinterps, "v2", timeout_s=0.2, poll_s=0.05)["QUEUED"] == 2
