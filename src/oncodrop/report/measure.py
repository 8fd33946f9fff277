"""The genome metrics of a somatic report, from the compact inputs gathered while streaming
(``metrics.inputs``): TMB, MSI, signatures and kataegis, each withheld or marked not computable
with its reason (disabled in the sample config, REF alleles disagreeing with the bundle genome,
no consequence annotation)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from typing import NamedTuple

from oncodrop.domain.genome import Build
from oncodrop.domain.metric import Metric
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.annotation.genespan import SOURCE as GENE_SPAN_SOURCE
from oncodrop.report.metrics.concordance import Concordance
from oncodrop.report.metrics.inputs import MetricInputs
from oncodrop.report.metrics.kataegis import KataegisEvent, kataegis_events, kataegis_metric
from oncodrop.report.metrics.msi import MsiInputs, msi_metric
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.signatures import SignatureMatrix, SignatureReport, snv_signatures
from oncodrop.report.metrics.tmb import TmbSettings, tmb_metric
from oncodrop.sampleconfig import SampleConfig
from oncodrop.timing import StepClock


class Measured(NamedTuple):
    """The genome metrics of a report."""

    tmb: Metric
    msi: Metric
    signatures: SignatureReport
    kataegis: Metric
    kataegis_events: tuple[KataegisEvent, ...]


def measure(
    inputs: MetricInputs, bundle: Bundle, config: SampleConfig, clock: StepClock, *,
    build: Build, concordance: Concordance | None, annotation_source: str,
) -> Measured:  # fmt: skip
    """TMB, MSI, signatures and kataegis from the inputs gathered while streaming; MSI,
    signatures and APOBEC contexts withheld when the REF alleles disagree with the genome."""
    genome_path = bundle.fasta(build)
    with ReferenceGenome.open(genome_path) if genome_path else nullcontext() as genome:
        with clock.step("tmb"):
            tmb = _tmb(annotation_source, inputs, config)
        trusted = genome if concordance is None or concordance.trusted else None
        withheld = concordance.withheld_note if trusted is None and concordance else ""
        with clock.step("msi"):
            msi = _msi(inputs.msi, config.assay.target_size_mb, trusted, config.msi.enabled,
                       withheld, assay=config.assay.type)  # fmt: skip
        with clock.step("signatures"):
            signatures = _signatures(build, inputs, bundle, trusted, config, withheld)
        with clock.step("kataegis"):
            events = kataegis_events(inputs.pass_snvs, trusted)  # no APOBEC contexts if withheld
            kataegis = kataegis_metric(events, inputs.snvs)
            if withheld and kataegis.computable:
                why = withheld.removeprefix("not computable: ")
                kataegis = replace(kataegis, note=f"APOBEC contexts withheld: {why}")
    return Measured(tmb, msi, signatures, kataegis, events)


def _tmb(annotation_source: str, inputs: MetricInputs, config: SampleConfig) -> Metric:
    if annotation_source == GENE_SPAN_SOURCE:
        return Metric("TMB", None, "mutations/Mb", note="not computable: the VCF has no consequence "
                      "annotation and the bundle only gene spans, so coding variants cannot be told apart")  # fmt: skip
    return tmb_metric(inputs.tmb.counts(), TmbSettings.from_config(config))


def _msi(
    inputs: MsiInputs,
    target_mb: float,
    genome: ReferenceGenome | None,
    enabled: bool,
    withheld: str = "",
    assay: str | None = None,
) -> Metric:
    if not enabled:
        return Metric("msi", None, "indel fraction", "not computed: disabled in the sample config")
    if withheld:
        return Metric("msi", None, "indel fraction", withheld)
    return msi_metric(inputs, target_mb, genome, assay)


def _signatures(
    build: Build,
    inputs: MetricInputs,
    bundle: Bundle,
    genome: ReferenceGenome | None,
    config: SampleConfig,
    withheld: str = "",
) -> SignatureReport:
    if not config.signatures.enabled:
        return SignatureReport(
            Metric("signatures", None, "cosine similarity", "not computed: disabled in the sample config")
        )
    if withheld:
        return SignatureReport(Metric("signatures", None, "cosine similarity", withheld))
    matrix = SignatureMatrix.from_tuple(bundle.signatures(build))
    return snv_signatures(inputs.pass_snvs, genome, matrix, config.signatures)
