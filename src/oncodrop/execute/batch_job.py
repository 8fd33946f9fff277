"""The body of one AWS Batch job: ``oncodrop batch-job --record-id N`` in the oncodrop image.

It claims the one sample it was submitted for and runs it with the local worker's code
(``Worker.run_one``: heartbeat, job child, ``errors.classify``, ledger outcome, notification in
the outbox), exactly as a Slurm job (``execute.slurm_job``) or a Celery task does.
``Ledger.claim_specific`` is the exactly-once guard: a duplicate job, or Batch's own retry of a
job whose sample another job finished, finds the lease held or the sample finished and exits 0
having done nothing.

Settings come from the job definition's environment (``ONCODROP_*``: bundle, work dir, the
``[aws] db_secret_id`` ARN, never a secret value); the CLI reads the ledger's password from
Secrets Manager before calling ``main``. The exit status is 0 whenever the outcome is in the
ledger, a rejected input included, so Batch's retry strategy (``Host EC2*`` only) never retries
a poison input. On SIGTERM (a spot reclaim's task stop, ``terminate_job``) the worker stops, the
job child is killed and the lease *released* (an uncounted attempt); the dispatcher submits the
sample again. The job's log goes to stdout, which Batch sends to CloudWatch Logs.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import time
from collections.abc import Mapping
from multiprocessing import forkserver
from types import FrameType

from oncodrop.execute.batch import OWNER_PREFIX
from oncodrop.execute.child import JOB_CTX
from oncodrop.execute.pipeline_job import PRELOAD, worker_config
from oncodrop.execute.slurm_job import resource_use
from oncodrop.execute.worker import Worker
from oncodrop.ledger import Ledger
from oncodrop.settings import Settings

log = logging.getLogger(__name__)
JOB_ID_ENV = "AWS_BATCH_JOB_ID"  # set by Batch in every job container
ATTEMPT_ENV = "AWS_BATCH_JOB_ATTEMPT"


def worker_id_for(job_id: str) -> str:
    """The lease owner: the dispatcher finds a job's sample by its ``batch:JOB@`` prefix."""
    return f"{OWNER_PREFIX}{job_id}@{socket.gethostname()}:{os.getpid()}"


def main(settings: Settings, record_id: int, env: Mapping[str, str] = os.environ) -> str:
    """Run sample ``record_id`` once; its state afterwards (``skipped`` when not runnable)."""
    started = time.monotonic()
    job_id = env.get(JOB_ID_ENV) or f"local{os.getpid()}"
    work_root = settings.work_root / f"oncodrop-batch-{job_id.replace(':', '_')}"
    config = worker_config(settings, work_root)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # inherited by the fork server and job children
    JOB_CTX.set_forkserver_preload([config.run_job.__module__, *PRELOAD])
    forkserver.ensure_running()
    ledger = Ledger.open(settings.db, migrate_schema=False, max_attempts=settings.max_attempts)
    worker = Worker(config, 0, ledger)
    worker.worker_id = worker_id_for(job_id)

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("batch job %s: %s received; stopping", job_id, signal.Signals(signum).name)
        worker.stop(f"batch job {job_id} stopped ({signal.Signals(signum).name})")

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    outcome = "skipped"
    try:
        worker.slot_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        record = ledger.claim_specific(record_id, worker.worker_id, settings.lease_s)
        if record is not None:
            worker.run_one(record)
            after = ledger.get(record_id)
            outcome = after.state.value if after is not None else "unknown"
    finally:
        ledger.close()
        shutil.rmtree(work_root, ignore_errors=True)
        stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own; see slurm_job
        if callable(stop):
            stop()
        use = {"job": job_id, "attempt": env.get(ATTEMPT_ENV), "record_id": record_id, "outcome": outcome,
               **resource_use(started)}  # fmt: skip
        log.info("batch job %s: sample #%d %s %s", job_id, record_id, outcome, json.dumps(use, sort_keys=True))
    return outcome
