"""The AWS Batch executor's rules: the job-state table on describe_jobs answers shaped as AWS
sends them, job names, the cost estimate, and dispatcher sweeps over a real SQLite ledger with
a stand-in for the Batch API (the moto_server run is tests/integration/test_aws_batch.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError, ReasonCode
from oncodrop.execute.batch import BatchExecutor, end_rule, owned_by
from oncodrop.execute.batch_ctl import BatchCtl, BatchJob, job_name, parse_tags, record_id_of
from oncodrop.execute.batch_job import worker_id_for
from oncodrop.execute.cost import cost_usd
from oncodrop.ledger import Ledger
from oncodrop.settings import BatchSettings, Settings

# describe_jobs entries as AWS Batch returns them (trimmed to the fields we read)
SPOT_RECLAIM = {"jobId": "j-spot", "status": "FAILED", "statusReason": "Host EC2 (instance i-0abc) terminated.",
                "attempts": [{"container": {"exitCode": 143}, "statusReason": "Host EC2 (instance i-0abc) terminated."}],
                "container": {"exitCode": 143}, "startedAt": 1_000_000, "stoppedAt": 1_360_000}  # fmt: skip
CRASHED = {"jobId": "j-crash", "status": "FAILED", "statusReason": "Essential container in task exited",
           "container": {"exitCode": 1, "reason": ""}, "attempts": [{}]}  # fmt: skip
OOM = {"jobId": "j-oom", "status": "FAILED", "statusReason": "Essential container in task exited",
       "container": {"exitCode": 137, "reason": "OutOfMemoryError: Container killed due to memory usage"}}  # fmt: skip
TIMEOUT = {"jobId": "j-slow", "status": "FAILED", "statusReason": "Job attempt duration exceeded timeout"}
OURS = {"jobId": "j-term", "status": "FAILED", "statusReason": "oncodrop: terminated by an operator"}
DONE = {"jobId": "j-ok", "status": "SUCCEEDED", "statusReason": "Essential container in task exited",
        "container": {"exitCode": 0}, "startedAt": 0, "stoppedAt": 1_800_000}  # fmt: skip


@pytest.mark.parametrize(("data", "action", "code"), [
    (SPOT_RECLAIM, "release", None), (OURS, "release", None), (CRASHED, "fail", ReasonCode.JOB_CRASHED),
    (OOM, "fail", ReasonCode.JOB_CRASHED), (TIMEOUT, "fail", ReasonCode.TIMEOUT), (DONE, "none", None),
])  # fmt: skip
def test_every_ended_batch_job_has_a_ledger_rule(data: dict[str, Any], action: str, code: ReasonCode | None) -> None:
    rule = end_rule(BatchJob.from_api(data))
    assert (rule.action, rule.reason_code) == (action, code)


def test_an_oom_kill_says_which_setting_to_raise_and_a_vanished_job_leaves_it_to_the_lease() -> None:
    assert "batch.memory_mib" in end_rule(BatchJob.from_api(OOM)).why
    assert end_rule(None).action == "none"


def test_job_names_carry_the_record_id_in_batchs_alphabet() -> None:
    name = job_name("oncodrop", 42, "runA-3fa9c1", "somatic")
    assert name == "oncodrop-42-runA-3fa9c1-somatic" and record_id_of(name, "oncodrop") == 42
    assert job_name("oncodrop", 1, "a.b c", "normal") == "oncodrop-1-a_b_c-normal"
    assert record_id_of("other-7-x", "oncodrop") is None and len(job_name("p", 1, "x" * 300, "somatic")) == 128


def test_cost_is_runtime_times_vcpus_times_the_price() -> None:
    job = BatchJob.from_api(DONE)
    assert job.runtime_s == 1800.0
    assert cost_usd(job.runtime_s, 4, 0.02) == pytest.approx(0.04)
    assert cost_usd(None, 4, 0.02) is None


def test_static_tags_parse_from_key_value_pairs() -> None:
    assert parse_tags(["project=lab-a", " cost-centre = 42 ", "bare"]) == {"project": "lab-a", "cost-centre": "42",
                                                                            "bare": ""}  # fmt: skip


def test_the_executor_needs_a_queue_and_a_job_definition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="batch.job_queue and batch.job_definition"):
        BatchExecutor(Settings.load(db=f"sqlite:///{tmp_path}/l.db", executor="batch"))


class FakeBatch(BatchCtl):
    """Stands in for the Batch API only: records submissions, describes jobs as we set them."""

    def __init__(self) -> None:
        super().__init__(BatchSettings(job_queue="spot", job_definition="oncodrop:3"), client=object())
        self.submitted: list[dict[str, Any]] = []
        self.described: dict[str, dict[str, Any]] = {}

    def submit(self, *, name: str, queue: str, record_id: int, tags: Mapping[str, str]) -> str:
        job_id = f"job-{len(self.submitted)}"
        self.submitted.append({"name": name, "queue": queue, "record_id": record_id, "tags": dict(tags)})
        self.described[job_id] = {"jobId": job_id, "status": "RUNNABLE"}
        return job_id

    def describe(self, job_ids: Iterable[str]) -> dict[str, BatchJob]:
        return {i: BatchJob.from_api(self.described[i]) for i in job_ids if i in self.described}

    def live_jobs(self, queue: str) -> list[tuple[str, str]]:
        return [(i, s["name"]) for i, s in zip(self.described, self.submitted, strict=False)
                if self.described[i]["status"] == "RUNNABLE" and s["queue"] == queue]  # fmt: skip


def _queued(ledger: Ledger, n: int) -> list[int]:
    ids = []
    for i in range(n):
        record, _ = ledger.record_object("s3://drop", f"b{i}-00000{i}-somatic.tar.gz", f"e{i}", 10, "somatic",
                                         f"b{i}-00000{i}", f"b{i}-00000{i}-somatic-output.tar.gz")  # fmt: skip
        ids.append(ledger.queue(record.id).id)
    return ids


def _executor(tmp_path, fake: FakeBatch, **extra: Any) -> BatchExecutor:  # type: ignore[no-untyped-def]
    settings = Settings.load(db=f"sqlite:///{tmp_path / 'l.db'}", executor="batch", retry_backoff_s=0,
                             batch__job_queue="spot", batch__job_definition="oncodrop:3",
                             batch__tags=("project=lab-a",), **extra)  # fmt: skip
    executor = BatchExecutor(settings, ctl=fake)
    executor.start()
    executor._stop.set()  # no background sweeps: this test drives them
    return executor


def test_a_sweep_submits_each_sample_once_with_cost_tags_and_maps_job_ends_into_the_ledger(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeBatch()
    executor = _executor(tmp_path, fake)
    try:
        ids = _queued(executor.ledger, 3)
        first = executor.sweep_once()
        assert [r for r, _ in first.submitted] == ids
        assert fake.submitted[0]["tags"] == {"project": "lab-a", "oncodrop:sample": "b0-000000", "oncodrop:kind":
                                             "somatic", "oncodrop:record": str(ids[0]), "oncodrop:attempt": "1"}  # fmt: skip
        assert executor.sweep_once().submitted == ()  # live jobs: nothing submitted twice
        # job-0 runs and its spot host is reclaimed: released (no attempt spent), submitted again
        executor.ledger.claim_specific(ids[0], worker_id_for("job-0"), 60)
        assert owned_by(executor.ledger.get(ids[0]), "job-0")  # type: ignore[arg-type]
        fake.described["job-0"] = {**SPOT_RECLAIM, "jobId": "job-0"}
        # job-1 runs and its container crashes: failed for a retry
        executor.ledger.claim_specific(ids[1], worker_id_for("job-1"), 60)
        fake.described["job-1"] = {**CRASHED, "jobId": "job-1"}
        third = executor.sweep_once()
        assert sorted(third.ended) == [("job-0", "FAILED", "release"), ("job-1", "FAILED", "fail")]
        reclaimed, crashed = executor.ledger.get(ids[0]), executor.ledger.get(ids[1])
        assert reclaimed is not None and reclaimed.state is SampleState.QUEUED and reclaimed.reason_code != "job_crashed"
        assert reclaimed.attempts == 0 and "spot instance reclaimed" in (executor.ledger.history(ids[0])[-1].reason or "")
        assert crashed is not None and crashed.state is SampleState.QUEUED and crashed.reason_code == "job_crashed" and crashed.attempts == 1
        assert [r for r, _ in third.submitted] == [ids[0], ids[1]]  # both go again
    finally:
        executor.stop(timeout_s=5)


def test_a_job_that_never_claimed_its_sample_is_resubmitted_only_after_a_doubling_backoff(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeBatch()
    executor = _executor(tmp_path, fake, batch__resubmit_backoff_s=60)
    try:
        [record_id] = _queued(executor.ledger, 1)
        executor.sweep_once()
        fake.described["job-0"] = {"jobId": "job-0", "status": "FAILED", "statusReason": "CannotPullContainerError: x"}
        assert executor.sweep_once().submitted == ()  # held back, not resubmitted at once
        later = datetime.now(UTC) + timedelta(seconds=61)
        assert [r for r, _ in executor.sweep_once(later).submitted] == [record_id]
        fake.described["job-1"] = {"jobId": "job-1", "status": "FAILED", "statusReason": "CannotPullContainerError: x"}
        assert executor.sweep_once(later + timedelta(seconds=61)).submitted == ()  # now 120 s
        record = executor.ledger.get(record_id)
        assert record is not None and record.state is SampleState.QUEUED and record.attempts == 0
    finally:
        executor.stop(timeout_s=5)


def test_the_last_attempt_goes_to_the_on_demand_queue_and_a_restart_adopts_live_jobs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeBatch()
    executor = _executor(tmp_path, fake, max_attempts=2, batch__final_attempt_queue="on-demand")
    try:
        [record_id] = _queued(executor.ledger, 1)
        executor.sweep_once()
        executor.ledger.claim_specific(record_id, worker_id_for("job-0"), 60)
        fake.described["job-0"] = {**CRASHED, "jobId": "job-0"}
        executor.sweep_once()
        assert [s["queue"] for s in fake.submitted] == ["spot", "on-demand"]
    finally:
        executor.stop(timeout_s=5)
    again = _executor(tmp_path, fake, max_attempts=2, batch__final_attempt_queue="on-demand")
    try:
        assert again.jobs == {record_id: "job-1"}  # adopted from list_jobs: not submitted a third time
        assert again.sweep_once().submitted == ()
    finally:
        again.stop(timeout_s=5)
