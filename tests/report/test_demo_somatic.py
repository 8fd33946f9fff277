"""The demo's tumour drops, reported end to end: the headline a clinician signs, and what the
notifications and the ledger carry of it."""

from __future__ import annotations

import csv
import gzip
import json
import tarfile
from pathlib import Path

import pytest

from oncodrop.demo.samples import BREAST_INDELS, MELANOMA_INDELS, make_demo_samples
from oncodrop.domain.headline import Headline
from oncodrop.intake.config import load_config
from oncodrop.notify import Notification, slack_payload
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest, ReportResult

Reported = tuple[ReportResult, Path]


def _report(demo_bundle: Path, tmp: Path, prefix: str) -> Reported:
    drop = next(s for s in make_demo_samples(tmp / "drops", demo_bundle)
                if s.key.startswith(prefix) and s.key.endswith("-somatic.tar.gz"))  # fmt: skip
    with tarfile.open(drop.path) as tar:
        tar.extractall(tmp / "x", filter="data")
    vcf = next((tmp / "x").rglob("*.vcf.gz"))
    cna = next((tmp / "x").rglob("*cna*"), None)
    config = load_config(next((tmp / "x").rglob("*.toml")), sample_id_default="demo")
    out = tmp / "out"
    result = SomaticReporter().run(ReportRequest(vcf=vcf, config=config, bundle=demo_bundle, out_dir=out,
                                                 kind="somatic", sample_id="demo", cna=cna))  # fmt: skip
    return result, out


@pytest.fixture(scope="module")
def breast(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Reported:
    return _report(demo_bundle, tmp_path_factory.mktemp("breast"), "demo_breast")


@pytest.fixture(scope="module")
def melanoma(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Reported:
    return _report(demo_bundle, tmp_path_factory.mktemp("melanoma"), "demo_melanoma")


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "demo.tiers.tsv").open(newline="") as fh:
        return {r["hgvsp"]: r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if r["hgvsp"]}


def test_demo_breast_headline_counts_erbb2_and_drivers_are_oncogenic(breast: Reported) -> None:
    result, out = breast
    summary = json.loads((out / "demo.summary.json").read_text())
    tier1_cna = [c["gene"] for c in summary["cna"] if c["tier"] == "I"]
    assert "ERBB2" in tier1_cna
    assert result.headline.tier1 == len(summary["tier1"]) + len(tier1_cna)
    assert "ERBB2 amplification" in result.headline.summary_line
    assert summary["summary_line"] == result.headline.summary_line
    rows = _rows(out)
    for change in ("p.E542K", "p.R175H"):
        assert rows[change]["oncogenicity"] in {"Oncogenic", "Likely oncogenic"}, rows[change]
        assert {"OS1", "OS3", "OP4"} <= set(rows[change]["oncogenicity_codes"].split(";"))
    html = (out / "report.html").read_text()
    assert "oncogenicity: Likely oncogenic (9 points: OS1 +4, OS3 +4, OP4 +1)" in html
    assert " · VUS<" not in html
    # the demo VCF was generated on the demo genome: every REF agrees, nothing is withheld
    assert summary["reference"]["status"] == "concordant" and summary["reference"]["mismatched"] == 0
    assert summary["reference"]["checked"] == summary["counts"]["passing"]
    assert summary["signatures"]["computable"] is True and 'id="reference-banner"' not in html


def test_demo_breast_notification_and_ledger_carry_the_erbb2_headline(breast: Reported) -> None:
    """Issue 11, "Headline": the Tier I count with ERBB2's amplification reaches Slack (fields
    and fallback text) and survives the ledger's JSON round trip unchanged."""
    headline = breast[0].headline
    stored = Headline.model_validate(json.loads(json.dumps(headline.model_dump(mode="json"))))
    assert stored == headline
    payload = slack_payload(Notification(event="succeeded", key="incoming/demo-somatic.tar.gz", sample_id="demo",
                                         kind="somatic", state="SUCCEEDED", headline=stored))  # fmt: skip
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1]
              for block in payload["blocks"] for f in block.get("fields", ())}  # fmt: skip
    assert fields["*Tier I*"] == "3"  # PIK3CA p.E542K, TP53 p.R175H, ERBB2 amplification
    assert "ERBB2 amplification" in payload["text"]
    context = [e["text"] for b in payload["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert context == [headline.summary_line] and "Tier I: 3 (" in context[0]


def test_demo_melanoma_braf_v600e_is_likely_oncogenic_end_to_end(melanoma: Reported) -> None:
    """The SOP's points on the real CIViC rows and curated hotspot counts of the demo bundle:
    OS1 (CIViC level A/B, same change) + OS3 (hotspot) + OP4 (gnomAD column, empty) = 9."""
    result, out = melanoma
    braf = _rows(out)["p.V600E"]
    assert (braf["gene"], braf["tier"], braf["oncogenicity"], braf["oncogenicity_score"]) == (
        "BRAF", "I", "Likely oncogenic", "9",
    )  # fmt: skip
    assert braf["oncogenicity_codes"] == "OS1;OS3;OP4"
    assert result.headline.summary_line.startswith("Tier I: 1 (BRAF p.V600E); Tier II: 1 (CDKN2A homozygous deletion)")


def test_demo_breast_counts_and_actionable_cards_add_up_to_the_headline(breast: Reported) -> None:
    """Issue 11 item 4: Tier I 3 = 2 SNV/indel (``counts.by_tier``) + 1 copy-number call
    (``counts.cna_by_tier``: ERBB2), and the Actionable section shows all three as cards, ERBB2's
    with its trastuzumab evidence."""
    result, out = breast
    counts = json.loads((out / "demo.summary.json").read_text())["counts"]
    assert (result.headline.tier1, counts["by_tier"]["I"], counts["cna_by_tier"]["I"]) == (3, 2, 1)
    assert result.headline.tier2 == counts["by_tier"]["II"] + counts["cna_by_tier"]["II"]
    html = (out / "report.html").read_text()
    section = html.split('<section id="actionable">')[1].split("</section>")[0]
    assert section.count('<div class="head"><span class="tier tier-I">I</span>') == 3
    card = section.split('<div class="finding cna-finding" id="actionable-cna-ERBB2"')[1]
    head = card[: card.index("</b>") + 4]
    assert head.endswith('<div class="head"><span class="tier tier-I">I</span>\n      <b>ERBB2 amplification</b>')
    assert "Trastuzumab" in card and "Breast" in card


@pytest.mark.parametrize(("sample", "coding", "microsatellite", "records", "evidence"), [
    ("breast", 5, 1, 9, "coding indel fraction 0.02 (5/207) < 0.10"),
    ("melanoma", 8, 2, 14, "coding indel fraction 0.02 (8/367) < 0.10"),
])  # fmt: skip
def test_demo_tumours_get_an_mss_call_from_their_passenger_indels(
    request: pytest.FixtureRequest, sample: str, coding: int, microsatellite: int, records: int, evidence: str
) -> None:
    """The demo's known MSI answer (demo.samples ``*_INDELS``): a few in-frame coding indels, far
    below the 0.10 share, most outside microsatellites, counted on the bundle genome -> MSS."""
    plan = {"breast": BREAST_INDELS, "melanoma": MELANOMA_INDELS}[sample]
    assert (plan.coding, plan.coding_microsatellite, plan.coding + plan.intronic) == (coding, microsatellite, records)
    result, out = request.getfixturevalue(sample)
    assert result.headline.msi == "MSS" and "; MSI: MSS; " in result.headline.summary_line
    content = json.loads(gzip.decompress((out / "interpretation.json.gz").read_bytes()))["content"]
    details = content["msi"]["details"]
    assert (details["status"], details["evidence"]) == ("MSS", evidence)
    assert (details["n_indels"], details["n_microsatellite_indels"], details["indel_records"]) == (
        coding, microsatellite, records,
    )  # fmt: skip
    assert details["ms_indel_burden"] == round(microsatellite / 34.0, 4) < 1.0  # far from MSI-H too
