"""The per-sample pipeline on a real public VCF (TCGA BRCA, PCGR test data) in a local store.

The reporter here is a tiny test double implementing the ``Reporter`` protocol (the real
reporter is exercised by the integration tests); everything else is the real code.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import logging
import os
import stat
import tarfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncodrop.domain.headline import Headline
from oncodrop.errors import ConfigError, Disposition, InputRejected, ReasonCode, TransientError, classify
from oncodrop.execute.package import member_names, read_member
from oncodrop.execute.pipeline import Fetched, SampleJob, run_sample, scrub, verify
from oncodrop.naming import parse_key
from oncodrop.refdata.manifest import BundleManifest, write_manifest
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.store.base import ObjectInfo
from oncodrop.store.local import LocalStore

KEY = "incoming/BRCA7-a04f01-somatic.tar.gz"
ROOT = "BRCA7-a04f01-somatic-output"
CONFIG = """\
[sample]
genome_build = "grch37"
tumor_site = "Breast"

[allelic_support]
tumor_dp_tag = "TDP"
tumor_af_tag = "TVAF"
"""


class CountingReporter:
    """Test double: counts PASS records and writes report-like files deterministically."""

    name = "counting-test-reporter"

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.requests: list[ReportRequest] = []
        self.job_dir_modes: list[int] = []
        self.fail_with = fail_with

    def run(self, request: ReportRequest) -> ReportResult:
        self.requests.append(request)
        self.job_dir_modes.append(stat.S_IMODE(request.out_dir.parents[1].stat().st_mode))
        if self.fail_with is not None:
            raise self.fail_with
        with gzip.open(request.vcf, "rt") as fh:
            records = [line.split("\t") for line in fh if not line.startswith("#")]
        passing = [r for r in records if r[6] in ("PASS", ".")]
        (request.out_dir / "report.html").write_text(f"<h1>{request.sample_id}</h1><p>{len(passing)} PASS</p>\n")
        tiers = request.out_dir / f"{request.sample_id}.tiers.tsv"
        tiers.write_text("chrom\tpos\n" + "".join(f"{r[0]}\t{r[1]}\n" for r in passing))
        headline = Headline(tier1=1, tier2=len(passing) % 7, tmb=len(passing) / request.config.assay.target_size_mb)
        own = request.out_dir / "provenance.json"  # like the real reporter, it writes its own
        own.write_text(json.dumps({"reporter": self.name, "vcf": request.vcf.name, "records": len(records)}))
        files = (request.out_dir / "report.html", tiers, own)
        return ReportResult(request.out_dir, files, headline, self.name, {"read": 0.01})


def _tarball(path: Path, vcf: Path, config: str) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        tar.add(vcf, arcname=vcf.name)
        tar.add(vcf.with_name(vcf.name + ".tbi"), arcname=vcf.name + ".tbi")
        data = config.encode()
        info = tarfile.TarInfo("sample.toml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def brca_vcf(testdata) -> Path:
    return testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz"


@pytest.fixture
def store(tmp_path, brca_vcf) -> LocalStore:
    bucket = tmp_path / "bucket"
    (bucket / "incoming").mkdir(parents=True)
    _tarball(bucket / KEY, brca_vcf, CONFIG)
    return LocalStore(bucket)


@pytest.fixture
def bundle(tmp_path) -> Path:
    root = tmp_path / "bundle"
    root.mkdir()
    write_manifest(root, BundleManifest(name="pipeline-test", version="2026.11.25", demo=True, builds=("grch37",)))
    return root


def _job(store: LocalStore, key: str = KEY) -> SampleJob:
    parsed = parse_key(key)
    info = store.head(key)
    assert info is not None
    return SampleJob(store.url, key, info.etag, parsed.kind, parsed.sample_id, parsed.output_key)


def _provenance(store: LocalStore, tmp_path: Path, key: str = "incoming/BRCA7-a04f01-somatic-output.tar.gz") -> dict:
    local = tmp_path / "fetched-output.tar.gz"
    store.get_file(key, local)
    return json.loads(read_member(local, f"{ROOT}/provenance.json") or b"null")


def test_brca_sample_becomes_an_output_tarball_beside_the_input(store, bundle, tmp_path, brca_vcf):
    reporter = CountingReporter()
    work = tmp_path / "work"
    outcome = run_sample(_job(store), store=store, reporters={"somatic": reporter}, bundle=bundle, workdir=work)

    assert outcome.output_key == "incoming/BRCA7-a04f01-somatic-output.tar.gz" and outcome.uploaded
    assert outcome.headline.tier2 == 196 % 7  # 196 PASS calls in this TCGA-A2-A04W VCF
    assert list(outcome.timings) == ["fetch", "verify", "check_existing", "unpack", "config", "report", "package", "upload"]
    local = tmp_path / "out.tar.gz"
    store.get_file(outcome.output_key, local)
    assert member_names(local) == [
        ROOT, f"{ROOT}/BRCA7-a04f01.tiers.tsv", f"{ROOT}/logs", f"{ROOT}/logs/run.log",
        f"{ROOT}/provenance.json", f"{ROOT}/report.html",
    ]
    assert (read_member(local, f"{ROOT}/report.html") or b"").decode() == "<h1>BRCA7-a04f01</h1><p>196 PASS</p>\n"
    assert reporter.requests[0].config.allelic_support.tumor_dp_tag == "TDP"
    assert list(work.iterdir()) == []  # scrubbed


@pytest.mark.parametrize("source_date_epoch", [None, "1700000000"])
def test_output_members_are_dated_source_date_epoch_else_when_the_input_was_uploaded(
    store, bundle, tmp_path, monkeypatch, source_date_epoch
):
    uploaded = 1_764_000_000  # 2025-11-24: the input object's mtime in the folder bucket
    os.utime(store.root / KEY, (uploaded, uploaded))
    if source_date_epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", source_date_epoch)
    outcome = run_sample(_job(store), store=store, reporters={"somatic": CountingReporter()}, bundle=bundle,
                         workdir=tmp_path / "w")  # fmt: skip
    local = tmp_path / "out.tar.gz"
    store.get_file(outcome.output_key, local)
    with tarfile.open(local) as tar:
        times = {info.mtime for info in tar.getmembers()}
    assert times == {int(source_date_epoch or uploaded)}


def test_provenance_names_input_checksums_software_bundle_config_and_timings(store, bundle, tmp_path, brca_vcf):
    run_sample(_job(store), store=store, reporters={"somatic": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")
    prov = _provenance(store, tmp_path)
    input_bytes = (store.root / KEY).read_bytes()
    assert prov["input"]["key"] == KEY
    assert prov["input"]["sha256"] == hashlib.sha256(input_bytes).hexdigest()
    assert prov["input"]["bytes"] == len(input_bytes)
    assert prov["input"]["members"][brca_vcf.name] == hashlib.sha256(brca_vcf.read_bytes()).hexdigest()
    assert set(prov["input"]["members"]) == {brca_vcf.name, brca_vcf.name + ".tbi", "sample.toml"}
    assert prov["reporter"] == "counting-test-reporter" and prov["oncodrop_version"]
    assert prov["bundle"]["name"] == "pipeline-test" and prov["bundle"]["version"] == "2026.11.25"
    assert prov["bundle"]["manifest_sha256"] == hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    assert prov["config"]["sample"] == {"id": "BRCA7-a04f01", "genome_build": "grch37", "tumor_site": "Breast", "tumor_only": False}
    assert set(prov["outputs"]) == {"report.html", "BRCA7-a04f01.tiers.tsv"}
    assert prov["report"] == {"reporter": "counting-test-reporter", "vcf": brca_vcf.name, "records": 196}
    assert {"fetch", "unpack", "report", "report.read"} <= set(prov["timings"])
    assert prov["started_at"] <= prov["finished_at"] and prov["started_at"].endswith("+00:00")


def test_run_log_holds_the_jobs_steps_and_the_key_only(store, bundle, tmp_path):
    run_sample(_job(store), store=store, reporters={"somatic": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")
    local = tmp_path / "o.tar.gz"
    store.get_file("incoming/BRCA7-a04f01-somatic-output.tar.gz", local)
    log = (read_member(local, f"{ROOT}/logs/run.log") or b"").decode()
    assert f"job {KEY} (somatic) started with reporter counting-test-reporter" in log
    assert "step unpack:" in log and "step report:" in log
    assert "TDP" not in log and "17\t" not in log  # no config values, no variant lines


def test_rerun_on_the_same_input_keeps_the_existing_output_and_skips_the_reporter(store, bundle, tmp_path):
    first = run_sample(_job(store), store=store, reporters={"somatic": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")
    before = store.head(first.output_key)
    again = CountingReporter()
    second = run_sample(_job(store), store=store, reporters={"somatic": again}, bundle=bundle, workdir=tmp_path / "w")
    assert not second.uploaded and again.requests == []
    assert second.headline == first.headline and second.reporter == "counting-test-reporter"
    assert store.head(first.output_key) == before


def test_same_input_and_bundle_give_byte_identical_report_members(store, bundle, tmp_path):
    job = _job(store)
    outputs = []
    for attempt in range(2):
        run_sample(job, store=store, reporters={"somatic": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")
        local = tmp_path / f"run{attempt}.tar.gz"
        store.get_file(job.output_key, local)
        outputs.append(local)
        (store.root / job.output_key).unlink()  # force a full second run
    for member in (f"{ROOT}/report.html", f"{ROOT}/BRCA7-a04f01.tiers.tsv"):
        assert read_member(outputs[0], member) == read_member(outputs[1], member)
    assert member_names(outputs[0]) == member_names(outputs[1])


def test_output_made_from_an_older_input_version_is_replaced(store, bundle, tmp_path, brca_vcf):
    job = _job(store)
    run_sample(job, store=store, reporters={"somatic": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")
    _tarball(store.root / KEY, brca_vcf, CONFIG + "\n[assay]\ntarget_size_mb = 50\n")  # user re-uploads
    new_job = _job(store)
    outcome = run_sample(new_job, store=store, reporters={"somatic": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")
    assert outcome.uploaded
    assert _provenance(store, tmp_path)["input"]["etag"] == new_job.etag != job.etag


def test_object_replaced_after_queueing_is_rejected_as_changed(store, bundle, tmp_path, brca_vcf):
    stale = _job(store)
    _tarball(store.root / KEY, brca_vcf, CONFIG + "\n[assay]\ntype = \"WGS\"\n")
    reporter = CountingReporter()
    with pytest.raises(InputRejected) as err:
        run_sample(stale, store=store, reporters={"somatic": reporter}, bundle=bundle, workdir=tmp_path / "w")
    assert err.value.reason_code == "object_changed" and KEY in err.value.message
    assert reporter.requests == [] and list((tmp_path / "w").iterdir()) == []


def test_bad_sample_config_is_rejected_before_reporting_naming_the_field(store, bundle, tmp_path, brca_vcf):
    _tarball(store.root / KEY, brca_vcf, "[assay]\ntarget_size_mb = -1\n")
    reporter = CountingReporter()
    with pytest.raises(InputRejected) as err:
        run_sample(_job(store), store=store, reporters={"somatic": reporter}, bundle=bundle, workdir=tmp_path / "w")
    assert err.value.reason_code == "bad_config"
    assert "target_size_mb" in err.value.message
    assert reporter.requests == [] and store.head("incoming/BRCA7-a04f01-somatic-output.tar.gz") is None


def test_reporter_bug_passes_through_with_its_traceback_logged_and_the_0700_work_dir_scrubbed(
    store, bundle, tmp_path, caplog
):
    reporter = CountingReporter(fail_with=ZeroDivisionError("division by zero"))
    with caplog.at_level(logging.INFO, logger="oncodrop"), pytest.raises(ZeroDivisionError) as err:
        run_sample(_job(store), store=store, reporters={"somatic": reporter}, bundle=bundle, workdir=tmp_path / "w")
    assert reporter.job_dir_modes == [0o700]
    assert list((tmp_path / "w").iterdir()) == []
    assert store.head("incoming/BRCA7-a04f01-somatic-output.tar.gz") is None
    (logged,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "failed with ZeroDivisionError" in logged.getMessage()
    # the traceback, as the job's run.log handler (redacting) formatted it; it propagates to the service log
    assert "Traceback" in (logged.exc_text or "") and "ZeroDivisionError: division by zero" in logged.exc_text
    failure = classify(err.value, bundle=bundle)
    assert (failure.disposition, failure.reason_code) == (Disposition.RETRY, ReasonCode.ERROR)
    assert "Traceback" not in failure.message and "in run" in (failure.traceback or "")


class BundleFastaReporter(CountingReporter):
    """A reporter that reads the bundle's genome FASTA, as the real one does for annotation."""

    name = "bundle-fasta-test-reporter"

    def run(self, request: ReportRequest) -> ReportResult:
        self.requests.append(request)
        (request.bundle / "genome" / "grch37" / "genome.fa").read_bytes()
        raise AssertionError("unreachable: the FASTA cannot be read")


class DeniedBundleReporter(CountingReporter):
    """The kernel's answer for a FASTA without read permission (chmod cannot stop root)."""

    name = "denied-bundle-test-reporter"

    def run(self, request: ReportRequest) -> ReportResult:
        fasta = request.bundle / "genome" / "grch37" / "genome.fa"
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(fasta))


@pytest.mark.parametrize("reporter_class", [BundleFastaReporter, DeniedBundleReporter])
def test_unreadable_bundle_fasta_is_a_bundle_error_not_retried(store, bundle, tmp_path, reporter_class):
    (bundle / "genome" / "grch37" / "genome.fa").mkdir(parents=True)  # a directory where the FASTA should be
    with pytest.raises(OSError) as err:
        run_sample(_job(store), store=store, reporters={"somatic": reporter_class()}, bundle=bundle,
                   workdir=tmp_path / "w")  # fmt: skip
    failure = classify(err.value, bundle=bundle)
    assert (failure.disposition, failure.reason_code) == (Disposition.DEAD, ReasonCode.BUNDLE_ERROR)
    assert "genome.fa" in failure.message and "\n" not in failure.message
    assert list((tmp_path / "w").iterdir()) == []


def test_full_disk_in_the_work_dir_is_transient(store, bundle, tmp_path):
    reporter = CountingReporter(fail_with=OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "w")))
    with pytest.raises(OSError) as err:
        run_sample(_job(store), store=store, reporters={"somatic": reporter}, bundle=bundle, workdir=tmp_path / "w")
    failure = classify(err.value, bundle=bundle)
    assert (failure.disposition, failure.reason_code) == (Disposition.RETRY, ReasonCode.TRANSIENT)


def test_a_work_dir_that_is_a_file_is_an_io_error_not_retried(store, bundle, tmp_path):
    (tmp_path / "w").write_text("not a directory")
    with pytest.raises(OSError) as err:
        run_sample(_job(store), store=store, reporters={"somatic": CountingReporter()}, bundle=bundle,
                   workdir=tmp_path / "w")  # fmt: skip
    failure = classify(err.value, bundle=bundle)
    assert (failure.disposition, failure.reason_code) == (Disposition.DEAD, ReasonCode.IO_ERROR)


def test_reporter_rejection_passes_through_unchanged(store, bundle, tmp_path):
    rejection = InputRejected("bad_vcf", "T001-BRCA.grch37.vcf.gz line 40: no genotype", file="x.vcf.gz", line=40)
    reporter = CountingReporter(fail_with=rejection)
    with pytest.raises(InputRejected) as err:
        run_sample(_job(store), store=store, reporters={"somatic": reporter}, bundle=bundle, workdir=tmp_path / "w")
    assert err.value is rejection


def test_missing_reporter_for_the_kind_is_a_config_error(store, bundle, tmp_path):
    with pytest.raises(ConfigError, match="no reporter configured for 'somatic'"):
        run_sample(_job(store), store=store, reporters={"normal": CountingReporter()}, bundle=bundle, workdir=tmp_path / "w")


def test_germline_key_runs_the_normal_reporter_and_keeps_the_users_kind_spelling(tmp_path, testdata, bundle):
    vcf = testdata / "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz"
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    key = "HCC1395BL-0bc123-germline.tar.gz"
    _tarball(bucket / key, vcf, '[sample]\ngenome_build = "grch38"\n')
    store = LocalStore(bucket)
    somatic, normal = CountingReporter(), CountingReporter()
    outcome = run_sample(_job(store, key), store=store, reporters={"somatic": somatic, "normal": normal}, bundle=bundle, workdir=tmp_path / "w")
    assert outcome.output_key == "HCC1395BL-0bc123-germline-output.tar.gz"
    assert somatic.requests == [] and [r.kind for r in normal.requests] == ["normal"]
    assert normal.requests[0].sample_id == "HCC1395BL-0bc123"


def test_verify_checks_md5_etags_from_s3_and_calls_damaged_downloads_transient(tmp_path, brca_vcf):
    data = brca_vcf.read_bytes()
    path = tmp_path / "in.tar.gz"
    path.write_bytes(data)
    md5 = f'"{hashlib.md5(data).hexdigest()}"'  # S3 quotes its ETag
    job = SampleJob("s3://b", "k.tar.gz", md5, "somatic", "B-a1b2c3", "B-a1b2c3-somatic-output.tar.gz")
    info = ObjectInfo("k.tar.gz", len(data), md5, datetime.now(UTC))
    verified = verify(job, Fetched(path, info))
    assert verified.sha256 == hashlib.sha256(data).hexdigest() and verified.size == len(data)

    path.write_bytes(data[:-1])  # a truncated transfer
    with pytest.raises(TransientError, match="do not match etag"):
        verify(job, Fetched(path, info))
    multipart = replace(job, etag="abc-3")  # multipart ETags are not content hashes: not checked
    assert verify(multipart, Fetched(path, replace(info, etag="abc-3"))).size == len(data) - 1


def test_scrub_removes_read_only_files_and_folders(tmp_path):
    job_dir = tmp_path / "job"
    (job_dir / "out").mkdir(parents=True)
    (job_dir / "out" / "report.html").write_text("x")
    (job_dir / "out" / "report.html").chmod(0o400)
    (job_dir / "out").chmod(0o500)
    scrub(job_dir)
    assert not job_dir.exists()
