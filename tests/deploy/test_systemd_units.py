"""The shipped systemd units (deploy/systemd/, what the Ansible role renders with its defaults):
hardened as the on-prem README promises, no secret or environment in them, and accepted by
``systemd-analyze verify`` and ``security --offline``. (systemd is not PID 1 in the test
sandbox, so the units are verified, not started.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT_DIR = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
UNITS = sorted(UNIT_DIR.glob("oncodrop-*.service"))
ANALYZE = shutil.which("systemd-analyze")
REQUIRED = ("User=oncodrop", "ProtectSystem=strict", "PrivateTmp=true", "NoNewPrivileges=true", "CapabilityBoundingSet=",
            "Restart=on-failure", "StartLimitBurst=5", "StandardOutput=journal", "UMask=0077",
            "LoadCredential=notify.slack_webhook_url:/etc/oncodrop/credentials/notify.slack_webhook_url")  # fmt: skip


def test_three_units_are_shipped() -> None:
    assert [u.name for u in UNITS] == ["oncodrop-console.service", "oncodrop-serve.service", "oncodrop-worker.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_is_hardened_and_carries_no_secret(unit: Path) -> None:
    text = unit.read_text()
    lines = text.splitlines()
    for directive in REQUIRED:
        assert directive in lines, directive
    writable = next(line for line in lines if line.startswith("ReadWritePaths="))
    assert writable.split("=", 1)[1].split() == ["/srv/oncodrop/store", "/var/lib/oncodrop/work",
                                                  "/var/lib/oncodrop/ledger"]  # fmt: skip
    assert not [line for line in lines if line.startswith(("Environment=", "EnvironmentFile="))]
    assert not re.search(r"https?://(?!github\.com)", text)  # no webhook URL or credentialed endpoint


@pytest.mark.skipif(ANALYZE is None, reason="no systemd-analyze")
@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_analyze_verifies_and_rates_the_unit(unit: Path, tmp_path: Path) -> None:
    """ExecStart points at /opt/oncodrop, absent here: verify a copy that runs /bin/true instead."""
    copy = tmp_path / unit.name
    copy.write_text(re.sub(r"^ExecStart=\S+", "ExecStart=/bin/true", unit.read_text(), flags=re.MULTILINE))
    assert ANALYZE is not None
    verify = subprocess.run([ANALYZE, "verify", copy.name], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert verify.returncode == 0 and verify.stderr.strip() == "", verify.stderr
    security = subprocess.run([ANALYZE, "security", "--offline=true", "--no-pager", copy.name], cwd=tmp_path,
                              capture_output=True, text=True, check=False)  # fmt: skip
    exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert exposure is not None, security.stdout[-2000:] + security.stderr
    assert float(exposure.group(1)) <= 2.0, security.stdout
