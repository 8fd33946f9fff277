"""``serve --intake-only``: intake, notifications and a remote executor's dispatch, with no
worker processes and no reference bundle (the AWS control plane)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import ConfigError
from oncodrop.execute.batch import BatchExecutor
from oncodrop.service import EmbeddedService
from oncodrop.settings import Settings


def _settings(tmp_path: Path, **extra: object) -> Settings:
    (tmp_path / "bucket").mkdir(exist_ok=True)
    return Settings.load(store=(tmp_path / "bucket").as_uri(), db=f"sqlite:///{tmp_path / 'l.db'}", **extra)


def test_an_intake_only_service_needs_no_bundle_and_starts_no_workers(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no reference bundle"):
        EmbeddedService(_settings(tmp_path))
    service = EmbeddedService(_settings(tmp_path, intake_only=True))
    try:
        assert service.executor is None
        assert "intake only" in service.describe()
    finally:
        service.ledger.close()


def test_with_batch_the_service_dispatches_to_batch_without_a_bundle(tmp_path: Path) -> None:
    service = EmbeddedService(_settings(tmp_path, intake_only=True, executor="batch", batch__job_queue="q",
                                        batch__job_definition="oncodrop:1"))  # fmt: skip
    try:
        assert isinstance(service.executor, BatchExecutor)
        assert "AWS Batch" in service.describe()
    finally:
        service.ledger.close()
