"""The one check of a tarball before it enters the store (``oncodrop submit``, console upload):
its name, then everything ``validate_tarball`` looks at. The worker checks again later."""

from __future__ import annotations

from pathlib import Path

from oncodrop.errors import InputRejected, ReasonCode, Rejection
from oncodrop.intake.tarball import validate_tarball
from oncodrop.naming import Ignored, classify_key
from oncodrop.settings import IntakeLimits


def check_tarball(path: Path, key: str, limits: IntakeLimits) -> Rejection | None:
    """All local problems with one tarball, or None when it may be uploaded."""
    decision = classify_key(key)
    if isinstance(decision, Rejection):
        return decision
    if isinstance(decision, Ignored):
        return Rejection(ReasonCode.BAD_KEY, f"{path.name} would be ignored ({decision.reason}); "
                                    "name it {sample_batch}-{id6}-{somatic|normal}.tar.gz")  # fmt: skip
    try:
        validate_tarball(path, limits)
    except InputRejected as exc:
        return exc.rejection
    return None
