"""The Slurm command line as the Slurm executor uses it: ``sbatch``, ``scontrol``, ``scancel``,
``sacct``. Nothing else in oncodrop runs a Slurm command; their failures become
``TransientError`` (the controller is down or busy: try again next sweep) here, at the edge.

Job states are read with ``scontrol show job -o`` (works without ``slurmdbd``; it knows a job
until ``MinJobAge`` after it ended); accounting with ``sacct`` when the cluster has accounting
storage, else the same ``scontrol`` record (run time, allocated TRES) — see deploy/hpc/README.md.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from oncodrop.errors import ConfigError, TransientError
from oncodrop.settings import SlurmSettings

log = logging.getLogger(__name__)
TIMEOUT_S = 60.0
_ARRAY_RANGE = re.compile(r"^\d+_\[")  # a pending array's summary line: "12_[3-9]"


@dataclass(frozen=True, slots=True)
class SlurmJob:
    """One job (or array task) as ``scontrol show job -o`` reports it."""

    key: str  # "123" for a plain job, "120_3" for task 3 of array 120
    state: str  # PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, NODE_FAIL, …
    reason: str = ""
    node: str = ""
    exit_code: str = ""
    run_time: str = ""
    tres: str = ""


def job_key(fields: Mapping[str, str]) -> str:
    """The key of a job record: ``ArrayJobId_ArrayTaskId`` for an array task, else ``JobId``."""
    array, task = fields.get("ArrayJobId"), fields.get("ArrayTaskId")
    if array and task and task != "N/A":
        return f"{array}_{task}"
    return fields.get("JobId", "")


def parse_show_job(text: str) -> list[SlurmJob]:
    """``scontrol show job -o`` output (one job per line, ``Key=Value`` words) as ``SlurmJob``s.
    A pending array's summary line (``ArrayTaskId=3-9``) is expanded into its tasks."""
    jobs: list[SlurmJob] = []
    for line in text.splitlines():
        fields = dict(word.split("=", 1) for word in line.split() if "=" in word)
        if "JobId" not in fields:
            continue
        state = fields.get("JobState", "UNKNOWN")
        common = {"state": state, "reason": fields.get("Reason", ""), "node": fields.get("NodeList", ""),
                  "exit_code": fields.get("ExitCode", ""), "run_time": fields.get("RunTime", ""),
                  "tres": fields.get("TRES", "")}  # fmt: skip
        task = fields.get("ArrayTaskId", "")
        if task and not task.isdigit() and task != "N/A":
            jobs.extend(SlurmJob(f"{fields['ArrayJobId']}_{t}", **common) for t in expand_range(task))
        else:
            jobs.append(SlurmJob(job_key(fields), **common))
    return jobs


def expand_range(spec: str) -> list[int]:
    """``"0-3,7,9-10%2"`` -> ``[0, 1, 2, 3, 7, 9, 10]`` (Slurm's array index syntax)."""
    indices: list[int] = []
    for part in spec.split("%")[0].split(","):
        low, _, high = part.partition("-")
        if low.isdigit():
            indices.extend(range(int(low), int(high or low) + 1))
    return indices


class SlurmCtl:
    """Runs Slurm's commands for the executor; ``env`` is added to ours (``SLURM_CONF`` in tests)."""

    def __init__(self, settings: SlurmSettings, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.env = {**os.environ, **(env or {})}

    def _command(self, name: str) -> str:
        return str(self.settings.bin_dir / name) if self.settings.bin_dir else name

    def _run(self, name: str, *args: str, stdin: str | None = None, check: bool = True) -> str:
        command = [self._command(name), *args]
        try:
            done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=self.env,
                                  timeout=TIMEOUT_S, check=False)  # fmt: skip
        except FileNotFoundError:
            raise ConfigError(f"{command[0]} not found: install the Slurm client or set slurm.bin_dir") from None
        except subprocess.TimeoutExpired:
            raise TransientError(f"{name} did not answer within {TIMEOUT_S:g} s") from None
        if check and done.returncode != 0:
            raise TransientError(f"{name} failed ({done.returncode}): {done.stderr.strip()[:300]}")
        return done.stdout

    def sbatch_args(self, *, array_size: int, output: Path, chdir: Path) -> list[str]:
        """The options of one submission: resources from settings, no Slurm requeue (the
        executor decides what runs again), the log in the spool dir."""
        s = self.settings
        args = ["--parsable", f"--job-name={s.job_name}", f"--cpus-per-task={s.cpus_per_task}",
                f"--time={s.time_limit_min}", "--no-requeue", "--ntasks=1", f"--output={output}",
                f"--chdir={chdir}"]  # fmt: skip
        args += [f"--{name}={value}" for name, value in
                 (("partition", s.partition), ("account", s.account), ("qos", s.qos), ("mem", s.mem_mb))
                 if value is not None]  # fmt: skip
        if array_size > 1:
            args.append(f"--array=0-{array_size - 1}")
        return [*args, *s.extra_args]

    def submit(self, script: str, *, array_size: int, output: Path, chdir: Path) -> str:
        """Submit ``script`` (on stdin); the job id (the array's id for an array)."""
        out = self._run("sbatch", *self.sbatch_args(array_size=array_size, output=output, chdir=chdir), stdin=script)
        job_id = out.strip().split(";")[0]
        if not job_id.isdigit():
            raise TransientError(f"sbatch answered {out.strip()[:80]!r}, not a job id")
        return job_id

    def jobs(self, job_ids: Iterable[str]) -> dict[str, SlurmJob]:
        """Every job/array task the controller still knows among ``job_ids``, by key."""
        found: dict[str, SlurmJob] = {}
        for job_id in sorted(set(job_ids)):
            out = self._run("scontrol", "show", "job", "-o", job_id, check=False)
            found.update((job.key, job) for job in parse_show_job(out))
        return found

    def cancel(self, keys: Iterable[str]) -> None:
        """``scancel`` these jobs/array tasks (SIGTERM, then SIGKILL after KillWait)."""
        chosen = sorted(set(keys))
        if chosen:
            self._run("scancel", *chosen, check=False)

    def accounting(self, key: str) -> dict[str, str]:
        """CPU time and max RSS from ``sacct`` when the cluster keeps accounting; ``{}`` when it
        does not (no slurmdbd: "accounting storage is disabled")."""
        out = self._run("sacct", "-j", key, "-n", "-P", "-o", "JobID,State,Elapsed,TotalCPU,MaxRSS,NodeList",
                        check=False)  # fmt: skip
        rows = [line.split("|") for line in out.splitlines() if line.count("|") == 5]
        if not rows:
            return {}
        peak = max((row[4] for row in rows if row[4]), default="", key=_rss_kib)
        first = rows[0]
        return {"source": "sacct", "state": first[1], "elapsed": first[2], "total_cpu": first[3],
                "max_rss": peak, "node": first[5]}  # fmt: skip


def _rss_kib(value: str) -> float:
    units = {"K": 1, "M": 1024, "G": 1024**2, "T": 1024**3}
    if value and value[-1] in units:
        return float(value[:-1] or 0) * units[value[-1]]
    return float(value or 0) / 1024
