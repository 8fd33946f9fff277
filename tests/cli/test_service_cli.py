"""``oncodrop submit`` and ``oncodrop status``: the contract external automation calls."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from testclock import Clock

import oncodrop
from oncodrop.cli import main
from oncodrop.errors import ReasonCode
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


def _oncodrop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m oncodrop ARGS`` as a newcomer runs it (own process, own cwd, real stderr)."""
    env = {**os.environ, "PYTHONPATH": str(Path(oncodrop.__file__).resolve().parents[1])}
    env.pop("ONCODROP_DB", None)
    env.pop("ONCODROP_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "oncodrop", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_status_without_db_creates_nothing_and_names_what_to_pass(tmp_path: Path) -> None:
    done = _oncodrop("status", cwd=tmp_path)
    assert done.returncode == 1
    assert list(tmp_path.iterdir()) == []  # no ./oncodrop.db left behind
    assert f"no ledger at {tmp_path / 'oncodrop.db'}" in done.stderr and "--db" in done.stderr
    assert "alembic" not in done.stderr.lower() and "Traceback" not in done.stderr


def test_status_on_an_existing_ledger_prints_the_table_and_no_migration_lines(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        admit(ObjectInfo("runA-abc123-somatic.tar.gz", 10, "e1", datetime.now(UTC)), store_url="file:///b",
              ledger=ledger)  # fmt: skip
    done = _oncodrop("status", "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "runA-abc123-somatic.tar.gz" in done.stdout and "QUEUED" in done.stdout
    assert done.stderr == ""  # no Alembic INFO, no logs


def test_status_shows_no_output_key_for_a_sample_rejected_after_admission(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(db) as ledger:
        admit(ObjectInfo("runA-abc123-somatic.tar.gz", 10, "e1", datetime.now(UTC)), store_url="file:///b",
              ledger=ledger)  # fmt: skip
        admit(ObjectInfo("runB-abc123-somatic.tar.gz", 10, "e2", datetime.now(UTC)), store_url="file:///b",
              ledger=ledger)  # fmt: skip
        (queued,) = [r for r in ledger.list_samples() if r.key.startswith("runB")]
        assert queued.output_key  # planned at admission
        ledger.reject(queued.id, ReasonCode.BAD_CONFIG, "sample.toml: [sample] tumor_site: unknown site")
    result = CliRunner().invoke(main, ["status", "--db", db, "--json"])
    by_key = {r["key"]: r for r in json.loads(result.stdout)}
    assert by_key["runB-abc123-somatic.tar.gz"]["state"] == "REJECTED"
    assert by_key["runB-abc123-somatic.tar.gz"]["output_key"] is None
    assert by_key["runA-abc123-somatic.tar.gz"]["output_key"] == "runA-abc123-somatic-output.tar.gz"


def test_pack_with_a_bad_out_name_says_how_to_name_it_not_to_upload_again(testdata: Path, tmp_path: Path) -> None:
    src = testdata / "pcgr/v0.5.3"
    args = ["pack", "--vcf", str(src / "tumor_sample.BRCA.vcf.gz"), "--config", str(src / "pcgr_configuration_examples.toml")]
    for name, problem in (("run_A-abc12-somatic.tar.gz", "id6 'abc12' must be exactly 6 hexadecimal digits"),
                          ("results.zip", "'results.zip' is not a .tar.gz tarball"),
                          ("B-a1b2c3-somatic-output.tar.gz", "is an oncodrop output")):  # fmt: skip
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 1
        assert problem in result.output and "Choose an --out name" in result.output
        assert "upload" not in result.output
        assert not (tmp_path / name).exists()


def test_pack_with_a_misspelt_tumour_site_gives_only_the_did_you_mean_message(testdata: Path, tmp_path: Path) -> None:
    config = tmp_path / "sample.toml"
    config.write_text('[sample]\ngenome_build = "grch37"\ntumor_site = "Braest"\n')
    result = CliRunner().invoke(main, ["pack", "--vcf", str(testdata / "pcgr/v0.5.3/tumor_sample.BRCA.vcf.gz"),
                                       "--config", str(config), "--out", str(tmp_path / "r-abc123-somatic.tar.gz")])  # fmt: skip
    assert result.exit_code == 1
    assert "sample.toml line 3: [sample] tumor_site = 'Braest': 'Braest' is not a tumour site. Did you mean 'Breast'?" in result.output
    assert "expected a string" not in result.output and "Value error" not in result.output


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
