"""The Ansible role (deploy/ansible) applied to this machine with ``-c local`` into a throw-away
prefix: the first run installs (pinned wheel and lock, checksummed bundle, settings, vault
secrets as systemd credentials, units), the second reports ``changed=0``, the installed
``oncodrop demo`` passes, and the installed units pass ``systemd-analyze verify``. Also
ansible-lint's production profile over the role and playbook.

Slow (a virtual environment of numpy, scipy, pysam… from the local package mirror, ~2-4
minutes): runs with ``make test-ansible`` (``ONCODROP_TEST_ANSIBLE=1``; ansible-core and
ansible-lint in the venv ``make`` builds, ``ONCODROP_TEST_ANSIBLE_BIN`` names its bin dir).
``systemd`` is not PID 1 here, so the units are verified, never started (the role's
``oncodrop_manage_system: false`` skips the user, apt and ``systemctl``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_DIR = ROOT / "deploy" / "ansible"
BIN = Path(os.environ.get("ONCODROP_TEST_ANSIBLE_BIN", ROOT / ".venv-ansible" / "bin"))
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.environ.get("ONCODROP_TEST_ANSIBLE") != "1", reason="slow: make test-ansible"),
    pytest.mark.skipif(not (BIN / "ansible-playbook").exists(), reason=f"no ansible-playbook in {BIN}"),
]
UNITS = ("serve", "worker", "console")
VAULT_PASSWORD = "only-for-this-test"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCODROP_") and k != "PYTHONPATH"}
    return {**env, "ANSIBLE_HOME": str(tmp / "ansible-home"), "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible-home" / "tmp"),
            "ANSIBLE_NOCOLOR": "1"}  # fmt: skip


@pytest.fixture(scope="module")
def installed(tmp_path_factory, demo_bundle):  # type: ignore[no-untyped-def]
    """Artifacts built, an encrypted vault, an inventory for localhost; the playbook run twice."""
    tmp = tmp_path_factory.mktemp("ansible")
    release = tmp / "release"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_release.py"), str(release)], check=True,
                   env={**os.environ, "PYTHONPATH": ""}, capture_output=True)  # fmt: skip
    wheel = next(release.glob("oncodrop-*.whl"))
    bundle = tmp / "oncodrop-demo.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(demo_bundle, arcname="oncodrop-demo")
    password = tmp / "vault-pass"
    password.write_text(VAULT_PASSWORD)
    vault = tmp / "vault.yml"
    vault.write_text('---\nvault_oncodrop_webhook_url: "http://127.0.0.1:9/hook/only-in-the-vault"\n'
                     'vault_oncodrop_slack_webhook_url: "http://127.0.0.1:9/services/T/B/only-in-the-vault"\n')
    subprocess.run([str(BIN / "ansible-vault"), "encrypt", "--vault-password-file", str(password), str(vault)],
                   check=True, env=_env(tmp), capture_output=True)  # fmt: skip
    prefix = tmp / "prefix"
    inventory = tmp / "inventory.yml"
    inventory.write_text(f"""oncodrop:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: /usr/bin/python3
      oncodrop_become: false
      oncodrop_prefix: {prefix}
      oncodrop_manage_system: false
      oncodrop_wheel_src: {wheel}
      oncodrop_wheel_sha256: {_sha256(wheel)}
      oncodrop_lock_src: {release / "requirements.lock"}
      oncodrop_lock_sha256: {_sha256(release / "requirements.lock")}
      oncodrop_bundle_url: {bundle.as_uri()}
      oncodrop_bundle_sha256: {_sha256(bundle)}
      oncodrop_units: [serve, worker, console]
      oncodrop_settings: {{slurm: {{partition: onco, cpus_per_task: 2}}}}
""")
    command = [str(BIN / "ansible-playbook"), "-c", "local", "-i", str(inventory), "-e", f"@{vault}",
               "--vault-password-file", str(password), "site.yml"]  # fmt: skip
    runs = [subprocess.run(command, cwd=ANSIBLE_DIR, env=_env(tmp), capture_output=True, text=True, timeout=1800,
                           check=False)
            for _ in range(2)]  # fmt: skip
    return tmp, prefix, runs


def _recap(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("localhost") and "changed=" in line)
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


def test_first_run_applies_and_second_run_changes_nothing(installed) -> None:  # type: ignore[no-untyped-def]
    _, _, (first, second) = installed
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert _recap(first.stdout)["changed"] > 0 and _recap(first.stdout)["failed"] == 0
    assert second.returncode == 0, second.stdout[-4000:]
    assert _recap(second.stdout)["changed"] == 0, second.stdout[-4000:]
    assert "only-in-the-vault" not in first.stdout + second.stdout  # no_log on the secrets


def test_the_install_holds_settings_without_secrets_and_credentials_only_root_reads(installed) -> None:  # type: ignore[no-untyped-def]
    _, prefix, _ = installed
    config = (prefix / "etc/oncodrop/oncodrop.toml").read_text()
    assert f'bundle = "{prefix}/var/lib/oncodrop/bundles/oncodrop-demo"' in config
    assert "[slurm]" in config and 'partition = "onco"' in config
    assert "hook" not in config
    credential = prefix / "etc/oncodrop/credentials/notify.webhook_url"
    assert credential.read_text().strip() == "http://127.0.0.1:9/hook/only-in-the-vault"
    assert oct(credential.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in credential.parent.iterdir()) == ["notify.slack_webhook_url", "notify.webhook_url"]
    units = {u: (prefix / f"etc/systemd/system/oncodrop-{u}.service").read_text() for u in UNITS}
    for text in units.values():
        assert "LoadCredential=notify.webhook_url:" in text and "only-in-the-vault" not in text
        assert f"ReadWritePaths={prefix}/srv/oncodrop/store {prefix}/var/lib/oncodrop/work " in text
        assert "ProtectSystem=strict" in text and "NoNewPrivileges=true" in text and "PrivateTmp=true" in text


def test_the_installed_demo_passes(installed) -> None:  # type: ignore[no-untyped-def]
    tmp, prefix, _ = installed
    demo = subprocess.run([str(prefix / "opt/oncodrop/venv/bin/oncodrop"), "demo", "--workdir", str(tmp / "demo")],
                          env=_env(tmp), capture_output=True, text=True, timeout=1200, check=False)  # fmt: skip
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]


def test_the_installed_config_reads_the_vault_credential(installed) -> None:  # type: ignore[no-untyped-def]
    tmp, prefix, _ = installed
    shown = subprocess.run([str(prefix / "opt/oncodrop/venv/bin/oncodrop"), "config", "show", "--json", "--config",
                            str(prefix / "etc/oncodrop/oncodrop.toml")], capture_output=True, text=True, check=True,
                           env={**_env(tmp), "CREDENTIALS_DIRECTORY": str(prefix / "etc/oncodrop/credentials")})  # fmt: skip
    assert "127.0.0.1" in shown.stdout and "only-in-the-vault" not in shown.stdout  # set, and shown redacted


def test_the_shipped_units_are_what_the_role_renders(installed) -> None:  # type: ignore[no-untyped-def]
    """deploy/systemd/ (for labs without Ansible) is the role's output with no prefix."""
    _, prefix, _ = installed
    for unit in UNITS:
        rendered = (prefix / f"etc/systemd/system/oncodrop-{unit}.service").read_text().replace(str(prefix), "")
        shipped = (ROOT / "deploy" / "systemd" / f"oncodrop-{unit}.service").read_text()
        assert rendered == shipped, f"regenerate deploy/systemd/oncodrop-{unit}.service (make test-ansible)"


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="no systemd-analyze")
def test_installed_units_verify_cleanly(installed) -> None:  # type: ignore[no-untyped-def]
    _, prefix, _ = installed
    unit_dir = prefix / "etc/systemd/system"
    assert SYSTEMD_ANALYZE is not None
    done = subprocess.run([SYSTEMD_ANALYZE, "verify", *(f"oncodrop-{u}.service" for u in UNITS)], cwd=unit_dir,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_ansible_lint_production_profile_is_clean(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lint = subprocess.run([str(BIN / "ansible-lint"), "--profile", "production", "--offline", "site.yml", "roles"],
                          cwd=ANSIBLE_DIR, env=_env(tmp_path), capture_output=True, text=True, timeout=600,
                          check=False)  # fmt: skip
    assert lint.returncode == 0, lint.stdout[-4000:] + lint.stderr[-2000:]
