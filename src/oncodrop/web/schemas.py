"""The API's JSON shapes (pydantic), which the OpenAPI 3.1 document describes. Built from the
domain's frozen records; never ORM rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from oncodrop.domain.reinterpretation import ReinterpretJob, ReinterpretState
from oncodrop.domain.sample import HistoryEntry, SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import Rejection


class SampleOut(BaseModel):
    id: int = Field(description="The ledger's number for this input object version.")
    key: str
    sample_id: str
    kind: str
    state: SampleState
    run: int
    attempts: int
    max_attempts: int
    size: int
    created_at: datetime
    updated_at: datetime
    reason_code: str | None = None
    reason: str | None = None
    output_key: str | None = Field(default=None, description="Set once the output exists (SUCCEEDED).")
    headline: dict[str, Any] | None = None

    @classmethod
    def of(cls, r: SampleRecord) -> SampleOut:
        return cls(
            id=r.id, key=r.key, sample_id=r.sample_id, kind=r.kind, state=r.state, run=r.run, attempts=r.attempts,
            max_attempts=r.max_attempts, size=r.size, created_at=r.created_at, updated_at=r.updated_at,
            reason_code=r.reason_code, reason=r.reason,
            output_key=r.output_key if r.state is SampleState.SUCCEEDED else None,
            headline=r.headline.model_dump(mode="json") if r.headline is not None else None,
        )  # fmt: skip


class HistoryOut(BaseModel):
    run: int
    from_state: SampleState | None
    to_state: SampleState
    at: datetime
    actor: str
    reason_code: str | None
    reason: str | None

    @classmethod
    def of(cls, h: HistoryEntry) -> HistoryOut:
        return cls(run=h.run, from_state=h.from_state, to_state=h.to_state, at=h.at, actor=h.actor,
                   reason_code=h.reason_code, reason=h.reason)  # fmt: skip


class SamplePage(BaseModel):
    items: list[SampleOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next (older) page; null on the last.")


class SampleDetail(BaseModel):
    sample: SampleOut
    history: list[HistoryOut]


class ReinterpretationOut(BaseModel):
    bundle_version: str
    state: ReinterpretState
    attempts: int
    changes: int = Field(description="Changes found against the bundle the sample was last reported with.")
    meaningful: int = Field(description="How many of them are clinically meaningful (announced).")
    counts: dict[str, Any] | None = Field(default=None, description="Changes by kind.")
    reason: str | None = Field(default=None, description="Why it failed (DEAD, or retried).")
    output_key: str | None = Field(default=None, description="The change report's key; null when nothing changed.")
    download: str | None = Field(default=None, description="Where to download the change report (audited).")

    @classmethod
    def of(cls, sample_id: int, j: ReinterpretJob) -> ReinterpretationOut:
        ready = j.state is ReinterpretState.DONE and bool(j.output_key)
        return cls(bundle_version=j.bundle_version, state=j.state, attempts=j.attempts, changes=j.changes,
                   meaningful=j.meaningful, counts=j.summary, reason=j.reason,
                   output_key=j.output_key if ready else None,
                   download=reinterpretation_path(sample_id, j.bundle_version) if ready else None)  # fmt: skip


def reinterpretation_path(sample_id: int, bundle_version: str) -> str:
    return f"/api/v1/samples/{sample_id}/reinterpretations/{quote(bundle_version, safe='')}/output"


class RerunIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000, description="Why it is re-run (kept in the history).")


class RejectionOut(BaseModel):
    reason_code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    @classmethod
    def of(cls, r: Rejection) -> RejectionOut:
        return cls(reason_code=str(r.reason_code), message=r.message, file=r.file, line=r.line, field=r.field)


class UploadOut(BaseModel):
    key: str
    size: int
    etag: str


class PresignIn(BaseModel):
    filename: str = Field(min_length=1, max_length=500, description="The tarball's file name.")
    size: int = Field(ge=1, description="Its size in bytes (refused above the intake cap).")
    prefix: str = Field(default="", max_length=500, description="Folder in the bucket (optional).")


class PresignOut(BaseModel):
    key: str = Field(description="The only key the signed form may write.")
    url: str = Field(description="POST a multipart form here: the fields first, then the file as `file`.")
    fields: dict[str, str]


class Problem(BaseModel):
    detail: Any


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    sample_id: int | None
    detail: str | None


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


class WhoAmI(BaseModel):
    name: str
    role: str
