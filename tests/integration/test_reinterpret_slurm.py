"""Re-interpretation on Slurm: ``oncodrop reinterpret --all`` with ``executor = slurm`` submits
one job array of ``[reinterpret] workers`` drains (``python -m oncodrop.execute.reinterpret_job
SPOOL VERSION``, settings from the executor's hand-over in the spool) to a real one-node Slurm
(tests/integration/slurm_cluster.py), waits on the ledger, and every past sample is
re-interpreted once; serve's scheduled trigger sends the same drains instead of running a
runner itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reinterpret_samples import PastSamples, assert_reinterpreted_once, report_past_samples, tarballs
from service_harness import serve
from slurm_cluster import SlurmCluster, available, slurm_cluster
from waiting import scaled, wait_for

from oncodrop.demo.revision import revise_demo_bundle
from oncodrop.execute.reinterpret_dispatch import SLURM_SUBSPOOL
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations
from oncodrop.service.reinterpret import install_bundle

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not available(), reason="needs Debian slurm-wlm and munge, run as root"),
]
REPO = Path(__file__).resolve().parents[2]
DRAIN = re.compile(r"re-interpretation drain slurm:\S+ of bundle 2026.12-demo: (\d+) done")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    with slurm_cluster(tmp_path_factory.mktemp("slurm")) as running:
        yield running


@dataclass(frozen=True, slots=True)
class Past:
    db: str
    samples: PastSamples
    spool: Path
    env: dict[str, str]


@pytest.fixture
def past(tmp_path: Path, demo_bundle: Path, cluster: SlurmCluster) -> Past:
    """Four samples reported with demo bundle v1 in ``tmp_path/ledger.db``, v2 installed."""
    v2 = revise_demo_bundle(demo_bundle, tmp_path / "bundle-v2")
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        samples = report_past_samples(ledger, demo_bundle, tarballs(demo_bundle, tmp_path / "drops"),
                                      tmp_path / "store", tmp_path / "scratch")  # fmt: skip
        install_bundle(ledger, v2)
    spool = tmp_path / "spool"
    # the jobs run in the spool: the source tree by its absolute path, whatever PYTHONPATH the run has
    env = {**cluster.env, "PYTHONPATH": str(REPO / "src"), "ONCODROP_EXECUTOR": "slurm", "ONCODROP_SLURM__SPOOL_DIR": str(spool),
           "ONCODROP_SLURM__POLL_S": "0.5", "ONCODROP_SLURM__PARTITION": cluster.partition,
           "ONCODROP_SLURM__MEM_MB": "400", "ONCODROP_REINTERPRET__WORKERS": "2",
           "ONCODROP_REINTERPRET__LEASE_S": f"{scaled(60):g}"}  # fmt: skip
    return Past(db, samples, spool, env)


def _drained(spool: Path, expect: int | None = None) -> list[int]:
    """What each drain's Slurm log says it re-interpreted ([] until ``expect`` drains said so)."""
    logs = sorted((spool / SLURM_SUBSPOOL / "logs").glob("*.out"))
    done = [int(n) for log in logs for n in DRAIN.findall(log.read_text())]
    return [] if expect is not None and len(done) != expect else done


def test_reinterpret_on_slurm_runs_a_job_array_of_drains_once_per_sample(tmp_path: Path, past: Past) -> None:
    env = {**os.environ, **past.env, "ONCODROP_DB": past.db, "ONCODROP_WORKDIR": str(tmp_path / "work")}
    ran = subprocess.run([sys.executable, "-m", "oncodrop", "reinterpret", "--all", "--json", "--timeout",
                          f"{scaled(300):g}"], env=env, capture_output=True, text=True, timeout=scaled(400),
                         check=False)  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout) == {"bundle_version": "2026.12-demo", "queued": 4, "QUEUED": 0, "RUNNING": 0,
                                      "DONE": 4, "DEAD": 0}  # fmt: skip
    with Ledger.open(past.db) as ledger:
        assert_reinterpreted_once(ledger, past.samples.store.root)
    # one array of two tasks ran the drains, each logging its tally; together: each sample once.
    # The command returns once the ledger has every job DONE; a drain may still be writing its
    # tally then, so wait for both lines (the positive event) before adding them up
    assert len(list((past.spool / SLURM_SUBSPOOL / "logs").glob("*_*.out"))) == 2
    done = wait_for(lambda: _drained(past.spool, expect=2), 60, "both drains' tallies in their Slurm logs")
    assert sum(done) == 4, done
    assert (past.spool / SLURM_SUBSPOOL / "settings.json").stat().st_mode & 0o777 == 0o600
    assert list((tmp_path / "work").glob("oncodrop-reinterpret-*")) == []  # drains' work dirs removed


def test_serves_scheduled_trigger_sends_drains_to_slurm_and_runs_no_runner_itself(
    tmp_path: Path, demo_bundle: Path, past: Past
) -> None:  # fmt: skip
    env = {**past.env, "ONCODROP_REINTERPRET__WATCH_S": "2"}
    with serve(tmp_path, demo_bundle, workers=1, env=env) as served, Ledger.open(past.db) as ledger:
        assert served.db == past.db
        reinterps = Reinterpretations(ledger)
        wait_for(lambda: reinterps.counts("2026.12-demo")["DONE"] == 4, 300, "four re-interpretations done")
        serve_log = served.log.read_text()
        assert_reinterpreted_once(ledger, past.samples.store.root)
    assert serve_log.count("drain(s) sent to slurm") == 1  # one round: its drains were at work
    assert "re-interpretation drain" not in serve_log  # no runner in serve's process
    wait_for(lambda: len(_drained(past.spool)) == 2, 60, "both drains' tallies in their Slurm logs")
    assert sum(_drained(past.spool)) == 4  # the Slurm drains did all of it
