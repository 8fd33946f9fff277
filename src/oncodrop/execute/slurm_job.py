"""The body of one Slurm job: claim the one sample it was submitted for and run it with the
local worker's code (``Worker.run_one``: heartbeat, job child, ``errors.classify``, ledger
outcome, terminal notification), exactly as a Celery task does (``execute.celery_app``).

``python -m oncodrop.execute.slurm_job SPOOL BATCH_FILE``: ``BATCH_FILE`` lists the record ids of
one submission; an array task picks ``record_ids[SLURM_ARRAY_TASK_ID]``. ``Ledger.claim_specific``
is the exactly-once guard: a duplicate submission finds the lease held or the sample finished
and exits 0 having done nothing.

``scancel`` sends SIGTERM to every process of the job. The job child and its fork server ignore
it (SIGTERM is ignored before the fork server starts, and an ignored signal stays ignored across
exec and fork), so only this process reacts: it stops the worker, which kills the child and
*releases* the lease (an uncounted attempt), and the executor submits the sample again.

At the end the job writes its own resource use (``getrusage``: CPU seconds and peak RSS of the
job and its children, what ``sacct`` reports as TotalCPU/MaxRSS) to the spool's ``accounting``
dir, since a cluster without ``slurmdbd`` has no ``sacct``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from pathlib import Path

from oncodrop.execute.one_sample import resource_use, run_one_sample
from oncodrop.logs import configure_logging
from oncodrop.settings import Settings

log = logging.getLogger(__name__)
SETTINGS_FILE = "settings.json"  # Settings.handover_json(), 0600, written by the executor
ACCOUNTING_DIR = "accounting"


def job_key_from_env(env: dict[str, str]) -> str:
    """``ARRAYID_TASK`` for an array task, else the job id; what the executor tracks."""
    array, task = env.get("SLURM_ARRAY_JOB_ID"), env.get("SLURM_ARRAY_TASK_ID")
    return f"{array}_{task}" if array and task else env.get("SLURM_JOB_ID", f"local{os.getpid()}")


def pick_record(batch: dict[str, list[int]], env: dict[str, str]) -> int:
    """The record id this job (or array task) runs."""
    return batch["record_ids"][int(env.get("SLURM_ARRAY_TASK_ID") or 0)]


def worker_id_for(key: str) -> str:
    """The lease owner name: the executor finds a job's sample by its ``slurm:KEY@`` prefix."""
    return f"slurm:{key}@{socket.gethostname()}:{os.getpid()}"


def main(spool: Path, batch_file: Path) -> int:
    started = time.monotonic()
    env = dict(os.environ)
    settings = Settings.from_handover((spool / SETTINGS_FILE).read_text())
    configure_logging(settings.log_level, settings.log_json, secrets=settings.secret_values())
    record_id = pick_record(json.loads(batch_file.read_text()), env)
    key = job_key_from_env(env)
    work_root = (settings.slurm.work_dir or settings.work_root) / f"oncodrop-slurm-{key}"
    outcome = "skipped"
    try:
        outcome = run_one_sample(settings, record_id, work_root=work_root, worker_id=worker_id_for(key),
                                 label=f"slurm job {key}")  # fmt: skip
    finally:
        _write_accounting(spool, key, record_id, outcome, resource_use(started))
        log.info("slurm job %s: sample #%d %s", key, record_id, outcome)
    return 0


def _write_accounting(spool: Path, key: str, record_id: int, outcome: str, use: dict[str, float | int]) -> None:
    folder = spool / ACCOUNTING_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    entry = {"job": key, "record_id": record_id, "outcome": outcome, "host": socket.gethostname(), **use}
    (folder / f"{key}.json").write_text(json.dumps(entry))


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
