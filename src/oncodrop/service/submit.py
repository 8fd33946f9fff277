"""``oncodrop submit``: check tarballs on the user's machine before they reach the bucket.

The same checks run again in the worker (the bucket is not trusted); doing them here first
saves a round trip for the common mistakes: a wrong name, a missing config, a broken VCF name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from oncodrop.errors import InputRejected, ReasonCode, Rejection
from oncodrop.intake.tarball import validate_tarball
from oncodrop.naming import Ignored, classify_key
from oncodrop.settings import Settings
from oncodrop.store import open_store


@dataclass(frozen=True, slots=True)
class SubmitResult:
    path: Path
    key: str
    rejection: Rejection | None = None


def check_tarball(path: Path, key: str, settings: Settings) -> Rejection | None:
    """All local problems with one tarball, or None when it may be uploaded."""
    decision = classify_key(key)
    if isinstance(decision, Rejection):
        return decision
    if isinstance(decision, Ignored):
        return Rejection(ReasonCode.BAD_KEY, f"{path.name} would be ignored ({decision.reason}); "
                                    "name it {sample_batch}-{id6}-{somatic|normal}.tar.gz")  # fmt: skip
    try:
        validate_tarball(path, settings.intake)
    except InputRejected as exc:
        return exc.rejection
    return None


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
