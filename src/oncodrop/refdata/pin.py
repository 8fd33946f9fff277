"""The bundle a deployment pins, checked when a worker or job starts.

A deployment names the bundle it was validated with: its version (``ONCODROP_BUNDLE_VERSION``)
and the sha256 of its ``manifest.json`` (``ONCODROP_BUNDLE_SHA256``). The manifest lists the
sha256 of every file, so its own sha256 pins every byte of the bundle; ``open_pinned`` compares
both pins, then re-checksums every file against the manifest, before any sample is reported.
A mismatch is a ``BundleError`` (the job is DEAD at once with ``bundle_error``, never a silent
report on other reference data). The release image bakes the bundle into its top layer and sets
both pins (``Containerfile.bundle``); provenance records the same version and sha256
(``Bundle.describe``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oncodrop.digest import file_sha256
from oncodrop.errors import BundleError, ConfigError
from oncodrop.refdata.bundle import Bundle
from oncodrop.refdata.manifest import MANIFEST_NAME, read_manifest, verify_files
from oncodrop.settings import Settings


@dataclass(frozen=True, slots=True)
class BundlePin:
    """What a deployment expects of its bundle; an empty pin expects nothing."""

    version: str | None = None
    manifest_sha256: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.version or self.manifest_sha256)


def manifest_sha256(path: Path) -> str:
    """The sha256 of the bundle's ``manifest.json``: the value to pin."""
    read_manifest(path)  # a clear BundleError if ``path`` is not a bundle
    return file_sha256(path / MANIFEST_NAME)


def open_pinned(path: Path, pin: BundlePin, *, check_files: bool = True) -> Bundle:
    """Open the bundle at ``path`` and check it is the one ``pin`` names: version, manifest
    sha256, then (``check_files``) every file's sha256 against the manifest. ``BundleError``
    names the first difference and what to do."""
    root = Path(path)
    manifest = read_manifest(root)
    if pin.version and manifest.version != pin.version:
        raise BundleError(
            f"reference bundle {root} is version {manifest.version!r}, but this deployment pins "
            f"{pin.version!r} (ONCODROP_BUNDLE_VERSION): deploy the image or bundle of that "
            "version, or change the pin after validating the new bundle"
        )
    if pin.manifest_sha256:
        actual = file_sha256(root / MANIFEST_NAME)
        if actual != pin.manifest_sha256.strip().lower():
            raise BundleError(
                f"reference bundle {root}: manifest.json has sha256 {actual}, but this deployment "
                f"pins {pin.manifest_sha256} (ONCODROP_BUNDLE_SHA256): the bundle was rebuilt or "
                "replaced; deploy the pinned one or update the pin"
            )
    if check_files:
        verify_files(root, manifest)
    return Bundle(root, manifest)


def deployment_pin(settings: Settings) -> BundlePin:
    """The pin from ``bundle_version`` and ``bundle_sha256`` (env, TOML or command line)."""
    return BundlePin(version=settings.bundle_version, manifest_sha256=settings.bundle_sha256)


def check_deployment_bundle(settings: Settings) -> Bundle | None:
    """At a worker's or job's start: the configured bundle, checked against the deployment's
    pin (every file re-checksummed); None when nothing is pinned (nothing to check, no cost).
    ``ConfigError`` when a pin is set without a bundle."""
    pin = deployment_pin(settings)
    if pin.empty:
        return None
    if settings.bundle is None:
        raise ConfigError(
            "ONCODROP_BUNDLE_VERSION/ONCODROP_BUNDLE_SHA256 pin a bundle but no bundle is set: "
            "pass --bundle DIR or set ONCODROP_BUNDLE"
        )
    return open_pinned(settings.bundle, pin)
