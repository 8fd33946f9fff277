"""One re-interpretation *drain*: the unit of work a remote executor runs for a bundle version.

A drain is a runner (``execute.reinterpret.Runner``) that claims jobs of one bundle version
under the ledger lease until that version has nothing runnable, waiting for jobs other drains
hold (a dead holder's lease expires and this drain takes the job over), then exits. The lease
stays the exactly-once guard, so a duplicate drain (a redelivered Celery message, a second
``oncodrop reinterpret``) costs an idle claim, never a second change report.

Entry points, one per engine (``execute.reinterpret_dispatch`` starts them):

* Celery: the task ``oncodrop.reinterpret_drain`` in ``execute.celery_app`` calls ``drain``;
* Slurm: ``python -m oncodrop.execute.reinterpret_job SPOOL BUNDLE_VERSION`` (one array task;
  settings from the Slurm executor's hand-over file in the spool);
* AWS Batch: ``oncodrop reinterpret-job --bundle-version V`` (``batch_main``; settings from the
  job's ``ONCODROP_*`` environment, like ``oncodrop batch-job``).

SIGTERM (``scancel``, a spot reclaim, ``terminate_job``) stops the drain after the job it is
running; a drain killed harder leaves that job RUNNING until its lease expires.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from oncodrop.domain.reinterpretation import BundleVersion
from oncodrop.errors import ConfigError
from oncodrop.execute.reinterpret import Runner, RunnerConfig, RunnerTally
from oncodrop.execute.slurm_job import SETTINGS_FILE, job_key_from_env
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations
from oncodrop.logs import configure_logging
from oncodrop.refdata.bundle import Bundle
from oncodrop.settings import ReinterpretSettings, Settings
from oncodrop.store import open_store

log = logging.getLogger(__name__)
BATCH_JOB_ID_ENV = "AWS_BATCH_JOB_ID"


def runner_config(bundle: Path, version: str, settings: ReinterpretSettings, workdir: Path | None) -> RunnerConfig:
    """The runner's configuration for ``version`` (the bundle at ``bundle``)."""
    return RunnerConfig(bundle=bundle, bundle_version=version, announce=settings.announce,
                        lease_s=settings.lease_s, max_attempts=settings.max_attempts,
                        **({"workdir": workdir} if workdir else {}))  # fmt: skip


def bundle_path(registered: BundleVersion, own: Path | None) -> Path:
    """Where this host has the bundle: the path ``refdata install`` registered when it exists
    here, else this process's own bundle (``ONCODROP_BUNDLE``, e.g. the one in a Batch image)
    when it is that version; ``ConfigError`` otherwise."""
    path = Path(registered.path)
    if (path / "manifest.json").is_file():
        return path
    if own is not None and (own / "manifest.json").is_file() and Bundle.open(own).version == registered.version:
        return own
    raise ConfigError(f"bundle {registered.version} is not on this host: neither {path} (where it was installed) "
                      "nor the configured bundle (ONCODROP_BUNDLE) holds that version")  # fmt: skip


def drain(settings: Settings, version: str, *, worker_id: str, workdir: Path | None = None,
          stop: threading.Event | None = None) -> RunnerTally:  # fmt: skip
    """Run bundle ``version``'s re-interpretation jobs until none is runnable (or ``stop``)."""
    ledger = Ledger.open(settings.db, migrate_schema=False)
    try:
        reinterps = Reinterpretations(ledger)
        registered = next((b for b in reinterps.bundles() if b.version == version), None)
        if registered is None:
            raise ConfigError(f"bundle version {version} is not installed in the ledger")
        cfg = runner_config(bundle_path(registered, settings.bundle), version, settings.reinterpret, workdir)
        tally = Runner(reinterps, lambda url: open_store(url, settings.aws), cfg, worker_id).run(
            stop, wait_for_running=True)  # fmt: skip
    finally:
        ledger.close()
    log.info("re-interpretation drain %s of bundle %s: %d done (%d changed, %d meaningful), %d failed",
             worker_id, version, tally.done, tally.changed, tally.meaningful, tally.failed)  # fmt: skip
    return tally


def _stop_on_sigterm(label: str) -> threading.Event:
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("%s: %s received; stopping after the running job", label, signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    return stop


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def slurm_main(spool: Path, version: str, env: Mapping[str, str] = os.environ) -> int:
    """One Slurm array task: the Slurm executor's settings hand-over, then a drain."""
    settings = Settings.from_handover((spool / SETTINGS_FILE).read_text())
    configure_logging(settings.log_level, settings.log_json, secrets=settings.secret_values())
    key = job_key_from_env(dict(env))
    stop = _stop_on_sigterm(f"slurm job {key}")
    workdir = (settings.slurm.work_dir or settings.work_root) / f"oncodrop-reinterpret-{key}"
    try:
        drain(settings, version, worker_id=f"slurm:{key}@{_host()}:reinterpret", workdir=workdir, stop=stop)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def batch_main(settings: Settings, version: str, env: Mapping[str, str] = os.environ) -> RunnerTally:
    """One AWS Batch job (``oncodrop reinterpret-job``): a drain under the job's name."""
    from oncodrop.execute.batch import OWNER_PREFIX  # boto3 (the cloud extra): not for Slurm or Celery drains

    job_id = env.get(BATCH_JOB_ID_ENV) or f"local{os.getpid()}"
    stop = _stop_on_sigterm(f"batch job {job_id}")
    workdir = settings.work_root / f"oncodrop-reinterpret-{job_id.replace(':', '_')}"
    try:
        return drain(settings, version, worker_id=f"{OWNER_PREFIX}{job_id}@{_host()}:reinterpret", workdir=workdir,
                     stop=stop)  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    from oncodrop.execute.reinterpret_job import slurm_main as main  # log lines under the module's name

    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
