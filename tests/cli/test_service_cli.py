"""``oncodrop submit`` and ``oncodrop status``: the contract external automation calls."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

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
    assert [set(r) for r in rows] == [{"key", "state", "reason", "attempts", "output_key"}] * 2
    by_key = {r["key"]: r for r in rows}
    assert by_key["runA-abc123-somatic.tar.gz"] == {
        "key": "runA-abc123-somatic.tar.gz", "state": "QUEUED", "reason": None, "attempts": 0,
        "output_key": "runA-abc123-somatic-output.tar.gz",
    }  # fmt: skip
    assert by_key["notes.tar.gz"]["state"] == "REJECTED"
    assert "{sample_batch}-{id6}-{kind}.tar.gz" in by_key["notes.tar.gz"]["reason"]
