"""``oncodrop submit``: check tarballs on the user's machine before they reach the bucket.

The same checks run again in the worker (the bucket is not trusted); doing them here first
saves a round trip for the common mistakes: a wrong name, a missing config, a broken VCF name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from oncodrop.errors import Rejection
from oncodrop.intake.check import check_tarball as check_with_limits
from oncodrop.settings import Settings
from oncodrop.store import open_store


@dataclass(frozen=True, slots=True)
class SubmitResult:
    path: Path
    key: str
    rejection: Rejection | None = None


def check_tarball(path: Path, key: str, settings: Settings) -> Rejection | None:
    """All local problems with one tarball, or None when it may be uploaded."""
    return check_with_limits(path, key, settings.intake)


def submit_files(files: Iterable[Path], settings: Settings, *, prefix: str = "") -> list[SubmitResult]:
    """Validate every file; upload those that pass. Never uploads a file that failed a check."""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    store = open_store(settings.store, settings.aws)
    results = []
    for path in files:
        key = f"{prefix}{path.name}"
        rejection = check_tarball(path, key, settings)
        if rejection is None:
            store.put_file(path, key)
        results.append(SubmitResult(path, key, rejection))
    return results
