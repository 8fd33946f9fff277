"""Outputs leave the store only through here: fetched into a private (0700) temp folder,
streamed to the caller, and removed when the response is done. The report is read out of the
output tarball (``{root}/report.html``), never unpacked to disk. A re-interpretation's change
report (``…-reinterpretation-{version}.tar.gz``) leaves the same way."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import HTTPException
from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response

from oncodrop.domain.reinterpretation import ReinterpretJob, ReinterpretState
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState
from oncodrop.execute.package import read_member, root_name_for
from oncodrop.store import ObjectStore

REPORT_NAME = "report.html"
REPORT_MAX_BYTES = 64 * 1024 * 1024
# the report is self-contained (inline CSS, JS, SVG): it may load nothing, not even from us
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
              "frame-ancestors 'self'")  # fmt: skip


def output_key_of(record: SampleRecord) -> str:
    if record.state is not SampleState.SUCCEEDED or not record.output_key:
        raise HTTPException(404, f"sample #{record.id} has no output (it is {record.state.value})")
    return record.output_key


def _fetch(store: ObjectStore, key: str) -> tuple[Path, Path]:
    folder = Path(tempfile.mkdtemp(prefix="oncodrop-dl-"))  # mkdtemp makes it 0700
    local = folder / "output.tar.gz"
    try:
        store.get_file(key, local)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, local


def reinterpretation_key_of(record: SampleRecord, job: ReinterpretJob | None, version: str) -> str:
    if job is None:
        raise HTTPException(404, f"sample #{record.id} has no re-interpretation against bundle {version}")
    if job.state is not ReinterpretState.DONE or not job.output_key:
        why = "nothing changed" if job.state is ReinterpretState.DONE else f"it is {job.state.value}"
        raise HTTPException(404, f"the re-interpretation of sample #{record.id} against bundle {version} "
                                 f"has no change report ({why})")  # fmt: skip
    return job.output_key


def stream_output(store: ObjectStore, record: SampleRecord) -> Response:
    return stream_key(store, output_key_of(record))


def stream_key(store: ObjectStore, key: str) -> Response:
    """The tarball at ``key``, streamed from a private copy removed once sent."""
    folder, local = _fetch(store, key)
    return FileResponse(local, media_type="application/gzip", filename=key.rsplit("/", 1)[-1],
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))  # fmt: skip


def report_html(store: ObjectStore, record: SampleRecord) -> Response:
    key = output_key_of(record)
    folder, local = _fetch(store, key)
    try:
        body = read_member(local, f"{root_name_for(key)}/{REPORT_NAME}", max_bytes=REPORT_MAX_BYTES)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if body is None:
        raise HTTPException(404, f"the output of sample #{record.id} has no {REPORT_NAME}")
    return Response(body, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_CSP, "X-Content-Type-Options": "nosniff"})  # fmt: skip
