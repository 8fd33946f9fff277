"""The Slurm executor's rules without a cluster: parsing ``scontrol``, the sbatch options, the
job-state table, and one dispatcher sweep over a real SQLite ledger with a stand-in for the
Slurm commands (the real cluster is in tests/integration/test_slurm.py)."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

import pytest

from oncodrop.domain.state import SampleState
from oncodrop.errors import ConfigError, ReasonCode
from oncodrop.execute.slurm import ENDED, LIVE, SlurmExecutor, absolute_paths, end_rule, job_script, owned_by
from oncodrop.execute.slurm_ctl import SlurmCtl, SlurmJob, expand_range, parse_show_job
from oncodrop.execute.slurm_job import job_key_from_env, pick_record, worker_id_for
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings, SlurmSettings

PENDING_ARRAY = ("JobId=7 ArrayJobId=7 ArrayTaskId=2-4%2 JobName=oncodrop JobState=PENDING "
                 "Reason=ReqNodeNotAvail NodeList=(null) ExitCode=0:0 RunTime=00:00:00")  # fmt: skip
RUNNING_TASK = ("JobId=8 ArrayJobId=7 ArrayTaskId=0 JobName=oncodrop JobState=RUNNING Reason=None "
                "NodeList=vm ExitCode=0:0 RunTime=00:00:09 TRES=cpu=1,node=1")  # fmt: skip
PLAIN_DONE = "JobId=11 JobName=oncodrop JobState=CANCELLED Reason=None NodeList=vm ExitCode=0:15 RunTime=00:00:03"


def test_scontrol_lines_become_jobs_keyed_like_the_executor_tracks_them() -> None:
    jobs = {j.key: j for j in parse_show_job(f"{PENDING_ARRAY}\n{RUNNING_TASK}\n{PLAIN_DONE}\n")}
    assert sorted(jobs) == ["11", "7_0", "7_2", "7_3", "7_4"]
    assert jobs["7_3"].state == "PENDING" and jobs["7_3"].reason == "ReqNodeNotAvail"
    assert jobs["7_0"].node == "vm" and jobs["7_0"].tres == "cpu=1,node=1"
    assert jobs["11"].state == "CANCELLED" and jobs["11"].exit_code == "0:15"


def test_array_index_ranges_expand() -> None:
    assert expand_range("0-3,7,9-10%2") == [0, 1, 2, 3, 7, 9, 10]


def test_sbatch_options_come_from_settings_and_never_requeue(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctl = SlurmCtl(SlurmSettings(partition="gpu", account="lab", cpus_per_task=4, mem_mb=8000, time_limit_min=30,
                                 extra_args=("--constraint=avx2",)))  # fmt: skip
    args = ctl.sbatch_args(array_size=5, output=tmp_path / "%A_%a.out", chdir=tmp_path)
    for expected in ("--partition=gpu", "--account=lab", "--cpus-per-task=4", "--mem=8000", "--time=30",
                     "--no-requeue", "--array=0-4", "--constraint=avx2", "--parsable"):  # fmt: skip
        assert expected in args
    single = SlurmCtl(SlurmSettings()).sbatch_args(array_size=1, output=tmp_path / "%j.out", chdir=tmp_path)
    assert not any(a.startswith(("--array", "--partition", "--qos")) for a in single)


@pytest.mark.parametrize(("state", "action", "code"), [
    ("COMPLETED", "none", None), ("CANCELLED by 0", "release", None), ("PREEMPTED", "release", None),
    ("NODE_FAIL", "fail", ReasonCode.JOB_CRASHED), ("OUT_OF_MEMORY", "fail", ReasonCode.JOB_CRASHED),
    ("TIMEOUT", "fail", ReasonCode.TIMEOUT), ("", "none", None),
])  # fmt: skip
def test_every_ended_state_has_a_ledger_rule(state: str, action: str, code: ReasonCode | None) -> None:
    rule = end_rule(state)
    assert (rule.action, rule.reason_code) == (action, code)
    assert not LIVE & set(ENDED)


def test_the_job_script_execs_python_so_sigterm_reaches_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = job_script("/opt/oncodrop/venv/bin/python", tmp_path / "sp ool", tmp_path / "b.json")
    assert script.startswith("#!/bin/sh\nexec /opt/oncodrop/venv/bin/python -m oncodrop.execute.slurm_job ")
    assert "'" in script  # the path with a space is quoted


def test_an_array_task_picks_its_record_and_names_its_lease() -> None:
    env = {"SLURM_JOB_ID": "15", "SLURM_ARRAY_JOB_ID": "12", "SLURM_ARRAY_TASK_ID": "2"}
    assert job_key_from_env(env) == "12_2"
    assert pick_record({"record_ids": [4, 5, 6]}, env) == 6
    assert job_key_from_env({"SLURM_JOB_ID": "15"}) == "15"
    assert pick_record({"record_ids": [4]}, {"SLURM_JOB_ID": "15"}) == 4
    assert worker_id_for("12_2").startswith("slurm:12_2@")


class FakeSlurm(SlurmCtl):
    """Stands in for the Slurm commands only: records submissions, reports states we set."""

    def __init__(self) -> None:
        super().__init__(SlurmSettings())
        self.submitted: list[tuple[int, str]] = []
        self.states: dict[str, str] = {}
        self.cancelled: list[str] = []

    def submit(self, script: str, *, array_size: int, output: Path, chdir: Path) -> str:
        job_id = str(100 + len(self.submitted))
        self.submitted.append((array_size, script))
        for key in ([f"{job_id}_{i}" for i in range(array_size)] if array_size > 1 else [job_id]):
            self.states[key] = "PENDING"
        return job_id

    def jobs(self, job_ids: Iterable[str]) -> dict[str, SlurmJob]:
        return {k: SlurmJob(k, s) for k, s in self.states.items() if k.split("_")[0] in set(job_ids)}

    def cancel(self, keys: Iterable[str]) -> None:
        self.cancelled.extend(keys)

    def accounting(self, key: str) -> dict[str, str]:
        return {}


def _queued(ledger: Ledger, n: int) -> list[int]:
    ids = []
    for i in range(n):
        record, _ = ledger.record_object("file:///b", f"b{i}-00000{i}-somatic.tar.gz", f"e{i}", 10, "somatic",
                                         f"b{i}-00000{i}", f"b{i}-00000{i}-somatic-output.tar.gz")  # fmt: skip
        ids.append(ledger.queue(record.id).id)
    return ids


def test_a_sweep_submits_an_array_once_and_maps_a_dead_job_into_the_ledger(tmp_path, demo_bundle) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.load(db=f"sqlite:///{tmp_path / 'l.db'}", bundle=demo_bundle, workdir=tmp_path,
                             executor="slurm", retry_backoff_s=0)  # fmt: skip
    executor = SlurmExecutor(settings)
    fake = FakeSlurm()
    executor.ctl = fake
    executor.start()
    executor._stop.set()  # no background sweeps: this test drives them
    try:
        ids = _queued(executor.ledger, 3)
        first = executor.sweep_once()
        assert first.submitted == tuple(ids) and [n for n, _ in fake.submitted] == [3]
        assert stat.S_IMODE((executor.spool / "settings.json").stat().st_mode) == 0o600
        assert executor.sweep_once().submitted == ()  # pending jobs: nothing submitted twice
        # task 1 claims its sample, then its node dies: the sample is failed for a retry and resubmitted
        key = "100_1"
        executor.ledger.claim_specific(ids[1], worker_id_for(key), 60)
        assert owned_by(executor.ledger.get(ids[1]), key)  # type: ignore[arg-type]
        fake.states[key] = "NODE_FAIL"
        third = executor.sweep_once()
        assert third.ended == ((key, "NODE_FAIL"),) and third.submitted == (ids[1],)
        after = executor.ledger.get(ids[1])
        assert after is not None and after.state is SampleState.QUEUED and after.reason_code == "job_crashed"
        assert "node failed" in (after.reason or "")
        # on stop, jobs of unfinished samples are cancelled
        fake.states = {k: "CANCELLED" for k in fake.states}
    finally:
        executor.stop(timeout_s=5)
    assert sorted(fake.cancelled) == ["100_0", "100_2", "101"]
    lines = (executor.spool / "accounting.jsonl").read_text().splitlines()
    assert len(lines) == 4  # one per ended job
    assert list((executor.spool / "batches").iterdir()) == []  # batch files go with their jobs


def test_jobs_get_absolute_paths_and_a_relative_sqlite_ledger_is_refused(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    settings = Settings.load(store=f"file://{tmp_path}/bucket", db=f"sqlite:///{tmp_path}/l.db", bundle="bundle",
                             workdir="work", slurm__spool_dir="spool")  # fmt: skip
    fixed = absolute_paths(settings)
    assert fixed.bundle == tmp_path / "bundle" and fixed.workdir == tmp_path / "work"
    assert fixed.slurm.spool_dir == tmp_path / "spool" and fixed.slurm.work_dir is None
    with pytest.raises(ConfigError, match="absolute SQLite"):
        absolute_paths(Settings.load(store=f"file://{tmp_path}/b", db="sqlite:///ledger.db"))
