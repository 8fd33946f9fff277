"""The interpretation index: where each sample's interpretation input for a bundle version is
kept (the output tarball it is in). Written with the SUCCEEDED transition and with each
re-interpretation, in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from oncodrop.ledger.models import InterpretationRow


def index_interpretation(s: Session, sample_pk: int, bundle_version: str, origin: str, location: str,
                         now: datetime) -> None:  # fmt: skip
    """Record where the sample's interpretation for ``bundle_version`` is kept (once)."""
    exists = s.scalar(select(InterpretationRow.id).where(
        InterpretationRow.sample_pk == sample_pk, InterpretationRow.bundle_version == bundle_version))  # fmt: skip
    if exists is None:
        s.add(InterpretationRow(sample_pk=sample_pk, bundle_version=bundle_version, origin=origin,
                                location=location, created_at=now))  # fmt: skip
