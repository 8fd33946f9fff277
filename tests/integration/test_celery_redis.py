"""The Celery executor on a real redis-server: ``oncodrop serve --executor celery`` dispatches,
two Celery worker processes (separate work dirs) run the real reporter, the ledger lease keeps
every sample to one run."""

from __future__ import annotations

import os
import signal

import pytest
from redis_server import redis_url  # noqa: F401 - module fixture
from service_harness import serve
from test_sigkill import _big_sample  # the same slow (40k-variant) sample as the local test

from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger

pytestmark = pytest.mark.integration
V053 = "pcgr/v0.5.3"


def _brca(testdata, out, name):  # type: ignore[no-untyped-def]
    src = testdata / V053
    return pack_sample(out / name, src / "tumor_sample.BRCA.vcf.gz", src / "pcgr_configuration_examples.toml",
                       index=src / "tumor_sample.BRCA.vcf.gz.tbi")  # fmt: skip


def celery_env(broker: str, **extra: str) -> dict[str, str]:
    return {"ONCODROP_EXECUTOR": "celery", "ONCODROP_BROKER_URL": broker, "ONCODROP_LEASE_S": "6",
            "ONCODROP_JOB_TIMEOUT_S": "60", "ONCODROP_BROKER_VISIBILITY_TIMEOUT_S": "90",
            "ONCODROP_SWEEP_INTERVAL_S": "0.5", **extra}  # fmt: skip


def test_four_samples_on_two_celery_workers_each_succeed_exactly_once(
    tmp_path, testdata, demo_bundle, redis_url  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    names = [f"batch{i}-c0ffe{i}-somatic.tar.gz" for i in range(4)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tarballs = [_brca(testdata, inbox, name) for name in names]
    with serve(tmp_path, demo_bundle, workers=2, env=celery_env(redis_url)) as served:
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
    assert len({c[0].actor for c in claims}) == 2  # both worker processes took work
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == sorted(n.replace(".tar.gz", "-output.tar.gz") for n in names)
    assert list((tmp_path / "work").rglob("job-*")) == []  # every job dir scrubbed


def test_sigkilled_celery_worker_mid_job_is_swept_and_finished_once(
    tmp_path, demo_bundle, redis_url  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    tarball = _big_sample(tmp_path)
    with serve(tmp_path, demo_bundle, workers=2, env=celery_env(redis_url, ONCODROP_LEASE_S="3")) as served:
        (served.bucket / tarball.name).write_bytes(tarball.read_bytes())
        running = served.wait_for(tarball.name, lambda r: r.state.value == "RUNNING", timeout_s=30)
        assert running.lease_owner is not None and running.lease_owner.startswith("celery@")
        os.kill(int(running.lease_owner.rsplit(":", 1)[1]), signal.SIGKILL)
        done = served.wait_terminal(tarball.name, timeout_s=60)
        with Ledger.open(served.db) as ledger:
            history = ledger.history(done.id)
    assert done.state.value == "SUCCEEDED", done.reason
    assert done.attempts == 2
    takeover = [h for h in history if h.reason_code == "lease_expired"]
    assert len(takeover) == 1 and takeover[0].actor != running.lease_owner
    assert [h.to_state.value for h in history].count("SUCCEEDED") == 1
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == ["big-0c0ffe-somatic-output.tar.gz"]
