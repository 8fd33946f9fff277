"""``/api/v1``: samples (filtered, cursor-paged), a sample with its history, output, report
and re-interpretation downloads (audited), re-run (audited), upload (checked like ``oncodrop submit``, audited),
bundle information, health and readiness, the audit log (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from oncodrop.domain.access import AuditAction
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.errors import Rejection
from oncodrop.ledger import access as ledger_access
from oncodrop.ledger import queries
from oncodrop.ledger.reinterp import Reinterpretations
from oncodrop.refdata.bundle import Bundle
from oncodrop.web import auth, downloads, uploads
from oncodrop.web.auth import Principal
from oncodrop.web.context import Console, console
from oncodrop.web.schemas import (
    AuditOut,
    Health,
    HistoryOut,
    PresignIn,
    PresignOut,
    Problem,
    ReinterpretationOut,
    RejectionOut,
    RerunIn,
    SampleDetail,
    SampleOut,
    SamplePage,
    UploadOut,
    WhoAmI,
)

router = APIRouter(prefix="/api/v1", responses={401: {"model": Problem}, 403: {"model": Problem}})
public = APIRouter(prefix="/api/v1")

Viewer = Annotated[Principal, Depends(auth.viewer)]
Submitter = Annotated[Principal, Depends(auth.submitter)]
Admin = Annotated[Principal, Depends(auth.admin)]
Ctx = Annotated[Console, Depends(console)]
MAX_PAGE = 500
MAX_ID = 2**63 - 1  # the ledger's integer keys (larger ids cannot exist)
SampleId = Annotated[int, Path(ge=1, le=MAX_ID, description="The sample's number in the ledger.")]
BundleVersionParam = Annotated[str, Path(min_length=1, max_length=128, description="A bundle version.")]


def load_sample(ctx: Console, sample_id: int) -> SampleRecord:
    record = ctx.ledger.get(sample_id)
    if record is None:
        raise HTTPException(404, f"no sample #{sample_id}")
    return record


def invalid_query(name: str, message: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors (what the schema documents for 422)."""
    return HTTPException(422, [{"loc": ["query", name], "msg": message, "type": "value_error"}])


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or int(cursor) > MAX_ID:
        raise invalid_query("cursor", "cursor must be a value a previous page returned as next_cursor")
    return int(cursor)


def sample_filter(state: list[SampleState] | None, batch: str | None, kind: str | None, since: datetime | None,
                  until: datetime | None, q: str | None) -> queries.SampleFilter:  # fmt: skip
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise invalid_query(name, "since/until need a timezone (e.g. 2026-12-01T00:00:00Z)")
    return queries.SampleFilter(tuple(state or ()), batch or None, kind or None, since, until, q or None)


@router.get("/samples", response_model=SamplePage, summary="Samples, newest first")
def list_samples(
    ctx: Ctx, _: Viewer,
    state: Annotated[list[SampleState] | None, Query(description="Repeat for several states.")] = None,
    batch: Annotated[str | None, Query(max_length=200, description="The {sample_batch} part of the name.")] = None,
    kind: Annotated[str | None, Query(pattern="^(somatic|normal)$")] = None,
    since: Annotated[datetime | None, Query(description="Recorded at or after (ISO 8601 with zone).")] = None,
    until: Annotated[datetime | None, Query(description="Recorded before (ISO 8601 with zone).")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the object key.")] = None,
    cursor: Annotated[str | None, Query(max_length=18, pattern="^[0-9]+$",
                                        description="next_cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> SamplePage:  # fmt: skip
    where = sample_filter(state, batch, kind, since, until, q)
    records, nxt = queries.page_samples(ctx.ledger.engine, where, after_id=parse_cursor(cursor), limit=limit)
    return SamplePage(items=[SampleOut.of(r) for r in records], next_cursor=None if nxt is None else str(nxt))


@router.get("/samples/{sample_id}", response_model=SampleDetail, responses={404: {"model": Problem}})
def get_sample(sample_id: SampleId, ctx: Ctx, _: Viewer) -> SampleDetail:
    record = load_sample(ctx, sample_id)
    return SampleDetail(sample=SampleOut.of(record), history=[HistoryOut.of(h) for h in ctx.ledger.history(sample_id)])


def _download(ctx: Console, who: Principal, sample_id: int, what: str) -> Response:
    record = load_sample(ctx, sample_id)
    response = (downloads.stream_output if what == "output" else downloads.report_html)(ctx.store, record)
    ctx.audit(who.name, AuditAction.DOWNLOAD, downloads.output_key_of(record), sample_pk=record.id, detail=what)
    return response


@router.get("/samples/{sample_id}/output", response_class=Response, responses={
    200: {"content": {"application/gzip": {}}, "description": "The output tarball."}, 404: {"model": Problem}})
def download_output(sample_id: SampleId, ctx: Ctx, who: Viewer) -> Response:
    """The ``…-output.tar.gz``, streamed from the store; the download is audit-logged."""
    return _download(ctx, who, sample_id, "output")


@router.get("/samples/{sample_id}/report", response_class=Response, responses={
    200: {"content": {"text/html": {}}, "description": "The report."}, 404: {"model": Problem}})
def download_report(sample_id: SampleId, ctx: Ctx, who: Viewer) -> Response:
    """``report.html`` out of the output tarball; audit-logged."""
    return _download(ctx, who, sample_id, "report")


@router.get("/samples/{sample_id}/reinterpretations", response_model=list[ReinterpretationOut],
            responses={404: {"model": Problem}})  # fmt: skip
def list_reinterpretations(sample_id: SampleId, ctx: Ctx, _: Viewer) -> list[ReinterpretationOut]:
    """The sample's re-interpretations, one per bundle version (oldest first), with the link to
    each change report."""
    load_sample(ctx, sample_id)
    return [ReinterpretationOut.of(sample_id, j) for j in Reinterpretations(ctx.ledger).jobs(sample_pk=sample_id)]


@router.get("/samples/{sample_id}/reinterpretations/{bundle_version}/output", response_class=Response, responses={
    200: {"content": {"application/gzip": {}}, "description": "The change report tarball."}, 404: {"model": Problem}})
def download_reinterpretation(sample_id: SampleId, bundle_version: BundleVersionParam, ctx: Ctx,
                              who: Viewer) -> Response:  # fmt: skip
    """The ``…-reinterpretation-{version}.tar.gz`` (HTML diff, JSON, updated report), streamed
    from the store; the download is audit-logged."""
    record = load_sample(ctx, sample_id)
    found = Reinterpretations(ctx.ledger).jobs(sample_pk=sample_id, bundle_version=bundle_version)
    key = downloads.reinterpretation_key_of(record, found[0] if found else None, bundle_version)
    response = downloads.stream_key(ctx.store, key)
    ctx.audit(who.name, AuditAction.DOWNLOAD, key, sample_pk=record.id, detail=f"reinterpretation {bundle_version}")
    return response


def rerun(ctx: Console, who: Principal, sample_id: int, reason: str) -> SampleRecord:
    load_sample(ctx, sample_id)
    record = ctx.ledger.rerun(sample_id, actor=who.name, reason=reason)
    ctx.audit(who.name, AuditAction.RERUN, record.key, sample_pk=record.id, detail=reason)
    return record


@router.post("/samples/{sample_id}/rerun", response_model=SampleOut,
             responses={404: {"model": Problem}, 409: {"model": Problem}})  # fmt: skip
def rerun_sample(sample_id: SampleId, body: RerunIn, ctx: Ctx, who: Submitter) -> SampleOut:
    """Queue a finished (SUCCEEDED, DEAD, REJECTED) sample again as a new run, with the reason."""
    return SampleOut.of(rerun(ctx, who, sample_id, body.reason))


@router.post("/uploads", response_model=UploadOut, status_code=201,
             responses={413: {"model": Problem}, 422: {"model": RejectionOut}})  # fmt: skip
async def upload(ctx: Ctx, who: Submitter, file: Annotated[UploadFile, File()],
                 prefix: Annotated[str, Form(max_length=500)] = "") -> Any:  # fmt: skip
    """Check a tarball exactly as ``oncodrop submit`` does; store it only if it passes."""
    result = await uploads.receive(file, prefix, ctx.settings, await run_in_threadpool(lambda: ctx.store))
    if result.rejection is not None:
        return JSONResponse(RejectionOut.of(result.rejection).model_dump(), status_code=422)
    assert result.info is not None
    ctx.audit(who.name, AuditAction.UPLOAD, result.key, detail=f"{result.info.size} bytes")
    return UploadOut(key=result.key, size=result.info.size, etag=result.info.etag)


@router.post("/uploads/presign", response_model=PresignOut,
             responses={409: {"model": Problem}, 413: {"model": Problem}, 422: {"model": RejectionOut}})  # fmt: skip
def presign_upload(body: PresignIn, ctx: Ctx, who: Submitter) -> Any:
    """S3 stores only: a presigned POST for the browser to upload straight to the bucket, limited
    to this one (well-named) key and the intake size cap. The content is checked on admission."""
    result = uploads.presign(body.filename, body.prefix, body.size, ctx.settings, ctx.store)
    if isinstance(result, Rejection):
        return JSONResponse(RejectionOut.of(result).model_dump(), status_code=422)
    ctx.audit(who.name, AuditAction.UPLOAD, result.key, detail=f"presigned POST, {body.size} bytes declared")
    return PresignOut(key=result.key, url=result.url, fields=result.fields)


@router.get("/bundle", summary="The reference bundle the service reports with")
def bundle_info(ctx: Ctx, _: Viewer) -> dict[str, Any]:
    if ctx.settings.bundle is None:
        raise HTTPException(404, "no reference bundle configured (bundle / ONCODROP_BUNDLE)")
    described = Bundle.open(ctx.settings.bundle).describe()
    described.pop("path", None)  # the operator's file system layout stays private
    return described


@router.get("/whoami", response_model=WhoAmI)
def whoami(who: Viewer) -> WhoAmI:
    return WhoAmI(name=who.name, role=who.role.value)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(ctx: Ctx, _: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
              before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> list[AuditOut]:  # fmt: skip
    """Downloads, re-runs, uploads, logins, newest first (admin)."""
    return [AuditOut(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, sample_id=e.sample_pk,
                     detail=e.detail) for e in ledger_access.audit_entries(ctx.ledger.engine, limit=limit, before_id=before)]  # fmt: skip


@public.get("/health", response_model=Health)
def health() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@public.get("/ready", response_model=Health, responses={503: {"model": Health}})
def ready(ctx: Ctx) -> Any:
    """Readiness: the ledger answers, the store opens, the bundle folder exists."""
    checks: dict[str, str] = {}
    try:
        queries.last_transition_id(ctx.ledger.engine)
        checks["ledger"] = "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure, never raises
        checks["ledger"] = type(exc).__name__
    try:
        ctx.store.head("oncodrop-readiness-probe")
        checks["store"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["store"] = type(exc).__name__
    bundle = ctx.settings.bundle
    checks["bundle"] = "ok" if bundle is not None and bundle.is_dir() else "missing"
    ok = all(v == "ok" for v in checks.values())
    body = Health(status="ok" if ok else "unavailable", checks=checks)
    return body if ok else JSONResponse(body.model_dump(), status_code=503)

