"""Where a drain finds its bundle: the path ``refdata install`` registered when this host has
it, else its own ``ONCODROP_BUNDLE`` of the same version (a Batch image's copy), else an error
that says which version and where it looked."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncodrop.domain.reinterpretation import BundleVersion
from oncodrop.errors import ConfigError
from oncodrop.execute.reinterpret_job import bundle_path


def _registered(path: Path, version: str) -> BundleVersion:
    return BundleVersion(name="oncodrop-demo", version=version, path=str(path), manifest_sha256="x", demo=True,
                         current=True, installed_at=datetime.now(UTC))  # fmt: skip


def test_a_drain_takes_the_installed_path_else_its_own_bundle_of_that_version(demo_bundle: Path,
                                                                              tmp_path: Path) -> None:  # fmt: skip
    version = json.loads((demo_bundle / "manifest.json").read_text())["version"]
    other = tmp_path / "other"
    shutil.copytree(demo_bundle, other)
    (other / "manifest.json").write_text(json.dumps({**json.loads((other / "manifest.json").read_text()),
                                                     "version": "2099.01"}))  # fmt: skip
    assert bundle_path(_registered(demo_bundle, version), other) == demo_bundle
    gone = _registered(tmp_path / "installed-elsewhere", version)
    assert bundle_path(gone, demo_bundle) == demo_bundle
    with pytest.raises(ConfigError, match=f"bundle {version} is not on this host"):
        bundle_path(gone, other)  # a bundle, but another version
    with pytest.raises(ConfigError, match="ONCODROP_BUNDLE"):
        bundle_path(gone, None)
