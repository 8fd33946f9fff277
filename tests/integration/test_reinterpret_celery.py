"""Re-interpretation on Celery: ``oncodrop reinterpret --all`` with ``executor = celery`` sends
``[reinterpret] workers`` drains (the task ``oncodrop.reinterpret_drain``) to a real redis-server,
where a real Celery worker (``oncodrop worker --executor celery``) runs them; the command waits
on the ledger and every past sample is re-interpreted once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from redis_server import redis_url  # noqa: F401 - module fixture
from reinterpret_samples import assert_reinterpreted_once, replicate, report_past_samples, tarballs
from test_celery_redis import celery_env, celery_worker_command
from waiting import scaled, wait_for

from oncodrop.demo.revision import revise_demo_bundle
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations
from oncodrop.naming import parse_key
from oncodrop.service.reinterpret import install_bundle

pytestmark = pytest.mark.integration
DRAIN = re.compile(r"re-interpretation drain celery@\S+ of bundle 2026.12-demo: (\d+) done")


@pytest.mark.slow
def test_reinterpret_on_celery_runs_drains_on_the_workers_once_per_sample(
    tmp_path: Path, demo_bundle: Path, redis_url: str  # noqa: F811
) -> None:  # fmt: skip
    v2 = revise_demo_bundle(demo_bundle, tmp_path / "bundle-v2")
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        past = report_past_samples(ledger, demo_bundle, tarballs(demo_bundle, tmp_path / "drops"), tmp_path / "store",
                                   tmp_path / "work")  # fmt: skip
        install_bundle(ledger, v2)
    env = celery_env(redis_url, ONCODROP_REINTERPRET__WORKERS="2",
                     ONCODROP_REINTERPRET__LEASE_S=f"{scaled(30):g}")  # fmt: skip
    with celery_worker_command(db, demo_bundle, tmp_path / "celery-1", env) as log_1, \
            celery_worker_command(db, demo_bundle, tmp_path / "celery-2", env) as log_2:  # fmt: skip
        for log in (log_1, log_2):
            wait_for(lambda log=log: " ready." in log.read_text(), 60, f"Celery worker ready ({log.name})")
        ran = subprocess.run([sys.executable, "-m", "oncodrop", "reinterpret", "--all", "--db", db, "--json",
                              "--timeout", f"{scaled(300):g}"], env={**os.environ, **env}, capture_output=True,
                             text=True, timeout=scaled(400), check=False)  # fmt: skip
        worker_log = log_1.read_text() + log_2.read_text()
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout) == {"bundle_version": "2026.12-demo", "queued": 4, "QUEUED": 0, "RUNNING": 0,
                                      "DONE": 4, "DEAD": 0}  # fmt: skip
    # the drains ran in the Celery workers, and between them re-interpreted each sample once
    drains = DRAIN.findall(worker_log)
    assert len(drains) == 2 and sum(int(n) for n in drains) == 4, drains
    assert "drain(s) sent to celery" in ran.stderr
    with Ledger.open(db) as ledger:
        assert_reinterpreted_once(ledger, past.store.root)


def test_without_workers_the_drains_wait_on_the_queue_and_the_command_stops_waiting_at_its_timeout(
    tmp_path: Path, redis_url: str  # noqa: F811
) -> None:  # fmt: skip
    import redis

    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        for i in range(3):  # past samples as the ledger records them (no drain runs here)
            key = f"past{i}-abcde{i}-somatic.tar.gz"
            parsed = parse_key(key)
            record, _ = ledger.admit_object("file:///store", key, f"e{i}", 1, parsed.kind, parsed.sample_id,
                                            parsed.output_key)  # fmt: skip
            assert ledger.claim_specific(record.id, "w", 60) is not None
            ledger.succeed(record.id, "w", parsed.output_key, None, "v1")
        Reinterpretations(ledger).install_bundle(name="b", version="v2", path=str(tmp_path), manifest_sha256="x",
                                                 demo=True, current=True)  # fmt: skip
    queue = f"reinterp-{tmp_path.name}"
    env = {**os.environ, **celery_env(redis_url), "ONCODROP_CELERY__QUEUE": queue,
           "ONCODROP_REINTERPRET__WORKERS": "2"}  # fmt: skip
    ran = subprocess.run([sys.executable, "-m", "oncodrop", "reinterpret", "--all", "--db", db, "--timeout", "1"],
                         env=env, capture_output=True, text=True, timeout=scaled(120), check=False)  # fmt: skip
    assert ran.returncode == 1, ran.stderr[-3000:]
    assert "bundle v2: 3 queued; QUEUED 3, RUNNING 0, DONE 0, DEAD 0" in ran.stdout
    assert "3 job(s) not finished after 1 s; the drains go on" in ran.stderr
    messages = redis.Redis.from_url(redis_url).lrange(queue, 0, -1)
    assert len(messages) == 2 and all(b"oncodrop.reinterpret_drain" in m for m in messages)


@pytest.mark.slow
def test_a_warm_shutdown_mid_drain_puts_the_drain_back_and_another_worker_finishes_it_once(
    tmp_path: Path, demo_bundle: Path, redis_url: str  # noqa: F811
) -> None:  # fmt: skip
    v2 = revise_demo_bundle(demo_bundle, tmp_path / "bundle-v2")
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        past = report_past_samples(ledger, demo_bundle, tarballs(demo_bundle, tmp_path / "drops"), tmp_path / "store",
                                   tmp_path / "work")  # fmt: skip
        replicate(ledger, past.store.root, past.store_url, 36, tmp_path / "copies")  # 40 samples, 20 change
        install_bundle(ledger, v2)
    env = celery_env(redis_url, ONCODROP_CELERY__QUEUE=f"drain-{tmp_path.name}", ONCODROP_REINTERPRET__WORKERS="1",
                     ONCODROP_REINTERPRET__LEASE_S=f"{scaled(30):g}")  # fmt: skip
    command = subprocess.Popen([sys.executable, "-m", "oncodrop", "reinterpret", "--all", "--db", db, "--json",
                                "--timeout", f"{scaled(600):g}"], env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        with Ledger.open(db) as ledger:
            reinterps = Reinterpretations(ledger)
            with celery_worker_command(db, demo_bundle, tmp_path / "celery-a", env) as log_a:
                wait_for(lambda: reinterps.counts("2026.12-demo")["DONE"] >= 3, 120, "three re-interpretations done")
            # leaving the block SIGTERMs worker A (a warm shutdown) and checks it exited 0
            interrupted = reinterps.counts("2026.12-demo")["DONE"]
            assert interrupted < 40, "worker A must be stopped mid-drain (it finished first)"
            with celery_worker_command(db, demo_bundle, tmp_path / "celery-b", env) as log_b:
                out, err = command.communicate(timeout=scaled(600))
            jobs = reinterps.jobs(bundle_version="2026.12-demo")
            notices = [item.record.key for item, _ in ledger.notifications() if item.detail is not None]
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert command.returncode == 0, err[-3000:]
    assert json.loads(out)["DONE"] == 40
    drained = {name: [int(n) for n in DRAIN.findall(log.read_text())] for name, log in (("a", log_a), ("b", log_b))}
    assert len(drained["a"]) == 1 and len(drained["b"]) == 1, drained  # A's drain ended early, B ran it again
    assert drained["a"][0] + drained["b"][0] == 40 and drained["a"][0] < 40, drained
    assert "worker is shutting down" in log_a.read_text()  # the drain's message went back to the queue
    changed = [j.output_key for j in jobs if j.output_key is not None]
    assert len(changed) == 20
    assert sorted(p.name for p in past.store.root.rglob("*-reinterpretation-*.tar.gz")) == sorted(changed)
    assert len(notices) == len(set(notices)) == 20
