"""The Slurm executor on a real one-node Slurm (Debian ``slurm-wlm`` + ``munge``) that the test
starts and stops by PID: ``oncodrop serve --executor slurm`` submits one job per sample (arrays
for a batch), the jobs run the real reporter under the ledger lease, and an ``scancel`` and a
node drain lose nothing and duplicate nothing.

The three-sample test (``scancel`` of a running job) runs in ``make test``; the twenty-sample one
(``scancel`` and a drain mid-run) takes a few minutes on a busy 2-core machine and runs with
``make test-slurm`` (``ONCODROP_TEST_SLURM_FULL=1``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_harness import Served, serve
from slurm_cluster import SlurmCluster, available, slurm_cluster
from test_celery_redis import _brca

from oncodrop.domain.sample import SampleRecord
from oncodrop.ledger import Ledger

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not available(), reason="needs Debian slurm-wlm and munge, run as root"),
]
FULL = os.environ.get("ONCODROP_TEST_SLURM_FULL") == "1"
SCALE = float(os.environ.get("ONCODROP_TEST_TIMESCALE", "1"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[SlurmCluster]:  # type: ignore[no-untyped-def]
    with slurm_cluster(tmp_path_factory.mktemp("slurm")) as running:
        yield running


def slurm_env(cluster: SlurmCluster, spool: Path) -> dict[str, str]:
    return {**cluster.env, "ONCODROP_EXECUTOR": "slurm", "ONCODROP_SLURM__SPOOL_DIR": str(spool),
            "ONCODROP_SLURM__POLL_S": "0.5", "ONCODROP_SLURM__MEM_MB": "400",
            "ONCODROP_SLURM__PARTITION": cluster.partition, "ONCODROP_LEASE_S": "30",
            "ONCODROP_RETRY_BACKOFF_S": "0"}  # fmt: skip


def _job_key(record: SampleRecord) -> str:
    owner = record.lease_owner or ""
    assert owner.startswith("slurm:"), owner
    return owner.removeprefix("slurm:").split("@", 1)[0]


def _check_exactly_once(served: Served, names: list[str]) -> list[SampleRecord]:
    """Every sample SUCCEEDED once, one output each, nothing else in the bucket's outputs."""
    by_key = {r.key: r for r in served.samples()}
    records = [by_key[name] for name in names]
    assert [r.state.value for r in records] == ["SUCCEEDED"] * len(names), [(r.key, r.reason) for r in records]
    with Ledger.open(served.db) as ledger:
        for record in records:
            history = ledger.history(record.id)
            assert [h.to_state.value for h in history].count("SUCCEEDED") == 1
            assert all(h.actor.startswith("slurm:") for h in history if h.reason_code == "claimed")
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == sorted(n.replace(".tar.gz", "-output.tar.gz") for n in names)
    return records


def _drop(testdata: Path, tmp_path: Path, served: Served, names: list[str]) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in names:
        tarball = _brca(testdata, inbox, name)
        (served.bucket / name).write_bytes(tarball.read_bytes())


def _scancel_one_running(served: Served, cluster: SlurmCluster, name: str) -> tuple[SampleRecord, str]:
    running = served.wait_for(name, lambda r: r.state.value == "RUNNING", timeout_s=180 * SCALE)
    key = _job_key(running)
    cluster.run("scancel", key)
    return running, key


def _check_cancelled_then_rerun(served: Served, name: str, key: str) -> None:
    record = next(r for r in served.samples() if r.key == name)
    with Ledger.open(served.db) as ledger:
        history = ledger.history(record.id)
    released = [h for h in history if h.reason_code == "released"]
    assert len(released) == 1 and key in (released[0].reason or ""), [(h.reason_code, h.reason) for h in history]
    claims = [h for h in history if h.reason_code == "claimed"]
    assert len(claims) == 2 and claims[0].actor != claims[1].actor  # a new job ran it
    assert record.attempts == 1  # the cancelled attempt was handed back, not counted


def _accounting(spool: Path) -> list[dict[str, object]]:
    path = spool / "accounting.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_three_samples_and_an_scancelled_job_each_succeed_once(tmp_path, testdata, demo_bundle, cluster) -> None:  # type: ignore[no-untyped-def]
    names = [f"slurm{i}-a1b2c{i}-somatic.tar.gz" for i in range(3)]
    spool = tmp_path / "spool"
    with serve(tmp_path, demo_bundle, workers=1, env=slurm_env(cluster, spool)) as served:
        _drop(testdata, tmp_path, served, names)
        _, key = _scancel_one_running(served, cluster, names[0])
        for name in names:
            served.wait_terminal(name, timeout_s=300 * SCALE)
    _check_exactly_once(served, names)
    _check_cancelled_then_rerun(served, names[0], key)
    entries = _accounting(spool)
    cancelled = [e for e in entries if e["job"] == key]
    assert cancelled and str(cancelled[0]["state"]).startswith("CANCELLED")
    done = [e for e in entries if e["state"] == "COMPLETED" and isinstance(e.get("job_rusage"), dict)]
    assert len({e["record_id"] for e in done}) == 3
    assert all(e["job_rusage"]["cpu_s"] > 0 and e["job_rusage"]["max_rss_kib"] > 0 for e in done)  # type: ignore[index]
    assert list(tmp_path.glob("work/**/job-*")) == []  # job dirs scrubbed


@pytest.mark.skipif(not FULL, reason="twenty samples take minutes: make test-slurm (ONCODROP_TEST_SLURM_FULL=1)")
def test_twenty_samples_survive_an_scancel_and_a_drained_node(tmp_path, testdata, demo_bundle, cluster) -> None:  # type: ignore[no-untyped-def]
    names = [f"hpc{i:02d}-c0de{i:02d}-somatic.tar.gz" for i in range(20)]
    spool = tmp_path / "spool"
    with serve(tmp_path, demo_bundle, workers=1, env=slurm_env(cluster, spool)) as served:
        _drop(testdata, tmp_path, served, names)
        _, key = _scancel_one_running(served, cluster, names[0])
        # drain the node while jobs run: they finish, the rest stay pending (and QUEUED in the ledger)
        served.wait_for(names[5], lambda r: r.state.value in ("RUNNING", "SUCCEEDED"), timeout_s=600 * SCALE)
        cluster.drain("oncodrop test drain")
        _wait_node(cluster, served, "IDLE+DRAIN")  # the running jobs finished, nothing new started
        held = served.samples()
        assert not [r for r in held if r.state.value == "RUNNING"], "a job ran on a drained node"
        assert [r for r in held if r.state.value == "QUEUED"], "nothing was left waiting for the drain"
        cluster.resume()
        for name in names:
            served.wait_terminal(name, timeout_s=900 * SCALE)
    _check_exactly_once(served, names)
    _check_cancelled_then_rerun(served, names[0], key)


def _wait_node(cluster: SlurmCluster, served: Served, state: str) -> None:
    deadline = time.monotonic() + 600 * SCALE
    while time.monotonic() < deadline:
        if state in cluster.node_state():
            return
        assert served.process.poll() is None, served.log.read_text()[-3000:]
        time.sleep(0.5)
    raise AssertionError(f"node never {state}: {cluster.node_state()}")
