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
import socket
import time
from collections.abc import Mapping

from oncodrop.execute.batch import OWNER_PREFIX
from oncodrop.execute.one_sample import resource_use, run_one_sample
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
    outcome = "skipped"
    try:
        outcome = run_one_sample(settings, record_id, work_root=work_root, worker_id=worker_id_for(job_id),
                                 label=f"batch job {job_id}")  # fmt: skip
    finally:
        use = {"job": job_id, "attempt": env.get(ATTEMPT_ENV), "record_id": record_id, "outcome": outcome,
               **resource_use(started)}  # fmt: skip
        log.info("batch job %s: sample #%d %s %s", job_id, record_id, outcome, json.dumps(use, sort_keys=True))
    return outcome
