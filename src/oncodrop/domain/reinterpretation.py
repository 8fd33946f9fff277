"""Re-interpretation as the ledger records it: bundle versions, where each sample's
interpretation is kept, and one job per (sample, bundle version)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ReinterpretState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    DEAD = "DEAD"


@dataclass(frozen=True, slots=True)
class BundleVersion:
    """A reference bundle registered with ``oncodrop refdata install``."""

    name: str
    version: str
    path: str
    manifest_sha256: str
    demo: bool
    current: bool
    installed_at: datetime


@dataclass(frozen=True, slots=True)
class InterpretationRef:
    """Where a sample's interpretation for one bundle version is kept (an output tarball)."""

    sample_pk: int
    bundle_version: str
    origin: str  # output | reinterpretation
    location: str


@dataclass(frozen=True, slots=True)
class ReinterpretJob:
    """One re-interpretation of one sample against one bundle version."""

    id: int
    sample_pk: int
    sample_key: str
    sample_output_key: str | None
    kind: str
    bundle_version: str
    state: ReinterpretState
    attempts: int
    output_key: str | None = None  # None until done, and when nothing changed
    changes: int = 0
    meaningful: int = 0
    summary: dict[str, Any] | None = None
    reason: str | None = None
    store_url: str = ""
