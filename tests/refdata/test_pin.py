"""The deployment's bundle pin: version and manifest sha256, checked before a worker starts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.digest import file_sha256
from oncodrop.errors import BundleError, ConfigError
from oncodrop.refdata.pin import BundlePin, check_deployment_bundle, manifest_sha256, open_pinned
from oncodrop.settings import Settings


def _version(bundle: Path) -> str:
    return str(json.loads((bundle / "manifest.json").read_text())["version"])


def test_the_pinned_bundle_opens_and_names_its_version(demo_bundle: Path) -> None:
    pin = BundlePin(version=_version(demo_bundle), manifest_sha256=file_sha256(demo_bundle / "manifest.json"))
    bundle = open_pinned(demo_bundle, pin)
    assert bundle.version == pin.version
    assert bundle.describe()["manifest_sha256"] == pin.manifest_sha256 == manifest_sha256(demo_bundle)


def test_another_version_is_refused_naming_both(demo_bundle: Path) -> None:
    with pytest.raises(BundleError, match=r"version '.+', but this deployment pins '2099.01'"):
        open_pinned(demo_bundle, BundlePin(version="2099.01"))


def test_a_rebuilt_manifest_is_refused_even_with_the_same_version(demo_bundle: Path, tmp_path: Path) -> None:
    pinned = manifest_sha256(demo_bundle)
    copy = Path(shutil.copytree(demo_bundle, tmp_path / "copy"))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["created"] = "2099-01-01T00:00:00Z"  # same files, same version, another manifest
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="ONCODROP_BUNDLE_SHA256"):
        open_pinned(copy, BundlePin(version=_version(demo_bundle), manifest_sha256=pinned))


def test_a_changed_file_under_the_pinned_manifest_is_refused(demo_bundle: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(demo_bundle, tmp_path / "copy"))
    pin = BundlePin(manifest_sha256=manifest_sha256(copy))
    with (copy / "knowledge/gene_roles.tsv").open("a") as handle:
        handle.write("EVIL\toncogene\n")
    with pytest.raises(BundleError, match="knowledge/gene_roles.tsv does not match"):
        open_pinned(copy, pin)
    assert open_pinned(copy, pin, check_files=False).path == copy  # the cheap check alone passes


def test_no_pin_checks_nothing_and_a_pin_without_a_bundle_is_a_config_error(demo_bundle: Path) -> None:
    assert check_deployment_bundle(Settings(bundle=demo_bundle)) is None
    with pytest.raises(ConfigError, match="no bundle is set"):
        check_deployment_bundle(Settings(bundle_version="2026.11"))
    checked = check_deployment_bundle(Settings(bundle=demo_bundle, bundle_sha256=manifest_sha256(demo_bundle)))
    assert checked is not None and checked.path == demo_bundle


def test_a_malformed_sha256_pin_is_a_settings_error() -> None:
    with pytest.raises(ConfigError, match="bundle_sha256"):
        Settings.load(None, bundle_sha256="not-a-digest")


def test_verify_prints_the_value_to_pin_and_checks_a_pin_from_the_environment(demo_bundle: Path) -> None:
    runner = CliRunner()
    digest = manifest_sha256(demo_bundle)
    plain = runner.invoke(main, ["refdata", "verify", str(demo_bundle)])
    assert plain.exit_code == 0, plain.output
    assert f"manifest sha256 {digest}" in plain.output
    pinned = runner.invoke(main, ["refdata", "verify", str(demo_bundle)], env={"ONCODROP_BUNDLE_SHA256": digest})
    assert pinned.exit_code == 0 and "matches the pin" in pinned.output
    wrong = runner.invoke(main, ["refdata", "verify", str(demo_bundle), "--version", "2099.01"])
    assert wrong.exit_code == 1 and "pins '2099.01'" in wrong.output


def test_worker_refuses_to_start_on_a_bundle_other_than_the_pinned_one(demo_bundle: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["worker", "--db", f"sqlite:///{tmp_path / 'ledger.db'}", "--bundle", str(demo_bundle)],
        env={"ONCODROP_BUNDLE_SHA256": "0" * 64},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "manifest.json has sha256" in result.output and "ONCODROP_BUNDLE_SHA256" in result.output
