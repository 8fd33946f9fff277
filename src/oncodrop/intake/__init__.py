"""Intake: safe unpacking of input tarballs, their manifest, and the sample config TOML."""

from oncodrop.intake.config import load_config
from oncodrop.intake.manifest import InputManifest
from oncodrop.intake.pack import pack_sample
from oncodrop.intake.tarball import unpack, validate_tarball

__all__ = ["InputManifest", "load_config", "pack_sample", "unpack", "validate_tarball"]
