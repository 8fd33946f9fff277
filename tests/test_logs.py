from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from oncodrop.logs import capture_job_log, configure_logging, redact, redacting_filter

SLACK = "https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/xyzSECRET123"


@pytest.fixture
def stream():
    """Configure oncodrop logging into a buffer; remove the handler afterwards."""
    buffer = io.StringIO()
    handler = configure_logging("DEBUG", stream=buffer, secrets=["hunter2-token"])
    yield buffer
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_configured_secret_and_url_credentials_never_reach_the_output(stream):
    log = logging.getLogger("oncodrop.somewhere.deep")
    log.warning("posting to %s failed", SLACK)
    log.error("db postgresql://onco:pa55word@db.internal:5432/ledger unreachable, token=%s", "hunter2-token")
    out = stream.getvalue()
    assert "xyzSECRET123" not in out and "T024BE7LD" not in out
    assert "pa55word" not in out and "hunter2-token" not in out
    assert "https://hooks.slack.com/services/*** failed" in out
    assert "postgresql://***@db.internal:5432/ledger" in out


def test_secrets_in_tracebacks_are_redacted_too(stream):
    try:
        raise RuntimeError(f"boom calling {SLACK}")
    except RuntimeError:
        logging.getLogger("oncodrop.x").exception("request failed")
    out = stream.getvalue()
    assert "RuntimeError: boom calling https://hooks.slack.com/services/***" in out
    assert "xyzSECRET123" not in out


def test_secret_registered_after_configuration_is_redacted(stream):
    redacting_filter().add_secret("late-api-key-777")
    logging.getLogger("other.library").info("header Authorization: Bearer late-api-key-777")
    assert "late-api-key-777" not in stream.getvalue()
    assert "Bearer ***" in stream.getvalue()


def test_json_mode_writes_one_object_per_line_with_redacted_message():
    buffer = io.StringIO()
    handler = configure_logging("INFO", json=True, stream=buffer)
    try:
        logging.getLogger("oncodrop.t").info("link %s", "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc123&x=1")
        logging.getLogger("oncodrop.t").debug("not shown at INFO")
    finally:
        logging.getLogger().removeHandler(handler)
    (line,) = buffer.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "oncodrop.t"
    assert entry["message"] == "link https://b.s3.amazonaws.com/k?X-Amz-Signature=***&x=1"


def test_configuring_twice_replaces_the_handler_instead_of_duplicating_lines():
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", stream=first)
    handler = configure_logging("INFO", stream=second)
    try:
        logging.getLogger("oncodrop.t").info("once")
    finally:
        logging.getLogger().removeHandler(handler)
    assert first.getvalue() == ""
    assert second.getvalue().count("once") == 1


def test_job_log_keeps_only_the_jobs_own_thread(tmp_path):
    log = logging.getLogger("oncodrop.execute.test")
    path = tmp_path / "logs" / "run.log"
    with capture_job_log(path):
        log.info("job step fetch for in/B-A1B2C3-somatic.tar.gz")
        other = threading.Thread(target=lambda: log.info("another job's line"))
        other.start()
        other.join()
        log.info("using %s", SLACK)
    log.info("after the job")
    text = path.read_text()
    assert "job step fetch for in/B-A1B2C3-somatic.tar.gz" in text
    assert "another job's line" not in text and "after the job" not in text
    assert "xyzSECRET123" not in text


def test_redact_leaves_ordinary_text_alone():
    text = "fetched s3://bucket/in/B-A1B2C3-somatic.tar.gz (12 KB) in 0.2 s"
    assert redact(text, ["", "zzz"]) == text


def test_job_log_at_info_does_not_leak_info_lines_into_a_warning_level_console(tmp_path):
    console = io.StringIO()
    handler = configure_logging("WARNING", stream=console)
    try:
        with capture_job_log(tmp_path / "run.log"):
            logging.getLogger("oncodrop.execute.pipeline").info("step fetch: 0.1 s")
    finally:
        logging.getLogger().removeHandler(handler)
    assert "step fetch" in (tmp_path / "run.log").read_text()
    assert console.getvalue() == ""
