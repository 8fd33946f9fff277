"""A ``ReportContent`` built from the domain types, for the writer tests.

The findings are the reporter's own types filled by hand (a writer renders, it does not
compute); the signature fit is a real fit against the COSMIC v3.4 matrix in ../shared/reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from oncodrop.domain.classification import Classification, CriterionResult, Finding, Tier
from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, EvidenceType, MatchLevel
from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.metrics.signatures import (
    Catalogue,
    SignatureReport,
    fit_signatures,
    load_signature_matrix,
)
from oncodrop.report.write.content import (
    BundleInfo,
    InputFile,
    ReadStats,
    ReportContent,
    SourceVersion,
)
from oncodrop.sampleconfig import SampleConfig, SampleSection

BRAF_EVIDENCE = EvidenceItem(
    evidence_id="EID95", gene="BRAF", profile="BRAF V600E", disease="Melanoma", primary_site="Skin",
    therapies=("Dabrafenib", "Trametinib"), evidence_type=EvidenceType.PREDICTIVE,
    direction="Supports", significance="Sensitivity/Response", level="A", rating=5,
    citation="PMID:22663011", hgvsp="p.V600E",
)  # fmt: skip


ONCOGENICITY_CODES: dict[str, tuple[CriterionResult, ...]] = {
    "Oncogenic": (CriterionResult("OS1", 4, "established"), CriterionResult("OS2", 4, "functional"),
                  CriterionResult("OS3", 4, "hotspot")),
    "Likely oncogenic": (CriterionResult("OS3", 4, "hotspot"), CriterionResult("OP1", 1, "predictors"),
                         CriterionResult("OP4", 1, "absent")),
}  # fmt: skip
"""Codes whose points add up to their label's class (SOP: Oncogenic >= 10, Likely oncogenic
6-9), so what the writers print is a classification the engine could have made."""


def finding(
    chrom: str, pos: int, ref: str, alt: str, gene: str | None, hgvsp: str | None, tier: Tier,
    *, term: str = "missense_variant", vaf: float = 0.3, depth: int = 80,
    evidence: tuple[EvidenceMatch, ...] = (), oncogenic: str | None = None,
) -> Finding:  # fmt: skip
    csq = Consequence(gene=gene, terms=(term,), impact="MODERATE", hgvsp=hgvsp, source="VEP") if gene else None
    variant = Variant(chrom, pos, ref, alt, depth=depth, alt_depth=round(depth * vaf), vaf=vaf, consequence=csq)
    criteria = ONCOGENICITY_CODES.get(oncogenic or "", ())
    classification = (
        Classification(oncogenic, float(sum(c.points for c in criteria)), criteria) if oncogenic else None
    )  # fmt: skip
    return Finding(variant, tier, f"test tier {tier.value}", evidence, classification)


@pytest.fixture
def make_finding() -> Callable[..., Finding]:
    """The ``finding`` builder, for tests that need many findings."""
    return finding


@pytest.fixture(scope="session")
def signature_report(reference: Path) -> SignatureReport:
    """A real refit of a catalogue made of 60 % SBS1 and 40 % SBS13, 400 SNVs."""
    matrix = load_signature_matrix(reference / "pcgr" / "COSMIC_v3.4_SBS_GRCh38.txt")
    mix = 0.6 * matrix.matrix[:, matrix.names.index("SBS1")] + 0.4 * matrix.matrix[:, matrix.names.index("SBS13")]
    counts = np.round(400 * mix)
    fit = fit_signatures(counts, matrix, bootstrap=20)
    catalogue = Catalogue(matrix.contexts, counts, int(counts.sum()), 0)
    metric = Metric("signatures", round(fit.cosine, 4), "cosine similarity")
    return SignatureReport(metric, catalogue, fit)


@pytest.fixture
def content(signature_report: SignatureReport) -> ReportContent:
    findings = (
        finding("7", 140453136, "A", "T", "BRAF", "p.V600E", Tier.I,
                evidence=(EvidenceMatch(BRAF_EVIDENCE, MatchLevel.HGVSP),), oncogenic="Oncogenic"),
        finding("17", 7577120, "C", "T", "TP53", "p.R273H", Tier.III, oncogenic="Likely oncogenic"),
        finding("X", 100, "G", "GA", "<script>alert(1)</script>", "p.X1fs", Tier.III,
                term="frameshift_variant"),
        finding("1", 5000, "C", "A", None, None, Tier.IV, vaf=0.05, depth=12),
    )  # fmt: skip
    cna = (
        GeneCopyNumber("ERBB2", "17", 37844167, 37886679, CnaCall.AMPLIFICATION, 9.0, False,
                       evidence=(EvidenceMatch(replace(BRAF_EVIDENCE, evidence_id="EID1", gene="ERBB2",
                                                       therapies=("Trastuzumab",)), MatchLevel.GENE),),
                       tier=Tier.I),
        GeneCopyNumber("TP53", "17", 7565097, 7590856, CnaCall.HETDEL, 1.0, True),
        GeneCopyNumber("KRAS", "12", 25357723, 25403870, CnaCall.NEUTRAL, 2.0, False),
    )  # fmt: skip
    return ReportContent(
        sample_id="TEST-ABC123",
        kind="somatic",
        build="grch38",
        config=SampleConfig(sample=SampleSection(tumor_site="Skin")),
        bundle=BundleInfo("oncodrop-demo", "2026.11.25", True, "demo, not for clinical use", "ab" * 32,
                          (SourceVersion("civic", "01-Aug-2024", "2024-08-01"),)),
        read_stats=ReadStats(records=6, passing=4, annotation_source="VEP"),
        findings=findings,
        tmb=Metric("tmb", 12.5, "mutations/Mb", "", {"class": "TMB-intermediate"}),
        msi=Metric("msi", 0.04, "indel fraction", "estimate", {"status": "MSS"}),
        signatures=signature_report,
        signature_reference="COSMIC v3.4 SBS (GRCh38)",
        kataegis=Metric("kataegis", 0.0, "events"),
        kataegis_events=(),
        cna=cna,
        inputs=(InputFile("vcf", "tumour.vcf.gz", "cd" * 32, 1234),),
        versions=(("oncodrop", "0.1.0"), ("python", "3.11")),
    )
