"""The Celery executor on a real redis-server: ``oncodrop serve --executor celery`` dispatches,
two Celery worker processes (separate work dirs) run the real reporter, the ledger lease keeps
every sample to one run — on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from redis_server import redis_url  # noqa: F401 - module fixture
from service_harness import serve
from test_sigkill import (
    _big_sample,  # the same slow (40k-variant) sample as the local test
)
from waiting import scaled, wait_for

from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger
from oncodrop.service.embedded import EmbeddedService, all_terminal
from oncodrop.settings import Settings

pytestmark = pytest.mark.integration
V053 = "pcgr/v0.5.3"


def _brca(testdata, out, name):  # type: ignore[no-untyped-def]
    src = testdata / V053
    return pack_sample(out / name, src / "tumor_sample.BRCA.vcf.gz", src / "pcgr_configuration_examples.toml",
                       index=src / "tumor_sample.BRCA.vcf.gz.tbi")  # fmt: skip


def celery_env(broker: str, **extra: str) -> dict[str, str]:
    """Lease, job timeout and broker visibility scaled (ONCODROP_TEST_TIMESCALE); visibility > job timeout."""
    return {"ONCODROP_EXECUTOR": "celery", "ONCODROP_BROKER_URL": broker, "ONCODROP_LEASE_S": f"{scaled(6):g}",
            "ONCODROP_JOB_TIMEOUT_S": f"{scaled(60):g}", "ONCODROP_BROKER_VISIBILITY_TIMEOUT_S": f"{scaled(90):g}",
            "ONCODROP_SWEEP_INTERVAL_S": "0.5", **extra}  # fmt: skip


@contextmanager
def celery_worker_command(db: str, bundle: Path, workdir: Path, env: dict[str, str]) -> Iterator[Path]:
    """``oncodrop worker --executor celery``: what a second machine runs (own work dir). Yields its log."""
    workdir.mkdir(mode=0o700)
    log = workdir.parent / f"{workdir.name}.log"
    cmd = [sys.executable, "-m", "oncodrop", "worker", "--executor", "celery", "--workers", "1",
           "--db", db, "--bundle", str(bundle)]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env={**os.environ, **env, "ONCODROP_WORKDIR": str(workdir)},
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield log
    finally:
        proc.terminate()
        try:
            assert proc.wait(timeout=scaled(30)) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_four_samples_on_two_celery_workers_each_succeed_exactly_once(
    tmp_path, testdata, demo_bundle, redis_url  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    names = [f"batch{i}-c0ffe{i}-somatic.tar.gz" for i in range(4)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tarballs = [_brca(testdata, inbox, name) for name in names]
    env = celery_env(redis_url)
    with serve(tmp_path, demo_bundle, workers=1, env=env) as served, \
            celery_worker_command(served.db, demo_bundle, tmp_path / "work-2", env) as second_log:  # fmt: skip
        # both Celery workers consuming before the drop, or a slow start lets one take everything
        for log in (served.log, second_log):
            wait_for(lambda log=log: " ready." in log.read_text(), 60, f"Celery worker ready ({log.name})")
        for tarball in tarballs:
            (served.bucket / tarball.name).write_bytes(tarball.read_bytes())
        records = [served.wait_terminal(name, timeout_s=90) for name in names]
    assert [r.state.value for r in records] == ["SUCCEEDED"] * 4, [r.reason for r in records]
    assert [r.attempts for r in records] == [1, 1, 1, 1]
    with Ledger.open(served.db) as ledger:
        histories = [ledger.history(r.id) for r in records]
    claims = [[h for h in history if h.reason_code == "claimed"] for history in histories]
    assert [len(c) for c in claims] == [1, 1, 1, 1]
    assert all(c[0].actor.startswith("celery@") for c in claims)
    assert len({c[0].actor for c in claims}) == 2  # both workers (serve's, the worker command's) took work
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == sorted(n.replace(".tar.gz", "-output.tar.gz") for n in names)
    assert list(tmp_path.glob("work*/**/job-*")) == []  # every job dir scrubbed


@pytest.mark.slow
def test_sigkilled_celery_worker_mid_job_is_swept_and_finished_once(
    tmp_path, demo_bundle, redis_url  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    tarball = _big_sample(tmp_path)
    with serve(tmp_path, demo_bundle, workers=2, env=celery_env(redis_url, ONCODROP_LEASE_S=f"{scaled(3):g}")) as served:
        (served.bucket / tarball.name).write_bytes(tarball.read_bytes())
        running = served.wait_for(tarball.name, lambda r: r.state.value == "RUNNING", timeout_s=30)
        assert running.lease_owner is not None and running.lease_owner.startswith("celery@")
        os.kill(int(running.lease_owner.rsplit(":", 1)[1]), signal.SIGKILL)
        done = served.wait_terminal(tarball.name, timeout_s=60)
        with Ledger.open(served.db) as ledger:
            history = ledger.history(done.id)
    assert done.state.value == "SUCCEEDED", done.reason
    assert done.attempts == 1  # the killed worker's attempt was handed back (not the sample's doing)
    takeover = [h for h in history if h.reason_code == "lease_expired"]
    assert len(takeover) == 1 and takeover[0].actor != running.lease_owner
    assert [h.to_state.value for h in history].count("SUCCEEDED") == 1
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == ["big-0c0ffe-somatic-output.tar.gz"]


@pytest.mark.slow
def test_celery_workers_share_a_postgresql_ledger_and_run_each_sample_once(
    tmp_path, testdata, demo_bundle, redis_url, pg_url  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    """The many-machines layout: the ledger on PostgreSQL (a real server started by PID)."""
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    (tmp_path / "work").mkdir(mode=0o700)
    names = [f"pg{i}-abcde{i}-somatic.tar.gz" for i in range(2)]
    for name in names:
        _brca(testdata, bucket, name)
    settings = Settings.load(None, store=bucket.as_uri(), db=pg_url, bundle=demo_bundle, workers=2,
                             executor="celery", broker_url=redis_url, lease_s=scaled(6), job_timeout_s=scaled(60),
                             broker_visibility_timeout_s=scaled(90), sweep_interval_s=0.5, poll_interval=0.3,
                             workdir=tmp_path / "work")  # fmt: skip
    with EmbeddedService(settings, settle_s=0.2) as service:
        assert service.wait(all_terminal(len(names)), timeout_s=scaled(60))
        records = service.ledger.list_samples()
        claims = [[h for h in service.ledger.history(r.id) if h.reason_code == "claimed"] for r in records]
    assert sorted(r.key for r in records) == sorted(names)
    assert [r.state.value for r in records] == ["SUCCEEDED"] * 2, [r.reason for r in records]
    assert [len(c) for c in claims] == [1, 1] and all(c[0].actor.startswith("celery@") for c in claims)
    assert sorted(p.name for p in bucket.iterdir() if p.name.endswith("-output.tar.gz")) == sorted(
        n.replace(".tar.gz", "-output.tar.gz") for n in names
    )


@pytest.mark.slow
def test_sigterm_to_a_celery_worker_releases_its_job_which_another_worker_finishes(
    tmp_path, demo_bundle, redis_url  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    tarball = _big_sample(tmp_path)
    with serve(tmp_path, demo_bundle, workers=2, env=celery_env(redis_url)) as served:
        (served.bucket / tarball.name).write_bytes(tarball.read_bytes())
        running = served.wait_for(tarball.name, lambda r: r.state.value == "RUNNING", timeout_s=30)
        assert running.lease_owner is not None
        os.kill(int(running.lease_owner.rsplit(":", 1)[1]), signal.SIGTERM)
        done = served.wait_terminal(tarball.name, timeout_s=60)
        with Ledger.open(served.db) as ledger:
            history = ledger.history(done.id)
    assert done.state.value == "SUCCEEDED", done.reason
    assert done.attempts == 1  # a release hands the attempt back
    released = [h for h in history if h.reason_code == "released"]
    assert len(released) == 1 and released[0].actor == running.lease_owner
    assert released[0].reason == "worker shutting down"
    finishers = [h.actor for h in history if h.to_state.value == "SUCCEEDED"]
    assert len(finishers) == 1 and finishers[0] != running.lease_owner
