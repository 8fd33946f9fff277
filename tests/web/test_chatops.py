"""Slack ChatOps end to end: recorded Slack requests (tests/web/slack/), signed as Slack signs
them, sent to the console's /slack/events; the commands act on a real ledger; replies go to a
local capture server standing in for Slack's response_url."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from conftest import Console, make_settings
from fastapi.testclient import TestClient
from httpcapture import CaptureServer
from waiting import scaled, wait_for

from oncodrop.domain.state import SampleState
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.web.app import create_app

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
RECORDED = Path(__file__).parent / "slack"
SUBMITTER, VIEWER, STRANGER = "U2147483697", "UVIEW0001", "USTRANGE1"


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[Console]:
    base = make_settings(tmp_path)
    settings = Settings.load(db=base.db, store=base.store, slack__signing_secret=SECRET,
                             slack__users=(f"{SUBMITTER}=submitter", f"{VIEWER}=viewer"),
                             notify__console_url="https://console.lab.example")  # fmt: skip
    with Ledger.open(settings.db) as ledger, TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
        yield Console(client, ledger, tmp_path / "bucket", {}, settings)


def signed(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 over 'v0:<timestamp>:<body>'."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac}",
            "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip


def slash_body(text: str, user: str, response_url: str) -> str:
    fields = dict(parse_qsl((RECORDED / "slash_command.txt").read_text().strip(), keep_blank_values=True))
    return urlencode({**fields, "text": text, "user_id": user, "response_url": response_url})


def button_body(sample_id: int, user: str, response_url: str) -> str:
    payload = json.loads((RECORDED / "block_actions.json").read_text())
    payload["user"]["id"] = user
    payload["actions"][0]["value"] = str(sample_id)
    payload["response_url"] = response_url
    return urlencode({"payload": json.dumps(payload)})


def command(chat: Console, capture: CaptureServer, text: str, user: str = SUBMITTER) -> dict[str, object]:
    """Send ``/oncodrop text`` as ``user``; the reply Slack would show."""
    before = len(capture.received)
    body = slash_body(text, user, capture.url("/commands/T0001/1"))
    answer = chat.client.post("/slack/events", content=body, headers=signed(body))
    assert answer.status_code == 200, answer.text
    wait_for(lambda: len(capture.received) > before, scaled(10), "the reply at response_url")
    reply: dict[str, object] = capture.received[-1].body
    return reply


def test_a_recorded_command_is_answered_only_with_a_good_fresh_signature(
    chat: Console, http_capture: CaptureServer
) -> None:
    body = slash_body("status", SUBMITTER, http_capture.url("/commands/T0001/1"))
    good = chat.client.post("/slack/events", content=body, headers=signed(body))
    assert good.status_code == 200
    wait_for(lambda: http_capture.received, scaled(10), "the reply")
    assert http_capture.received[0].body["text"] == "oncodrop: no samples yet"

    forged = chat.client.post("/slack/events", content=body, headers=signed(body, secret="not-the-secret"))
    stale = chat.client.post("/slack/events", content=body, headers=signed(body, timestamp=int(time.time()) - 600))
    tampered = chat.client.post("/slack/events", content=body.replace("status", "rerun"), headers=signed(body))
    assert (forged.status_code, stale.status_code, tampered.status_code) == (401, 401, 401)
    assert len(http_capture.received) == 1  # nothing answered the refused ones


def test_status_and_list_failed_read_the_ledger(chat: Console, http_capture: CaptureServer) -> None:
    ok = chat.succeed("brca-a1b2c3-somatic.tar.gz")
    dead = chat.dead("coad-d4e5f6-somatic.tar.gz")
    chat.add("coad-aaaaaa-normal.tar.gz")
    assert command(chat, http_capture, "status")["text"] == "oncodrop: QUEUED 1, SUCCEEDED 1, DEAD 1"
    one = command(chat, http_capture, "status brca-a1b2c3-somatic.tar.gz", user=VIEWER)
    assert one["response_type"] == "ephemeral"
    assert one["text"] == (f"<https://console.lab.example/samples/{ok.id}|#{ok.id}> `brca-a1b2c3-somatic.tar.gz` "
                           "*SUCCEEDED* (run 1, attempts 1)")  # fmt: skip
    batch = str(command(chat, http_capture, "status coad", user=VIEWER)["text"])
    assert "`coad-d4e5f6-somatic.tar.gz` *DEAD*" in batch and "`coad-aaaaaa-normal.tar.gz` *QUEUED*" in batch
    failed = str(command(chat, http_capture, "list failed", user=VIEWER)["text"])
    assert failed.splitlines() == [(f"<https://console.lab.example/samples/{dead.id}|#{dead.id}> "
                                    "`coad-d4e5f6-somatic.tar.gz` *DEAD* (run 1, attempts 1) "
                                    "[bundle_error] bundle FASTA unreadable")]  # fmt: skip
    assert "no sample, key or batch" in str(command(chat, http_capture, "status nothing-here")["text"])
    assert "usage" in str(command(chat, http_capture, "reboot")["text"])


def test_rerun_needs_the_submitter_role_and_is_audited(chat: Console, http_capture: CaptureServer) -> None:
    dead = chat.dead("coad-d4e5f6-somatic.tar.gz")
    refused = command(chat, http_capture, "rerun coad-d4e5f6-somatic.tar.gz fixed the bundle", user=VIEWER)
    assert "needs the submitter role; you are viewer" in str(refused["text"])
    stranger = command(chat, http_capture, "status", user=STRANGER)
    assert "you have no role in oncodrop" in str(stranger["text"])
    record = chat.ledger.get(dead.id)
    assert record is not None and record.state is SampleState.DEAD

    done = command(chat, http_capture, "rerun coad-d4e5f6-somatic.tar.gz fixed the bundle")
    assert done["response_type"] == "in_channel" and "re-ran" in str(done["text"])
    record = chat.ledger.get(dead.id)
    assert record is not None and record.state is SampleState.QUEUED and record.run == 2
    assert [h.reason for h in chat.ledger.history(dead.id)][-1] == "fixed the bundle"
    entries = access.audit_entries(chat.ledger.engine)
    assert [(e.actor, e.action, e.detail) for e in entries] == [(f"slack:{SUBMITTER}", "rerun", "fixed the bundle")]
    again = command(chat, http_capture, f"rerun #{dead.id} twice")
    assert "only finished samples re-run" in str(again["text"])


def test_the_rerun_button_answers_in_the_thread_and_refuses_a_viewer(
    chat: Console, http_capture: CaptureServer
) -> None:
    dead = chat.dead("coad-d4e5f6-somatic.tar.gz")
    body = button_body(dead.id, VIEWER, http_capture.url("/actions/T0001/1"))
    assert chat.client.post("/slack/events", content=body, headers=signed(body)).status_code == 200
    refusal = wait_for(lambda: http_capture.received, scaled(10), "the refusal")[0].body
    assert refusal["thread_ts"] == "1700000000.000100" and refusal["replace_original"] is False
    assert "needs the submitter role; you are viewer" in refusal["text"]
    record = chat.ledger.get(dead.id)
    assert record is not None and record.state is SampleState.DEAD

    body = button_body(dead.id, SUBMITTER, http_capture.url("/actions/T0001/2"))
    assert chat.client.post("/slack/events", content=body, headers=signed(body)).status_code == 200
    wait_for(lambda: len(http_capture.received) == 2, scaled(10), "the re-run reply")
    assert http_capture.received[1].body["thread_ts"] == "1700000000.000100"
    record = chat.ledger.get(dead.id)
    assert record is not None and record.state is SampleState.QUEUED and record.run == 2


def test_chatops_is_off_without_a_signing_secret(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Ledger.open(settings.db) as ledger, TestClient(create_app(settings, ledger), base_url="https://testserver") as c:
        body = slash_body("status", SUBMITTER, "http://127.0.0.1:1/x")
        answer = c.post("/slack/events", content=body, headers=signed(body))
    assert answer.status_code == 404 and "slack.signing_secret" in answer.json()["detail"]


def test_a_slack_user_map_entry_with_an_unknown_role_is_a_settings_error() -> None:
    from oncodrop.errors import ConfigError

    with pytest.raises(ConfigError, match="is not 'Slack user=role'"):
        Settings.load(slack__users=("U1=owner",))
