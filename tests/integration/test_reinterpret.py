"""Re-interpretation end to end: real reports (pipeline + reporters) with demo bundle v1 in a
folder store and a SQLite ledger, then v2 (``oncodrop.demo.revision``: one CIViC item added,
one ClinVar VUS reclassified, one item retired) installed and past samples re-interpreted."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reinterpret_samples import LYNCH, PastSamples, replicate, report_past_samples, tarballs
from waiting import scaled, wait_for

from oncodrop.demo.revision import ADDED_EVIDENCE, RETIRED_EVIDENCE, revise_demo_bundle
from oncodrop.digest import file_sha256
from oncodrop.domain.reinterpretation import ReinterpretJob, ReinterpretState
from oncodrop.errors import StateConflict
from oncodrop.execute.package import member_names, read_member, root_name_for
from oncodrop.execute.reinterpret import Runner, RunnerConfig, RunnerTally, run_job
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations, Selection
from oncodrop.naming import reinterpretation_key
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.interpretation.snapshot import FILE_NAME, loads
from oncodrop.report.reinterpret.rerun import Knowledge
from oncodrop.service.reinterpret import install_bundle, reinterpret_pass, run_reinterpretation
from oncodrop.settings import AwsSettings, ReinterpretSettings

MELANOMA = "demo_melanoma-a1b2c3-somatic.tar.gz"
BREAST = "demo_breast-4d5e6f-somatic.tar.gz"
NORMAL = "demo_breast-4d5e6f-normal.tar.gz"


@dataclass(frozen=True, slots=True)
class World:
    root: Path
    v1: Path
    v2: Path
    inputs: list[Path]


@pytest.fixture(scope="module")
def world(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("reinterp")
    v2 = revise_demo_bundle(demo_bundle, root / "bundle-v2")
    return World(root, demo_bundle, v2, tarballs(demo_bundle, root / "drops"))


@dataclass
class Past:
    ledger: Ledger
    samples: PastSamples
    db: str
    work: Path


@pytest.fixture
def past(world: World, tmp_path: Path) -> Iterator[Past]:
    """The four samples reported with v1 (a fresh ledger and store per test)."""
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        samples = report_past_samples(ledger, world.v1, world.inputs, tmp_path / "store", tmp_path / "work")
        yield Past(ledger, samples, db, tmp_path / "work")


def _changes(past: Past, key: str) -> list[tuple[str, str, str | None, str | None]]:
    store = past.samples.store
    record = next(r for r in past.ledger.list_samples(limit=100) if r.key == key)
    jobs = Reinterpretations(past.ledger).jobs(sample_pk=record.id)
    assert len(jobs) == 1
    if jobs[0].output_key is None:
        return []
    local = past.work / "check.tar.gz"
    store.get_file(jobs[0].output_key, local)
    summary = json.loads(read_member(local, f"{root_name_for(jobs[0].output_key)}/changes.json") or b"{}")
    return [(c["label"], c["kind"], c.get("before"), c.get("after")) for c in summary["changes"]]


def _settings() -> ReinterpretSettings:
    return ReinterpretSettings()


def test_every_output_keeps_its_interpretation_input_and_an_index_row(past: Past) -> None:
    reinterps = Reinterpretations(past.ledger)
    for record in past.ledger.list_samples(limit=100):
        refs = reinterps.interpretations(record.id)
        assert [(r.bundle_version, r.origin, r.location) for r in refs] == [
            ("2026.11-demo", "output", record.output_key)]
        local = past.work / "out.tar.gz"
        assert record.output_key is not None
        past.samples.store.get_file(record.output_key, local)
        stored = loads(read_member(local, f"{root_name_for(record.output_key)}/{FILE_NAME}") or b"")
        assert stored.interpretation.bundle.version == "2026.11-demo"
        assert stored.variants, record.key


def test_v1_to_v2_gives_exactly_the_known_changes_and_announces_the_meaningful_ones(past: Past, world: World) -> None:
    originals = {r.key: file_sha256(past.samples.store.path_of(r.output_key or ""))
                 for r in past.ledger.list_samples(limit=100)}  # fmt: skip
    install_bundle(past.ledger, world.v1)
    install_bundle(past.ledger, world.v2)
    run = run_reinterpretation(past.db, Selection(), _settings(), workdir=past.work)
    assert run.bundle.version == "2026.12-demo"
    assert (run.queued, run.counts["DONE"], run.counts["DEAD"]) == (4, 4, 0)

    assert sorted(_changes(past, MELANOMA)) == sorted([
        ("BRAF p.V600E", "evidence_retired", RETIRED_EVIDENCE, None),
        ("TP53 p.R273H", "tier", "III", "I"),
        ("TP53 p.R273H", "therapy_gained", None, "Eprenetapopt"),
        ("TP53 p.R273H", "oncogenicity", "VUS", "Likely oncogenic"),
        ("TP53 p.R273H", "evidence_added", None, ADDED_EVIDENCE),
    ])  # fmt: skip
    lynch = _changes(past, LYNCH)
    assert ("MSH6 c.1?", "germline_class", "VUS", "Likely pathogenic") in lynch
    assert {kind for _, kind, _, _ in lynch} == {"germline_class", "clinvar"}
    assert _changes(past, BREAST) == [] and _changes(past, NORMAL) == []

    # the originals are untouched; each change report sits beside its original
    for record in past.ledger.list_samples(limit=100):
        assert file_sha256(past.samples.store.path_of(record.output_key or "")) == originals[record.key]
    key = reinterpretation_key(f"{MELANOMA.removesuffix('.tar.gz')}-output.tar.gz", "2026.12-demo")
    names = member_names(past.samples.store.path_of(key))
    root = root_name_for(key)
    for member in ("changes.html", "changes.json", "report/report.html", f"report/{FILE_NAME}",
                   "report/demo_melanoma-a1b2c3.tiers.tsv"):  # fmt: skip
        assert f"{root}/{member}" in names
    html = (read_member(past.samples.store.path_of(key), f"{root}/changes.html") or b"").decode()
    assert "TP53 p.R273H" in html and ADDED_EVIDENCE in html

    notices = [(item.record.key, item.detail) for item, _ in past.ledger.notifications()
               if item.detail is not None]  # fmt: skip
    assert sorted(k for k, _ in notices) == sorted([MELANOMA, LYNCH])
    melanoma = next(d for k, d in notices if k == MELANOMA)
    assert melanoma["meaningful"] == ["TP53 p.R273H: tier III → I (new_tier_1_2)"]
    assert melanoma["output_key"] == key

    # once per (sample, bundle version): asking again queues and does nothing
    again = run_reinterpretation(past.db, Selection(), _settings(), workdir=past.work)
    assert (again.queued, again.counts["DONE"]) == (0, 4)

    # the next bundle is compared with what each sample was last reported with: for the changed
    # ones, the interpretation inside their re-interpretation (same knowledge again: no change)
    v2_again = world.root / f"v2-again-{past.work.parent.name}"
    shutil.copytree(world.v2, v2_again)
    manifest = json.loads((v2_again / "manifest.json").read_text())
    (v2_again / "manifest.json").write_text(json.dumps({**manifest, "version": "2026.12-demo-again"}))
    install_bundle(past.ledger, v2_again)
    third = run_reinterpretation(past.db, Selection(), _settings(), workdir=past.work)
    assert (third.queued, third.counts["DONE"]) == (4, 4)
    assert all(j.changes == 0 for j in Reinterpretations(past.ledger).jobs(bundle_version="2026.12-demo-again"))
    melanoma_pk = next(r.id for r in past.ledger.list_samples(limit=100) if r.key == MELANOMA)
    refs = Reinterpretations(past.ledger).interpretations(melanoma_pk)
    assert [(r.bundle_version, r.origin) for r in refs] == [
        ("2026.11-demo", "output"), ("2026.12-demo", "reinterpretation"), ("2026.12-demo-again", "unchanged")]
    assert refs[2].location == refs[1].location == key


def test_a_bundle_with_the_same_knowledge_changes_nothing(past: Past, world: World) -> None:
    same = world.root / f"v1-copy-{past.work.parent.name}"
    shutil.copytree(world.v1, same)
    manifest = json.loads((same / "manifest.json").read_text())
    (same / "manifest.json").write_text(json.dumps({**manifest, "version": "2026.11-demo-again"}))
    install_bundle(past.ledger, same)
    run = run_reinterpretation(past.db, Selection(), _settings(), workdir=past.work)
    assert run.counts["DONE"] == 4
    assert all(j.changes == 0 and j.output_key is None
               for j in Reinterpretations(past.ledger).jobs())  # fmt: skip
    assert not any(item.detail for item, _ in past.ledger.notifications())
    assert not [k for k in past.samples.store.root.rglob("*reinterpretation*")]


def test_selection_by_key_and_batch(past: Past, world: World) -> None:
    install_bundle(past.ledger, world.v2)
    reinterps = Reinterpretations(past.ledger)
    assert reinterps.enqueue("2026.12-demo", Selection(keys=(MELANOMA,))) == 1
    assert reinterps.enqueue("2026.12-demo", Selection(batch="demo_breast-4d5e6f")) == 2
    assert reinterps.enqueue("2026.12-demo", Selection()) == 1


def test_a_crash_mid_batch_resumes_without_duplicates(past: Past, world: World) -> None:
    install_bundle(past.ledger, world.v2)
    reinterps = Reinterpretations(past.ledger)
    assert reinterps.enqueue("2026.12-demo", Selection()) == 4
    cfg = RunnerConfig(world.v2, "2026.12-demo", ReinterpretSettings().announce, lease_s=600, workdir=past.work)
    # runner A finishes one job, then dies holding the next one right after uploading its report
    Runner(reinterps, lambda _: past.samples.store, cfg, "runner-a").run(limit=1)
    dying = reinterps.claim("runner-a", -1.0, "2026.12-demo")  # its lease has already run out
    assert dying is not None
    knowledge = Knowledge(Bundle.open(world.v2))
    scratch = past.work / "dying"
    scratch.mkdir(parents=True)
    assert dying.sample_output_key is not None
    run_job(dying, dying.sample_output_key, past.samples.store, knowledge, cfg, scratch)
    knowledge.close()
    # the next run takes over the expired lease and finishes the batch
    run = run_reinterpretation(past.db, Selection(), _settings(), workdir=past.work)
    assert (run.queued, run.counts["DONE"]) == (0, 4)
    jobs = reinterps.jobs()
    assert len(jobs) == 4 and all(j.state is ReinterpretState.DONE for j in jobs)
    assert len(list(past.samples.store.root.rglob("*-reinterpretation-*.tar.gz"))) == 2
    notices = [item.record.key for item, _ in past.ledger.notifications() if item.detail is not None]
    assert sorted(notices) == sorted([MELANOMA, LYNCH])
    # a late complete by the dead runner is refused
    with pytest.raises(StateConflict):
        reinterps.complete(dying.id, "runner-a", output_key=None, location="x", changes=0, meaningful=0,
                           summary={}, notice=None)  # fmt: skip


def test_a_runner_keeps_the_heap_of_its_first_job_out_of_full_collections_until_its_batch_ends(
    past: Past, world: World
) -> None:
    install_bundle(past.ledger, world.v2)
    reinterps = Reinterpretations(past.ledger)
    assert reinterps.enqueue("2026.12-demo", Selection()) == 4
    frozen_at_start: list[int] = []

    class Watched(Runner):
        def run_one(self, job: ReinterpretJob, tally: RunnerTally) -> None:
            frozen_at_start.append(gc.get_freeze_count())
            super().run_one(job, tally)

    cfg = RunnerConfig(world.v2, "2026.12-demo", ReinterpretSettings().announce, workdir=past.work)
    assert gc.get_freeze_count() == 0
    tally = Watched(reinterps, lambda _: past.samples.store, cfg).run()
    assert (tally.done, tally.changed) == (4, 2)
    assert frozen_at_start[0] == 0 and all(n > 0 for n in frozen_at_start[1:]) and len(frozen_at_start) == 4
    assert gc.get_freeze_count() == 0  # the process is left as it was (serve runs passes in-process)


def test_the_scheduled_pass_reinterprets_against_a_newly_current_bundle_once(past: Past, world: World) -> None:
    settings = ReinterpretSettings(watch_s=1.0)
    assert reinterpret_pass(past.ledger, settings, AwsSettings(), workdir=past.work).done == 0  # none installed
    install_bundle(past.ledger, world.v2)
    first = reinterpret_pass(past.ledger, settings, AwsSettings(), workdir=past.work)
    assert (first.done, first.changed, first.meaningful) == (4, 2, 2)
    assert reinterpret_pass(past.ledger, settings, AwsSettings(), workdir=past.work).done == 0


def test_a_sigkilled_reinterpret_command_is_finished_by_the_next_run_without_duplicates(past: Past, world: World) -> None:
    store_root = past.samples.store.root
    replicate(past.ledger, store_root, past.samples.store_url, 36, past.work / "copies")  # 40 samples, 20 change
    install_bundle(past.ledger, world.v2)
    env = {**os.environ, "ONCODROP_DB": past.db, "ONCODROP_REINTERPRET__LEASE_S": str(scaled(3)),
           "ONCODROP_WORKDIR": str(past.work)}  # fmt: skip
    cmd = [sys.executable, "-m", "oncodrop", "reinterpret", "--all"]
    reinterps = Reinterpretations(past.ledger)

    def done() -> int:
        return reinterps.counts("2026.12-demo")["DONE"]

    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: done() >= 3 or first.poll() is not None, 300, "three re-interpretations done")
    first.kill()
    first.wait()
    assert first.returncode == -9, "the first run must be killed mid-batch (it finished first)"
    assert done() < 40
    second = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=scaled(900))
    assert second.returncode == 0, second.stderr[-2000:]
    jobs = reinterps.jobs(bundle_version="2026.12-demo")
    assert len(jobs) == 40 and all(j.state is ReinterpretState.DONE for j in jobs)
    changed = [j for j in jobs if j.output_key is not None]
    assert len(changed) == 20
    assert sorted(p.name for p in store_root.rglob("*-reinterpretation-*.tar.gz")) == sorted(
        j.output_key for j in changed)  # fmt: skip
    notices = [item.record.key for item, _ in past.ledger.notifications() if item.detail is not None]
    assert len(notices) == len(set(notices)) == 20


def test_an_output_without_an_interpretation_input_ends_dead_with_a_reason_and_the_rest_go_on(
    past: Past, world: World
) -> None:
    import tarfile

    from oncodrop.execute.package import write_reproducible_tarball

    record = next(r for r in past.ledger.list_samples(limit=100) if r.key == BREAST)
    assert record.output_key is not None
    path = past.samples.store.path_of(record.output_key)
    unpacked = past.work / "old-output"
    with tarfile.open(path) as tar:
        tar.extractall(unpacked, filter="data")
    root = unpacked / root_name_for(record.output_key)
    (root / FILE_NAME).unlink()  # as an output made before inputs were kept
    write_reproducible_tarball(root, path, root.name)
    install_bundle(past.ledger, world.v2)
    run = run_reinterpretation(past.db, Selection(), _settings(), workdir=past.work)
    assert (run.counts["DONE"], run.counts["DEAD"]) == (3, 1)
    (dead,) = [j for j in Reinterpretations(past.ledger).jobs() if j.state is ReinterpretState.DEAD]
    assert dead.sample_key == BREAST and dead.reason is not None
    assert "holds no interpretation.json.gz" in dead.reason and "re-run the sample" in dead.reason
