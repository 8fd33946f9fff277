"""Starting re-interpretation drains (``execute.reinterpret_job``) on a remote executor.

``[reinterpret] workers`` drains of one bundle version go to the deployment's engine, which
decides where and when they run: Celery messages on the configured queue, one Slurm job array,
or AWS Batch jobs on the configured job definition with a command override. Nothing here waits
for them or tracks them: the ledger's job rows are the state, and a drain that never runs only
leaves its jobs QUEUED for the next one (a duplicate drain is harmless: the lease decides).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

from oncodrop.errors import ConfigError
from oncodrop.execute.slurm import absolute_paths, job_script, prepare_spool
from oncodrop.execute.slurm_ctl import SlurmCtl
from oncodrop.settings import Settings

log = logging.getLogger(__name__)
DRAIN_MODULE = "oncodrop.execute.reinterpret_job"
SLURM_SUBSPOOL = "reinterpret"  # drains have their own hand-over, logs and accounting in the spool


def _celery(settings: Settings, version: str, n: int) -> tuple[str, ...]:
    # Celery is the optional ``cloud`` extra: imported only when the deployment uses it
    from oncodrop.execute.celery_app import configure, send_drain

    configure(settings)
    for _ in range(n):
        send_drain(version)
    return tuple(f"celery:{settings.celery.queue}" for _ in range(n))


def _slurm(settings: Settings, version: str, n: int) -> tuple[str, ...]:
    settings = absolute_paths(settings)
    spool = (settings.slurm.spool_dir or settings.work_root / "oncodrop-slurm").resolve() / SLURM_SUBSPOOL
    prepare_spool(spool, settings)
    python = settings.slurm.python or sys.executable
    output = spool / "logs" / ("%A_%a.out" if n > 1 else "%j.out")
    job_id = SlurmCtl(settings.slurm).submit(job_script(python, spool, version, DRAIN_MODULE), array_size=n,
                                             output=output, chdir=spool)  # fmt: skip
    return tuple(f"{job_id}_{i}" for i in range(n)) if n > 1 else (job_id,)


def batch_command(version: str) -> list[str]:
    """The command override of a drain's Batch job (the image's ``oncodrop`` entry point)."""
    return ["oncodrop", "reinterpret-job", "--bundle-version", version]


def _batch(settings: Settings, version: str, n: int) -> tuple[str, ...]:
    from oncodrop.execute.batch_ctl import BatchCtl, parse_tags  # boto3: the optional ``cloud`` extra

    batch = settings.batch
    if not batch.job_queue or not batch.job_definition:
        raise ConfigError("executor = batch needs batch.job_queue and batch.job_definition "
                          "(ONCODROP_BATCH__JOB_QUEUE, ONCODROP_BATCH__JOB_DEFINITION; stack outputs)")  # fmt: skip
    ctl = BatchCtl(batch, settings.aws.batch_endpoint_url)
    tags = {**parse_tags(batch.tags), "oncodrop:reinterpret": version}
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{batch.job_name}-reinterpret-{version}")[:120]
    return tuple(ctl.submit_command(name=f"{name}-{i}", queue=batch.job_queue, command=batch_command(version),
                                    tags=tags) for i in range(n))  # fmt: skip


ENGINES: dict[str, Callable[[Settings, str, int], tuple[str, ...]]] = {
    "celery": _celery,
    "slurm": _slurm,
    "batch": _batch,
}


def dispatch_drains(settings: Settings, version: str) -> tuple[str, ...]:
    """Start ``[reinterpret] workers`` drains of ``version`` on ``settings.executor``; what was
    submitted (job ids, or the Celery queue per message)."""
    engine = ENGINES.get(settings.executor)
    if engine is None:
        raise ConfigError(f"executor {settings.executor} runs re-interpretations in this process, not as drains")
    submitted = engine(settings, version, settings.reinterpret.workers)
    log.info("re-interpretation of bundle %s: %d drain(s) sent to %s (%s)", version, len(submitted),
             settings.executor, ", ".join(submitted))  # fmt: skip
    return submitted
