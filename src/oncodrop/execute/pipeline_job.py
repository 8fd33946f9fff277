"""The picklable callable workers run (the per-sample pipeline), and the worker configuration
built from ``Settings`` for every executor.

Workers are separate processes (spawn). The job holds the same ``Settings`` object as the
``WorkerConfig`` (pickle sends it once per worker) and builds its store and reporters inside
the worker from it. Workers send no notifications: the ledger writes each terminal state's
notification into its outbox in the same transaction, and the notifier loop of ``oncodrop
serve`` delivers it (``oncodrop.notify.outbox``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.kind import sample_kind
from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import ConfigError
from oncodrop.execute.job import JobOutcome, WorkerConfig
from oncodrop.execute.pipeline import SampleJob, run_sample
from oncodrop.report.protocol import Reporter
from oncodrop.report.registry import default_reporters
from oncodrop.settings import Settings
from oncodrop.store import open_store


@dataclass(frozen=True, slots=True)
class PipelineJob:
    """Runs one claimed sample through ``execute.pipeline.run_sample`` (bundle, intake limits and
    the ``[aws]`` store options from ``settings``)."""

    settings: Settings

    def __call__(self, record: SampleRecord, workdir: Path) -> JobOutcome:
        if record.output_key is None:
            raise ConfigError(f"{record.key}: the ledger has no output key for this sample")
        bundle = self.settings.require("bundle", "--bundle DIR")
        job = SampleJob(
            store_url=record.store_url, key=record.key, etag=record.etag, kind=sample_kind(record.kind),
            sample_id=record.sample_id, output_key=record.output_key,
        )  # fmt: skip
        reporters: dict[str, Reporter] = default_reporters(self.settings.pcgr)
        outcome = run_sample(
            job, store=open_store(record.store_url, self.settings.aws), reporters=reporters,
            bundle=Path(bundle).resolve(), workdir=workdir, limits=self.settings.intake,
            compress_rows_over=self.settings.report.compress_rows_over,
        )  # fmt: skip
        return JobOutcome(output_key=outcome.output_key, headline=outcome.headline,
                          bundle_version=outcome.bundle_version or None)


# imported once per worker's job fork server (see execute.local), not once per job; the
# reporters no longer import openpyxl (workbooks are xlsxwriter's) or scipy.optimize
# (report.metrics.nnls), so neither is preloaded
PRELOAD = ("oncodrop.report.engine", "oncodrop.report.germline.engine")


def worker_config(settings: Settings, work_root: Path) -> WorkerConfig:
    """The pipeline worker's configuration: ``settings`` itself and the pipeline job over the
    same settings; shared by the local and the Celery executor."""
    settings.require("bundle", "--bundle DIR")
    return WorkerConfig(settings, PipelineJob(settings), work_root, preload=PRELOAD)
