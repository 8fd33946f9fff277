"""The science of re-interpretation as pure functions: the interpretation codec and the diff."""

from __future__ import annotations

import numpy as np
import pytest

from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.interpretation.codec import decode_as, encode
from oncodrop.report.interpretation.snapshot import Call, EvidenceRef, Interpretation
from oncodrop.report.metrics.signatures import Catalogue
from oncodrop.report.reinterpret.diff import DEFAULT_ANNOUNCE, ChangeKind, diff, meaningful
from oncodrop.report.write.content import BundleInfo
from oncodrop.sampleconfig import SampleConfig

V1 = BundleInfo("demo", "v1", True, "demo")
V2 = BundleInfo("demo", "v2", True, "demo")
EID = EvidenceRef("EID1", "A", "Predictive", "Sensitivity/Response", "Melanoma", ("Drug A",))


def test_codec_round_trips_variants_config_metrics_and_arrays() -> None:
    variant = Variant("7", 140453136, "A", "T", depth=100, alt_depth=35, vaf=0.35, filters=("PASS",),
                      consequence=Consequence("BRAF", ("missense_variant",), hgvsp="p.V600E", exon=15),
                      predictions=(("SIFT", "deleterious"),))  # fmt: skip
    config = SampleConfig.model_validate({"sample": {"tumor_site": "Skin"}})
    metric = Metric("TMB", 3.5, "mutations/Mb", details={"class": "TMB-low", "n": 3})
    catalogue = Catalogue(("A[C>A]A", "A[C>A]C"), np.array([1.0, 2.0]), 3, 0)
    for value, cls in ((variant, Variant), (metric, Metric), (catalogue, Catalogue)):
        back = decode_as(encode(value), cls)
        if isinstance(value, Catalogue):
            assert back.contexts == value.contexts and back.counts.tolist() == [1.0, 2.0]
        else:
            assert back == value
    assert decode_as(encode(config), SampleConfig) == config
    assert "line" not in encode(variant)  # defaults are left out


def _somatic(key: str, tier: str, evidence: tuple[EvidenceRef, ...] = (), therapies: tuple[str, ...] = (),
             oncogenicity: str | None = "VUS") -> Call:  # fmt: skip
    return Call(key, f"G {key}", tier=tier, evidence=evidence, therapies=therapies, oncogenicity=oncogenicity)


def test_the_same_interpretation_has_no_changes() -> None:
    calls = (_somatic("1:1:A>T", "I", (EID,), ("Drug A",)), _somatic("1:2:A>T", "III"))
    assert diff(Interpretation(V1, calls), Interpretation(V2, calls)) == ()


def test_a_variant_rising_to_tier_1_is_announced_with_the_evidence_behind_it() -> None:
    old = Interpretation(V1, (_somatic("1:1:A>T", "III"),))
    new = Interpretation(V2, (_somatic("1:1:A>T", "I", (EID,), ("Drug A",)),))
    changes = diff(old, new)
    assert [(c.kind, c.before, c.after) for c in changes] == [
        (ChangeKind.TIER, "III", "I"), (ChangeKind.THERAPY_GAINED, None, "Drug A"),
        (ChangeKind.EVIDENCE_ADDED, None, "EID1"),
    ]  # fmt: skip
    assert changes[0].evidence == (EID,)
    assert [(c.kind, rule) for c, rule in meaningful(changes, DEFAULT_ANNOUNCE)] == [(ChangeKind.TIER, "new_tier_1_2")]


def test_a_lost_therapy_is_announced_but_a_tier_drop_alone_is_not() -> None:
    old = Interpretation(V1, (_somatic("1:1:A>T", "I", (EID,), ("Drug A",)),))
    new = Interpretation(V2, (_somatic("1:1:A>T", "II"),))
    picked = meaningful(diff(old, new), DEFAULT_ANNOUNCE)
    assert [(c.kind, c.before, rule) for c, rule in picked] == [(ChangeKind.THERAPY_LOST, "Drug A", "therapy_lost")]
    assert [c.kind for c, _ in meaningful(diff(old, new), ("tier_any",))] == [ChangeKind.TIER]


@pytest.mark.parametrize(("before", "after", "announced"), [
    ("VUS", "Likely pathogenic", True), ("Pathogenic", "VUS", True), ("VUS", "Likely benign", False),
    ("Likely pathogenic", "Pathogenic", False),
])  # fmt: skip
def test_germline_vus_to_and_from_plp_is_announced(before: str, after: str, announced: bool) -> None:
    old = Interpretation(V1, (Call("2:5:G>A", "MSH6 x", germline_class=before, clinvar=f"{before} (1★)"),))
    new = Interpretation(V2, (Call("2:5:G>A", "MSH6 x", germline_class=after, clinvar=f"{after} (2★)"),))
    changes = diff(old, new)
    assert {c.kind for c in changes} == {ChangeKind.GERMLINE_CLASS, ChangeKind.CLINVAR}
    assert bool(meaningful(changes, DEFAULT_ANNOUNCE)) is announced


def test_an_unknown_announce_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown announce rule"):
        meaningful((), ("tier_I_only",))
