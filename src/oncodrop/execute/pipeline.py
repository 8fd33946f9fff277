"""One sample, start to finish: fetch → verify → unpack → config → report → package → upload.

Each step is a small function with typed input and output; ``run_sample`` composes them,
times them, captures the job's own log, and always scrubs the private work dir. Exceptions
pass through unchanged: the job's caller maps them to ledger states in one place
(``errors.classify``: a bug is an ``error``, an ``OSError`` is judged by its errno). An
exception that is not an ``OncodropError`` is logged with its traceback in the job's run log
(and so in the service log), never in the ledger reason or a notification.

Idempotency: before reporting and again before uploading, an existing output whose
provenance names the same input sha256 is kept as it is, so a crashed worker's re-run never
replaces an output with a second, different one.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from oncodrop import __version__
from oncodrop.digest import file_digest
from oncodrop.domain.headline import Headline
from oncodrop.domain.kind import SampleKind
from oncodrop.errors import ConfigError, InputRejected, OncodropError, ReasonCode, TransientError
from oncodrop.execute.package import (
    FIXED_MTIME,
    output_mtime,
    read_member,
    root_name_for,
    write_reproducible_tarball,
)
from oncodrop.execute.provenance import (
    FILE_NAME,
    InputRecord,
    Provenance,
    describe_bundle,
    file_checksums,
    parse_provenance,
    read_reporter_provenance,
)
from oncodrop.intake.config import load_config
from oncodrop.intake.manifest import InputManifest
from oncodrop.intake.tarball import unpack
from oncodrop.logs import capture_job_log
from oncodrop.report.protocol import Reporter, ReportRequest, ReportResult
from oncodrop.sampleconfig import SampleConfig
from oncodrop.settings import DEFAULT_COMPRESS_ROWS_OVER, IntakeLimits
from oncodrop.store.base import ObjectInfo, ObjectStore
from oncodrop.timing import StepClock

log = logging.getLogger(__name__)

RUN_LOG = "logs/run.log"


@dataclass(frozen=True, slots=True)
class SampleJob:
    """One unit of work: a specific version (``etag``) of one input object."""

    store_url: str
    key: str
    etag: str
    kind: SampleKind
    sample_id: str
    output_key: str


@dataclass(frozen=True, slots=True)
class PipelineOutcome:
    """What the worker records and notifies. ``uploaded`` is False when an identical output
    (same input sha256) was already in the store and was left untouched."""

    output_key: str
    headline: Headline
    timings: dict[str, float] = field(default_factory=dict)
    uploaded: bool = True
    input_sha256: str = ""
    reporter: str = ""
    bundle_version: str = ""


@dataclass(frozen=True, slots=True)
class Fetched:
    path: Path
    info: ObjectInfo


@dataclass(frozen=True, slots=True)
class Verified:
    path: Path
    sha256: str
    size: int


# -- the steps ------------------------------------------------------------------------------


def fetch(store: ObjectStore, job: SampleJob, job_dir: Path) -> Fetched:
    """Download the input into the private dir, under its own file name (messages name it)."""
    path = job_dir / PurePosixPath(job.key).name
    info = store.get_file(job.key, path)
    return Fetched(path, info)


def verify(job: SampleJob, fetched: Fetched) -> Verified:
    """Check we hold the version that was queued, and that it arrived intact.

    A different etag means the user replaced the object after it was queued. That version is
    gone for good, so retrying cannot help; the new upload has its own event and job. Hence
    ``InputRejected("object_changed")``, not a transient error. A content checksum that does
    not match its own etag is a damaged transfer: ``TransientError`` (retry).
    """
    if fetched.info.etag.strip('"') != job.etag.strip('"'):
        raise InputRejected(
            ReasonCode.OBJECT_CHANGED,
            f"{job.key} was replaced after it was queued (queued etag {job.etag}, now "
            f"{fetched.info.etag}); this run is abandoned and the new upload is processed on its own",
            file=job.key,
        )
    sha256 = file_digest(fetched.path, "sha256")
    expected = fetched.info.etag.strip('"').lower()
    if (len(expected) == 64 and expected != sha256) or (
        len(expected) == 32 and expected != file_digest(fetched.path, "md5")
    ):
        raise TransientError(f"{job.key}: downloaded bytes do not match etag {expected}; download again")
    return Verified(fetched.path, sha256, fetched.path.stat().st_size)


def unpack_input(verified: Verified, job_dir: Path, limits: IntakeLimits) -> InputManifest:
    """Safe unpack into ``job_dir/input`` (the intake checks links, sizes, bombs, members)."""
    return unpack(verified.path, job_dir, limits)


def load_sample_config(manifest: InputManifest, job: SampleJob) -> SampleConfig:
    return load_config(manifest.config, sample_id_default=job.sample_id)


def existing_output(store: ObjectStore, job: SampleJob, input_sha256: str, scratch: Path) -> Provenance | None:
    """The provenance of an output already in the store made from this very input, else None.

    An output from another input version, or one we cannot read, does not count: it is
    replaced by this run's output.
    """
    if store.head(job.output_key) is None:
        return None
    local = scratch / "existing-output.tar.gz"
    try:
        store.get_file(job.output_key, local)
    except InputRejected:  # deleted between head and get: there is nothing to keep
        return None
    try:
        provenance = parse_provenance(read_member(local, f"{root_name_for(job.output_key)}/{FILE_NAME}"))
    finally:
        local.unlink(missing_ok=True)
    if provenance is not None and provenance.input.sha256 == input_sha256:
        return provenance
    log.warning("output %s exists but was not made from this input; it will be replaced", job.output_key)
    return None


def run_reporter(reporter: Reporter, request: ReportRequest) -> ReportResult:
    """Run the reporter; whatever it raises is classified by the caller (``errors.classify``)."""
    return reporter.run(request)


def build_provenance(
    job: SampleJob,
    verified: Verified,
    manifest: InputManifest,
    config: SampleConfig,
    bundle: Path,
    result: ReportResult,
    clock: StepClock,
) -> Provenance:
    """Everything the output was made from; report files are checksummed as they are now."""
    return Provenance(
        sample_id=config.sample.id or job.sample_id,
        kind=job.kind,
        input=InputRecord(
            key=job.key, etag=job.etag, sha256=verified.sha256, bytes=verified.size,
            members=file_checksums(manifest.root, _inputs(manifest)),
        ),
        oncodrop_version=__version__,
        reporter=result.reporter,
        bundle=describe_bundle(bundle),
        config=config.model_dump(mode="json"),
        outputs=file_checksums(result.out_dir, exclude=(FILE_NAME,)),
        report=read_reporter_provenance(result.out_dir),
        headline=result.headline,
        timings={**clock.timings, **{f"report.{k}": v for k, v in result.timings.items()}},
        started_at=clock.started_at.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def package(out_root: Path, provenance: Provenance, run_log: Path, dest: Path, *, mtime: int = FIXED_MTIME) -> Path:
    """Add provenance.json and logs/run.log beside the report files and tar them up, every
    member dated ``mtime`` (``package.output_mtime``)."""
    (out_root / FILE_NAME).write_bytes(provenance.to_json())
    (out_root / RUN_LOG).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run_log, out_root / RUN_LOG)
    return write_reproducible_tarball(out_root, dest, out_root.name, mtime=mtime)


def upload(store: ObjectStore, tarball: Path, job: SampleJob, input_sha256: str, scratch: Path) -> bool:
    """Put the output unless an output from the same input appeared meanwhile; True if put."""
    if existing_output(store, job, input_sha256, scratch) is not None:
        log.info("output %s already made from this input by another run; not uploading", job.output_key)
        return False
    store.put_file(tarball, job.output_key)
    return True


# -- composition ----------------------------------------------------------------------------


def run_sample(
    job: SampleJob,
    *,
    store: ObjectStore,
    reporters: Mapping[str, Reporter],
    bundle: Path,
    workdir: Path,
    limits: IntakeLimits | None = None,
    compress_rows_over: int = DEFAULT_COMPRESS_ROWS_OVER,
) -> PipelineOutcome:
    """Process one sample; the private job dir under ``workdir`` is removed whatever happens.
    ``compress_rows_over`` is ``[report] compress_rows_over`` (bgzip'd tables above it)."""
    reporter = reporters.get(job.kind)
    if reporter is None:
        raise ConfigError(f"no reporter configured for {job.kind!r} samples (have: {', '.join(reporters) or 'none'})")
    workdir.mkdir(parents=True, exist_ok=True)
    job_dir = Path(tempfile.mkdtemp(prefix="job-", dir=workdir))  # mode 0700
    try:
        with capture_job_log(job_dir / "run.log") as run_log:
            try:
                return _run(job, store, reporter, bundle, job_dir, run_log, limits or IntakeLimits(),
                            compress_rows_over)  # fmt: skip
            except OncodropError as exc:
                log.warning("job %s stopped: %s: %s", job.key, type(exc).__name__, exc.message)
                raise
            except Exception as exc:  # the traceback belongs in the run log, not in the ledger
                log.exception("job %s failed with %s; traceback follows", job.key, type(exc).__name__)
                raise
    finally:
        scrub(job_dir)


def _run(
    job: SampleJob,
    store: ObjectStore,
    reporter: Reporter,
    bundle: Path,
    job_dir: Path,
    run_log: Path,
    limits: IntakeLimits,
    compress_rows_over: int = DEFAULT_COMPRESS_ROWS_OVER,
) -> PipelineOutcome:
    clock = StepClock(log)
    log.info("job %s (%s) started with reporter %s", job.key, job.kind, reporter.name)
    with clock.step("fetch"):
        fetched = fetch(store, job, job_dir)
    with clock.step("verify"):
        verified = verify(job, fetched)
    with clock.step("check_existing"):
        previous = existing_output(store, job, verified.sha256, job_dir)
    if previous is not None:
        log.info("job %s: output %s already made from this input; nothing to do", job.key, job.output_key)
        return PipelineOutcome(
            job.output_key, previous.headline, clock.timings, uploaded=False,
            input_sha256=verified.sha256, reporter=previous.reporter,
            bundle_version=str(previous.bundle.get("version", "")),
        )
    with clock.step("unpack"):
        manifest = unpack_input(verified, job_dir, limits)
    with clock.step("config"):
        config = load_sample_config(manifest, job)
    out_root = job_dir / "output" / root_name_for(job.output_key)
    out_root.mkdir(parents=True)
    request = ReportRequest(
        vcf=manifest.vcf, config=config, bundle=bundle, out_dir=out_root, kind=job.kind,
        sample_id=config.sample.id or job.sample_id, cna=manifest.cna, compress_rows_over=compress_rows_over,
    )
    with clock.step("report"):
        result = run_reporter(reporter, request)
    with clock.step("package"):
        provenance = build_provenance(job, verified, manifest, config, bundle, result, clock)
        log.info("job %s: report ready (%d files); packaging %s", job.key, len(provenance.outputs), job.output_key)
        tarball = package(out_root, provenance, run_log, job_dir / "output.tar.gz",
                          mtime=output_mtime(fetched.info.modified))  # fmt: skip
    with clock.step("upload"):
        uploaded = upload(store, tarball, job, verified.sha256, job_dir)
    log.info("job %s finished: %s", job.key, "uploaded" if uploaded else "kept existing output")
    return PipelineOutcome(
        job.output_key, result.headline, clock.timings, uploaded=uploaded,
        input_sha256=verified.sha256, reporter=provenance.reporter,
        bundle_version=str(provenance.bundle.get("version", "")),
    )


def _inputs(manifest: InputManifest) -> list[Path]:
    return [p for p in (manifest.vcf, manifest.config, manifest.cna, manifest.index) if p is not None]


def scrub(job_dir: Path) -> None:
    """Remove the job's private dir, even files a reporter made read-only."""

    def force(func: Callable[[str], object], path: str, _exc: object) -> None:
        os.chmod(os.path.dirname(path), stat.S_IRWXU)  # unlinking needs a writable parent
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, stat.S_IRWXU)
        func(path)

    try:
        if sys.version_info >= (3, 12):
            shutil.rmtree(job_dir, onexc=force)
        else:
            shutil.rmtree(job_dir, onerror=force)
    except OSError as exc:
        log.error("could not scrub work dir %s: %s", job_dir.name, exc.strerror)
