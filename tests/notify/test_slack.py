from __future__ import annotations

from oncodrop.domain.headline import Headline
from oncodrop.notify import Notification, SlackNotifier, slack_payload

KEY = "incoming/BATCH7-A1B2C3-somatic.tar.gz"


def _somatic_success() -> Notification:
    return Notification(
        event="succeeded",
        key=KEY,
        sample_id="BATCH7-A1B2C3",
        kind="somatic",
        state="SUCCEEDED",
        attempts=1,
        headline=Headline(tier1=2, tier2=5, tmb=3.456, msi="MSS", top_signatures=("SBS1", "SBS5")),
        output_key="incoming/BATCH7-A1B2C3-somatic-output.tar.gz",
        output_link="http://127.0.0.1:9/out?sig=x",
    )


def test_somatic_success_posts_block_kit_with_tiers_tmb_msi_and_signatures(http_capture):
    notifier = SlackNotifier(http_capture.url("/services/T1/B2/abc"))
    notifier.send(_somatic_success())
    notifier.close()

    (got,) = http_capture.received
    assert got.path == "/services/T1/B2/abc"
    assert got.content_type == "application/json"
    assert got.body == {
        "text": f"oncodrop: BATCH7-A1B2C3 (somatic) SUCCEEDED: {KEY}",
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": ":white_check_mark: BATCH7-A1B2C3: SUCCEEDED", "emoji": True},
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*Key*\n{KEY}"},
                    {"type": "mrkdwn", "text": "*Kind*\nsomatic"},
                    {"type": "mrkdwn", "text": "*State*\nSUCCEEDED"},
                    {"type": "mrkdwn", "text": "*Attempts*\n1"},
                ],
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Tier I*\n2"},
                    {"type": "mrkdwn", "text": "*Tier II*\n5"},
                    {"type": "mrkdwn", "text": "*TMB*\n3.46 mut/Mb"},
                    {"type": "mrkdwn", "text": "*MSI*\nMSS"},
                    {"type": "mrkdwn", "text": "*Top signatures*\nSBS1, SBS5"},
                ],
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Output*: <http://127.0.0.1:9/out?sig=x|incoming/BATCH7-A1B2C3-somatic-output.tar.gz>",
                },
            },
        ],
    }


def test_germline_success_reports_pathogenic_likely_pathogenic_and_vus_apart_not_tiers():
    n = Notification(
        event="succeeded", key="B-ZZZZZZ-normal.tar.gz", sample_id="B-ZZZZZZ", kind="normal",
        state="SUCCEEDED", attempts=2,
        headline=Headline(pathogenic=1, likely_pathogenic=2, vus=7, summary_line="1 P/LP in BRCA2"),
    )
    blocks = slack_payload(n)["blocks"]
    texts = [f["text"] for b in blocks for f in b.get("fields", [])]
    assert "*Pathogenic*\n1" in texts and "*Likely pathogenic*\n2" in texts  # P and LP not merged
    assert "*VUS*\n7" in texts
    assert not any(t.startswith("*Tier I*") for t in texts)
    assert {"type": "context", "elements": [{"type": "mrkdwn", "text": "1 P/LP in BRCA2"}]} in blocks
    assert "*Output*" not in str(blocks)  # no output key: no output block


def test_rejection_shows_reason_verbatim_and_the_reason_code():
    reason = 'config.toml line 3, field "assay.target_size_mb": must be > 0 (got -1 & <none>)'
    n = Notification(
        event="rejected", key="B-ZZZZZZ-somatic.tar.gz", sample_id="B-ZZZZZZ", kind="somatic",
        state="REJECTED", reason_code="bad_config", reason=reason,
    )
    payload = slack_payload(n)
    assert payload["blocks"][0]["text"]["text"] == ":no_entry: B-ZZZZZZ: REJECTED"
    assert payload["blocks"][-2] == {"type": "section", "text": {"type": "mrkdwn", "text": "*Reason* (`bad_config`)"}}
    assert payload["blocks"][-1] == {"type": "section", "text": {"type": "plain_text", "text": reason}}
    assert payload["text"].endswith(f"[bad_config] {reason}")


def test_values_are_escaped_in_mrkdwn_fields_and_header_is_clipped_to_slack_limit():
    n = Notification(
        event="dead", key="a<b>&c.tar.gz", sample_id="S" * 200, kind="somatic", state="DEAD", attempts=3,
        reason="gave up",
    )
    payload = slack_payload(n)
    header = payload["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.startswith(":skull: SSS") and header.endswith("…")
    assert payload["blocks"][1]["fields"][0]["text"] == "*Key*\na&lt;b&gt;&amp;c.tar.gz"


def test_a_dead_sample_gets_rerun_and_open_buttons_when_the_console_url_is_known(http_capture):
    dead = Notification(event="dead", key=KEY, sample_id="BATCH7-A1B2C3", kind="somatic", state="DEAD", attempts=3,
                        reason_code="bundle_error", reason="bundle FASTA unreadable", record_id=42)  # fmt: skip
    notifier = SlackNotifier(http_capture.url("/services/T1/B2/abc"), console_url="https://console.lab.example/")
    notifier.send(dead)
    notifier.close()
    (got,) = http_capture.received
    assert got.body["blocks"][-1] == {"type": "actions", "block_id": "oncodrop_sample", "elements": [
        {"type": "button", "action_id": "oncodrop_rerun", "text": {"type": "plain_text", "text": "Re-run"},
         "value": "42", "style": "primary"},
        {"type": "button", "action_id": "oncodrop_open", "text": {"type": "plain_text", "text": "Open"},
         "url": "https://console.lab.example/samples/42"},
    ]}  # fmt: skip
    # no console URL, or a success: no buttons
    assert all(b["type"] != "actions" for b in slack_payload(dead)["blocks"])
    assert all(b["type"] != "actions" for b in slack_payload(_somatic_success(), "https://c")["blocks"])


def test_a_reinterpretation_lists_its_clinically_meaningful_changes():
    n = Notification(
        event="reinterpreted", key="in/B-A1B2C3-normal.tar.gz", sample_id="B-A1B2C3", kind="normal",
        state="REINTERPRETED", output_key="in/B-A1B2C3-normal-reinterpretation-v2.tar.gz",
        bundle_version="v2", changes=("MSH6 c.1?: germline class VUS → Likely pathogenic (vus_plp)",),
    )
    payload = slack_payload(n)
    texts = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section" and "text" in b]
    assert any("Re-interpreted with bundle v2" in t and "VUS → Likely pathogenic" in t for t in texts)
    assert "1 clinically meaningful change(s)" in payload["text"]
