"""``oncodrop submit`` and ``oncodrop status``: the contract external automation calls."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from testclock import Clock

from oncodrop.cli import main
from oncodrop.events.admission import admit
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger
from oncodrop.store.base import ObjectInfo


def _good(testdata: Path, out: Path) -> Path:
    src = testdata / "pcgr/v0.5.3"
    return pack_sample(out / "brca-a1b2c3-somatic.tar.gz", src / "tumor_sample.BRCA.vcf.gz",
                       src / "pcgr_configuration_examples.toml")  # fmt: skip


def test_submit_uploads_valid_tarballs_and_refuses_the_rest_without_uploading(testdata: Path, tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    good = _good(testdata, tmp_path)
    misnamed = tmp_path / "results.tar.gz"
    shutil.copy(good, misnamed)
    evil = tmp_path / "evil-c3d4e5-somatic.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../evil")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"boo"))
    result = CliRunner().invoke(main, ["submit", str(good), str(misnamed), str(evil), "--store", bucket.as_uri(),
                                       "--prefix", "projectA"])  # fmt: skip
    assert result.exit_code == 2
    assert sorted(p.relative_to(bucket).as_posix() for p in bucket.rglob("*") if p.is_file()) == [
        "projectA/brca-a1b2c3-somatic.tar.gz"
    ]
    assert (bucket / "projectA/brca-a1b2c3-somatic.tar.gz").read_bytes() == good.read_bytes()
    assert "REJECTED  results.tar.gz" in result.output and "{sample_batch}-{id6}-{kind}" in result.output
    assert "REJECTED  evil-c3d4e5-somatic.tar.gz" in result.output and "../evil" in result.output


def test_status_json_lists_exactly_the_contract_fields(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    now = datetime.now(UTC)
    with Ledger.open(db) as ledger:
        admit(ObjectInfo("runA-abc123-somatic.tar.gz", 10, "e1", now), store_url="file:///b", ledger=ledger)
        admit(ObjectInfo("notes.tar.gz", 10, "e2", now), store_url="file:///b", ledger=ledger)
    result = CliRunner().invoke(main, ["status", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)  # logs go to stderr; stdout is the JSON alone
    assert [set(r) for r in rows] == [{"key", "state", "reason", "attempts", "output_key", "runtime_s",
                                       "cost_usd_estimate"}] * 2  # fmt: skip
    by_key = {r["key"]: r for r in rows}
    assert by_key["runA-abc123-somatic.tar.gz"] == {
        "key": "runA-abc123-somatic.tar.gz", "state": "QUEUED", "reason": None, "attempts": 0,
        "output_key": "runA-abc123-somatic-output.tar.gz", "runtime_s": 0.0, "cost_usd_estimate": 0.0,
    }  # fmt: skip
    assert by_key["notes.tar.gz"]["state"] == "REJECTED"
    assert "{sample_batch}-{id6}-{kind}.tar.gz" in by_key["notes.tar.gz"]["reason"]


def test_status_json_estimates_each_samples_cost_from_the_time_its_attempts_ran(tmp_path: Path) -> None:
    """Two attempts (a crash after 30 min, a success after 1 h) on 4 vCPUs at 0.05 USD/vCPU-h."""
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    clock = Clock()
    with Ledger.open(db, clock=clock) as ledger:
        record = admit(ObjectInfo("runA-abc123-somatic.tar.gz", 10, "e1", clock()), store_url="file:///b", ledger=ledger)
        assert record is not None
        ledger.claim_specific(record.id, "batch:job-1@host:1", 60)
        clock.advance(1800)
        ledger.fail(record.id, "batch:job-1@host:1", "crashed", retryable=True)
        clock.advance(600)  # waiting in the queue costs nothing
        ledger.claim_specific(record.id, "batch:job-2@host:1", 60)
        clock.advance(3600)
        ledger.succeed(record.id, "batch:job-2@host:1", "runA-abc123-somatic-output.tar.gz", None)
    result = CliRunner().invoke(main, ["status", "--db", db, "--json"],
                                env={"ONCODROP_BATCH__VCPUS": "4", "ONCODROP_BATCH__SPOT_PRICE_PER_VCPU_HOUR": "0.05"})
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["state"] == "SUCCEEDED" and row["runtime_s"] == 5400.0
    assert row["cost_usd_estimate"] == pytest.approx(1.5 * 4 * 0.05)
