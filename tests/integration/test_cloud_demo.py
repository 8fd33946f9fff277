"""``oncodrop demo --cloud`` end to end, as a user runs it: moto_server S3 + SQS (with DLQ), the
real reporter, outputs uploaded into the bucket, webhook notifications with presigned links."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import require, scaled

from oncodrop.ledger import Ledger

pytestmark = pytest.mark.integration
GOOD = ("demo_melanoma-a1b2c3-somatic", "demo_breast-4d5e6f-somatic", "demo_breast-4d5e6f-normal")


def _demo(workdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncodrop", "demo", "--cloud", "--workdir", str(workdir), "--timeout", f"{scaled(60):g}",
         *extra], check=False, capture_output=True, text=True, timeout=scaled(85), env={**os.environ, "COLUMNS": "250"},
    )  # fmt: skip


def _states(workdir: Path) -> dict[str, str]:
    with Ledger.open(f"sqlite:///{workdir / 'oncodrop.db'}") as ledger:
        return {r.key: r.state.value for r in ledger.list_samples()}


def test_cloud_demo_uploads_outputs_to_the_bucket_and_notifies_presigned_links(tmp_path: Path) -> None:
    done = _demo(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name in GOOD:
        assert re.search(rf"│ {name}-output\.tar\.gz\s+│ \d+", done.stdout), name  # listed from the bucket
        link = re.search(rf"notified: SUCCEEDED {name}\.tar\.gz → (\S+)", done.stdout)
        assert link is not None and "X-Amz-Signature=" in link[1] and link[1].startswith("http://127.0.0.1:")
    assert "notified: REJECTED demo_broken-0bad00-somatic.tar.gz" in done.stdout
    states = _states(tmp_path)
    assert {states[f"{name}.tar.gz"] for name in GOOD} == {"SUCCEEDED"}
    assert states["demo_broken-0bad00-somatic.tar.gz"] == "REJECTED"
    assert (tmp_path / "reports" / "demo_melanoma-a1b2c3-somatic-output" / "report.html").is_file()


@pytest.mark.slow
def test_cloud_demo_on_celery_workers_passes_the_same_checks(tmp_path: Path) -> None:
    require(shutil.which("redis-server") is not None, "redis-server not installed (run scripts/system-deps.sh)")
    done = _demo(tmp_path, "--executor", "celery")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.count("notified: SUCCEEDED") == len(GOOD)
    assert {_states(tmp_path)[f"{name}.tar.gz"] for name in GOOD} == {"SUCCEEDED"}
