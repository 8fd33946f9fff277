"""``oncodrop serve`` on a folder bucket, end to end, with Slack-format notifications captured
on a local HTTP server. Real processes, real SQLite, the real reporter and the demo bundle."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from httpcapture import CaptureServer
from service_harness import serve

from oncodrop.intake.pack import pack_sample

pytestmark = pytest.mark.integration

V053 = "pcgr/v0.5.3"


def _brca_tarball(testdata: Path, out: Path) -> Path:
    src = testdata / V053
    return pack_sample(
        out / "brca-a1b2c3-somatic.tar.gz", src / "tumor_sample.BRCA.vcf.gz",
        src / "pcgr_configuration_examples.toml", src / "tumor_sample.BRCA.cna.tsv",
        index=src / "tumor_sample.BRCA.vcf.gz.tbi",
    )  # fmt: skip


def _slack_texts(capture: CaptureServer) -> list[str]:
    return [json.dumps(r.body) for r in capture.received if r.path.startswith("/services/")]


def test_brca_example_yields_one_output_and_a_duplicate_drop_creates_no_second_job(
    tmp_path: Path, testdata: Path, demo_bundle: Path, http_capture: CaptureServer
) -> None:
    tarball = _brca_tarball(testdata, tmp_path)
    env = {"ONCODROP_SLACK_WEBHOOK_URL": http_capture.url("/services/T000/B000/XXXX"),
           "ONCODROP_WEBHOOK_URL": http_capture.url("/hook")}  # fmt: skip
    with serve(tmp_path, demo_bundle, env=env) as served:
        shutil.copy(tarball, served.bucket / tarball.name)  # a plain copy, as a user would
        record = served.wait_terminal(tarball.name, timeout_s=90)
        assert record.state.value == "SUCCEEDED", record.reason
        assert record.output_key == "brca-a1b2c3-somatic-output.tar.gz"
        output = served.bucket / record.output_key
        first_mtime = output.stat().st_mtime_ns

        shutil.copy(tarball, served.bucket / tarball.name)  # the same bytes again, same key
        served.wait_polls(2)  # the poller has listed the bucket, duplicate included, twice since
        same_key = [r for r in served.samples() if r.key == tarball.name]
        assert len(same_key) == 1
        assert output.stat().st_mtime_ns == first_mtime

    with tarfile.open(output) as tar:
        names = set(tar.getnames())
        root = "brca-a1b2c3-somatic-output"
        for member in ("report.html", "provenance.json", "logs/run.log"):
            assert f"{root}/{member}" in names
        sample = record.sample_id
        for suffix in (".tiers.tsv", ".maf", ".summary.json", ".xlsx"):
            assert f"{root}/{sample}{suffix}" in names
        provenance = json.loads(tar.extractfile(f"{root}/provenance.json").read())  # type: ignore[union-attr]
    assert hashlib.sha256(tarball.read_bytes()).hexdigest() in json.dumps(provenance)

    slack = _slack_texts(http_capture)
    assert any("brca-a1b2c3-somatic.tar.gz" in text and "SUCCEEDED" in text.upper() for text in slack)
    hooks = [r.body for r in http_capture.received if r.path == "/hook"]
    assert any(body.get("event") == "succeeded" for body in hooks)


def test_truncated_and_path_traversal_tarballs_are_rejected_and_the_service_keeps_going(
    tmp_path: Path, testdata: Path, demo_bundle: Path, http_capture: CaptureServer
) -> None:
    good = _brca_tarball(testdata, tmp_path)
    truncated = tmp_path / "trunc-b2c3d4-somatic.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    evil = tmp_path / "evil-c3d4e5-somatic.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        for name in ("sample.toml", "../evil"):
            info = tarfile.TarInfo(name)
            info.size = 4
            tar.addfile(info, __import__("io").BytesIO(b"boo\n"))
    env = {"ONCODROP_SLACK_WEBHOOK_URL": http_capture.url("/services/T000/B000/XXXX")}
    with serve(tmp_path, demo_bundle, env=env) as served:
        for path in (truncated, evil):
            shutil.copy(path, served.bucket / path.name)
        bad_trunc = served.wait_terminal(truncated.name)
        bad_evil = served.wait_terminal(evil.name)
        shutil.copy(good, served.bucket / "after-d4e5f6-somatic.tar.gz")
        after = served.wait_terminal("after-d4e5f6-somatic.tar.gz", timeout_s=90)

    assert (bad_trunc.state.value, bad_trunc.reason_code) == ("REJECTED", "corrupt_tarball")
    assert (bad_evil.state.value, bad_evil.reason_code) == ("REJECTED", "unsafe_tarball")
    assert "../evil" in (bad_evil.reason or "")
    assert after.state.value == "SUCCEEDED"
    assert not any(p.name == "evil" for p in tmp_path.rglob("evil"))
    assert (served.bucket / truncated.name).is_file() and (served.bucket / evil.name).is_file()  # inputs kept
    slack = _slack_texts(http_capture)
    for record in (bad_trunc, bad_evil):
        assert any(record.key in text and "REJECTED" in text.upper() for text in slack)


def test_serve_logs_each_outcome_and_its_own_stop_and_ends_promptly_on_sigterm(
    tmp_path: Path, testdata: Path, demo_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a newcomer watching the terminal sees: a line per outcome (not only "queued"), the
    signal, the stop and its duration; the process is gone soon after SIGTERM (it took 15 s)."""
    import signal

    import waiting

    good = _brca_tarball(testdata, tmp_path)
    truncated = tmp_path / "trunc-b2c3d4-somatic.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with serve(tmp_path, demo_bundle) as served:
        for path in (good, truncated):
            shutil.copy(path, served.bucket / path.name)
        done = served.wait_terminal(good.name, timeout_s=90)
        served.wait_terminal(truncated.name)
        assert done.state.value == "SUCCEEDED"
        uploaded = int((served.bucket / good.name).stat().st_mtime)

        def logged(text: str) -> bool:
            return text in served.log.read_text()

        waiting.wait_for(lambda: logged(f"sample {good.name} SUCCEEDED: output {done.output_key}"), 10, "success line")
        waiting.wait_for(lambda: logged(f"sample {truncated.name} REJECTED [corrupt_tarball]: "), 10, "rejection line")
        served.process.send_signal(signal.SIGTERM)
        waiting.wait_for(lambda: served.process.poll() is not None, 15, "serve to exit after SIGTERM")
    log = served.log.read_text()
    assert served.process.returncode == 0, log[-3000:]
    assert "SIGTERM received: stopping" in log
    assert "stopping: oncodrop serving" in log and "stopped in " in log
    assert log.count("worker ") >= 2 and " stopped" in log
    # files inside the output are dated when their input was uploaded (no SOURCE_DATE_EPOCH here)
    with tarfile.open(served.bucket / str(done.output_key)) as tar:
        assert {info.mtime for info in tar.getmembers()} == {uploaded}
