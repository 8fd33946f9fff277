"""The somatic reporter: the one short place where the reporter's steps are composed.

read → annotate → match evidence → oncogenicity → tier → metrics → write. Each step is a
function of another module with typed inputs and outputs; this module only wires them, times
them and hands one ``ReportContent`` to the writers. Same inputs + same bundle → same files,
byte for byte, apart from the timings in ``provenance.json``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from oncodrop.domain.classification import Classification, Finding
from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber
from oncodrop.domain.genome import Build
from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError, InputRejected, ReasonCode
from oncodrop.refdata.bundle import Bundle, GeneLocus
from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq
from oncodrop.report.annotation.genespan import SOURCE as GENE_SPAN_SOURCE
from oncodrop.report.annotation.genespan import annotate_by_gene_span
from oncodrop.report.annotation.pick import transcript_facts
from oncodrop.report.interpretation.snapshot import somatic_input, write_input
from oncodrop.report.matching import EvidenceIndex, match_cna, match_evidence
from oncodrop.report.metrics.cna import CnaThresholds, read_segments, segment_call
from oncodrop.report.metrics.cna import gene_copy_numbers as call_genes
from oncodrop.report.metrics.concordance import Concordance, check_reference
from oncodrop.report.metrics.kataegis import find_kataegis, kataegis_metric
from oncodrop.report.metrics.msi import msi_status
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.signatures import (
    SignatureMatrix,
    SignatureReport,
    mutational_signatures,
)
from oncodrop.report.metrics.tmb import TmbSettings, tumor_mutational_burden
from oncodrop.report.oncogenicity import HotspotIndex, OncogenicResidues, classify_oncogenicity
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.report.tiers import assign_cna_tier, assign_tier
from oncodrop.report.vcf import read_variants
from oncodrop.report.vcf.result import require_build
from oncodrop.report.write.content import (
    BundleInfo,
    CalledSegment,
    InputFile,
    ReadStats,
    ReportContent,
    SourceVersion,
    finding_sort_key,
    genomic_sort_key,
)
from oncodrop.report.write.files import write_report_files
from oncodrop.report.write.provenance import describe_input, software_versions
from oncodrop.sampleconfig import SampleConfig
from oncodrop.timing import StepClock

REPORTER_NAME = "oncodrop-somatic"


@dataclass(frozen=True, slots=True)
class ReadOutcome:
    """Variants kept for the report, with the counts and facts the report states about them."""

    variants: tuple[Variant, ...]
    build: Build
    stats: ReadStats
    concordance: Concordance | None = None


def read_and_annotate(request: ReportRequest, bundle: Bundle) -> ReadOutcome:
    """Read the VCF; without CSQ/ANN/BCSQ, annotate it with bcftools csq (bundle GFF3 + FASTA)
    in a private temporary folder and read that instead."""
    result = read_variants(request.vcf, request.config, mode="somatic")
    build = require_build(result.build, request.vcf.name)
    if bundle.builds and build not in bundle.builds:
        raise BundleError(
            f"{request.vcf.name} is {build} but bundle {bundle.name} {bundle.version} holds only "
            f"{', '.join(bundle.builds)}; use a bundle built with `oncodrop refdata build "
            f"--build {build}`"
        )
    concordance = check_reference(result.variants, bundle, build, request.vcf.name,
                                  result.build_evidence)  # fmt: skip
    source: str | None = result.annotation
    variants = result.variants
    if source is None:
        variants, source = _annotate(request, bundle, build, result.variants, result.tumor_sample)
    stats = ReadStats(
        records=result.counts.alleles - result.counts.skipped_symbolic,
        passing=len(variants),
        annotation_source=source,
        tumor_column=result.tumor_sample,
        normal_column=result.normal_sample,
    )
    return ReadOutcome(variants, build, stats, concordance)


def _annotate(
    request: ReportRequest, bundle: Bundle, build: Build, variants: tuple[Variant, ...],
    tumour: str | None = None,
) -> tuple[tuple[Variant, ...], str]:
    """Consequences for an unannotated VCF: bcftools csq with the bundle's transcript model, else
    the bundle's gene spans (gene known, protein effect unknown), else a rejection."""
    gff3, fasta = bundle.gff3(build), bundle.fasta(build)
    if gff3 is not None and fasta is not None:
        with tempfile.TemporaryDirectory(prefix="oncodrop-csq-") as work:
            annotated = annotate_with_bcftools_csq(request.vcf, gff3, fasta, out_dir=Path(work),
                                                   sample=tumour, ref_checked=True)  # fmt: skip
            facts = transcript_facts(gff3)
            read = read_variants(annotated, request.config, mode="somatic", transcripts=facts)
            return read.variants, "bcftools-csq"
    genes = _gene_spans(bundle, build)
    if not genes:
        raise InputRejected(
            ReasonCode.NO_ANNOTATION,
            f"{request.vcf.name} has no consequence annotation (INFO/CSQ from VEP, ANN from "
            f"snpEff or BCSQ from bcftools) and bundle {bundle.name} {bundle.version} has no "
            f"gene model for {build} to annotate it with; annotate the VCF before upload "
            f"or use a bundle that holds genome/{build}/genes.gff3.gz and genome.fa.gz",
            file=request.vcf.name,
            field="INFO/CSQ",
        )
    return annotate_by_gene_span(variants, genes), GENE_SPAN_SOURCE


def _tmb(read: ReadOutcome, config: SampleConfig) -> Metric:
    if read.stats.annotation_source == GENE_SPAN_SOURCE:
        return Metric("TMB", None, "mutations/Mb", note="not computable: the VCF has no consequence "
                      "annotation and the bundle only gene spans, so coding variants cannot be told apart")  # fmt: skip
    return tumor_mutational_burden(read.variants, TmbSettings.from_config(config))


def _gene_spans(bundle: Bundle, build: Build) -> tuple[GeneLocus, ...]:
    try:
        return bundle.genes(build)
    except BundleError:
        return ()


def classify_variants(
    variants: Sequence[Variant], bundle: Bundle, index: EvidenceIndex, tumor_site: str | None, *,
    hotspots: HotspotIndex | None = None, residues: OncogenicResidues | None = None,
) -> tuple[Finding, ...]:
    """Match evidence, score oncogenicity and tier every variant; report order (tier, locus).
    ``hotspots``/``residues``: the bundle's, built once by a caller classifying many samples."""
    hotspots = hotspots or HotspotIndex.build(bundle.hotspots())
    residues = residues or OncogenicResidues.build(bundle.evidence())
    roles = bundle.gene_roles()
    findings = []
    shared: dict[Classification, Classification] = {}  # few distinct results: hold each once
    for v in variants:
        role = roles.get(v.gene) if v.gene else None
        support = hotspots.lookup(v)
        matches = match_evidence(v, index)
        oncogenicity = classify_oncogenicity(
            v, gene_role=role, hotspot=support, evidence=matches, residues=residues
        )
        oncogenicity = shared.setdefault(oncogenicity, oncogenicity)
        tier, why = assign_tier(
            matches, v, tumor_site, gene_role=role, hotspot=support is not None,
            oncogenic=oncogenicity,
        )  # fmt: skip
        findings.append(Finding(v, tier, why, matches, oncogenicity, role, support is not None))
    return tuple(sorted(findings, key=finding_sort_key))


@dataclass(frozen=True, slots=True)
class CopyNumberOutcome:
    genes: tuple[GeneCopyNumber, ...]
    segments: tuple[CalledSegment, ...]


def copy_number_findings(
    segments_path: Path, bundle: Bundle, build: Build, index: EvidenceIndex, config: SampleConfig
) -> CopyNumberOutcome:
    """Gene-level calls from the segment file, each altered gene matched and tiered."""
    segments = read_segments(segments_path).segments
    thresholds = CnaThresholds.from_config(config)
    calls = call_genes(segments, bundle.genes(build), thresholds)
    out = []
    for g in calls:
        if g.call is CnaCall.NEUTRAL:
            out.append(g)
            continue
        matches = match_cna(g.gene, g.call, index)
        tier, _ = assign_cna_tier(matches, config.sample.tumor_site)
        out.append(replace(g, evidence=matches, tier=tier))
    return CopyNumberOutcome(
        genes=tuple(sorted(out, key=lambda g: (genomic_sort_key(g.chrom, g.start), g.gene))),
        segments=tuple(
            CalledSegment(s, segment_call(s, thresholds))
            for s in sorted(segments, key=lambda s: genomic_sort_key(s.chrom, s.start))
        ),
    )


def bundle_info(bundle: Bundle) -> BundleInfo:
    described = bundle.describe()
    sources = bundle.manifest.get("sources", {})
    return BundleInfo(
        name=bundle.name,
        version=bundle.version,
        demo=bundle.demo,
        label=bundle.label,
        manifest_sha256=str(described.get("manifest_sha256", "")),
        sources=tuple(
            SourceVersion(name, str(s.get("version", "")), str(s.get("date", "")), str(s.get("url", "")))
            for name, s in sorted(sources.items())
        ),
    )


class SomaticReporter:
    """Our own PCGR-class somatic reporter (``Reporter`` protocol)."""

    name = REPORTER_NAME

    def run(self, request: ReportRequest) -> ReportResult:
        _check_sample_id(request.sample_id)
        clock = StepClock()
        config = request.config
        bundle = Bundle.open(request.bundle)
        request.out_dir.mkdir(parents=True, exist_ok=True)
        with clock.step("read"):
            read = read_and_annotate(request, bundle)
        genome_path = bundle.fasta(read.build)
        with ReferenceGenome.open(genome_path) if genome_path else nullcontext() as genome:
            with clock.step("classify"):
                index = EvidenceIndex.build(bundle.evidence(), read.build)
                findings = classify_variants(read.variants, bundle, index, config.sample.tumor_site)
            with clock.step("tmb"):
                tmb = _tmb(read, config)
            trusted = genome if read.concordance is None or read.concordance.trusted else None
            withheld = read.concordance.withheld_note if trusted is None and read.concordance else ""
            with clock.step("msi"):
                msi = _msi(read.variants, config.assay.target_size_mb, trusted, config.msi.enabled,
                           withheld)  # fmt: skip
            with clock.step("signatures"):
                signatures = _signatures(read, bundle, trusted, config, withheld)
            with clock.step("kataegis"):
                events = find_kataegis(read.variants, trusted)  # no APOBEC contexts if withheld
                n_snvs = sum(1 for v in read.variants if v.variant_class == "SNV")
                kataegis = kataegis_metric(events, n_snvs)
                if withheld and kataegis.computable:
                    why = withheld.removeprefix("not computable: ")
                    kataegis = replace(kataegis, note=f"APOBEC contexts withheld: {why}")
        with clock.step("cna"):
            copy_number = (
                copy_number_findings(request.cna, bundle, read.build, index, config)
                if request.cna else None
            )  # fmt: skip
        content = ReportContent(
            sample_id=request.sample_id,
            kind=request.kind,
            build=read.build,
            config=config,
            bundle=bundle_info(bundle),
            read_stats=read.stats,
            findings=findings,
            tmb=tmb,
            msi=msi,
            signatures=signatures,
            signature_reference=f"COSMIC v3.4 SBS ({read.build.replace('grch', 'GRCh')})",
            kataegis=kataegis,
            kataegis_events=events,
            reference=read.concordance,
            cna=copy_number.genes if copy_number else None,
            cna_segments=copy_number.segments if copy_number else (),
            inputs=_inputs(request),
            versions=software_versions(),
            reporter=self.name,
        )
        with clock.step("write"):
            written = write_report_files(content, request, bundle.describe(), clock.timings)
            kept = write_input(request.out_dir, somatic_input(content, read.variants))
        timings = {**clock.timings, **written.timings}
        files = tuple(sorted((*written.files, kept)))
        return ReportResult(request.out_dir, files, written.headline, self.name, timings)


_SAMPLE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")  # the characters of a sample key's batch


def _check_sample_id(sample_id: str) -> None:
    """The id names the output files, so it must be a plain file-name stem (no path)."""
    if not _SAMPLE_ID.fullmatch(sample_id) or sample_id in {".", ".."}:
        raise InputRejected(
            ReasonCode.BAD_SAMPLE_ID,
            f"sample id {sample_id!r} cannot name report files: use 1-128 letters, digits, "
            "'.', '_' or '-' (no spaces or slashes)",
            field="sample.id",
        )


def _inputs(request: ReportRequest) -> tuple[InputFile, ...]:
    inputs = [describe_input("vcf", request.vcf)]
    if request.cna:
        inputs.append(describe_input("cna", request.cna))
    return tuple(inputs)


def _msi(
    variants: Sequence[Variant], target_mb: float, genome: ReferenceGenome | None, enabled: bool,
    withheld: str = "",
) -> Metric:
    if not enabled:
        return Metric("msi", None, "indel fraction", "not computed: disabled in the sample config")
    if withheld:
        return Metric("msi", None, "indel fraction", withheld)
    return msi_status(variants, target_mb, genome)


def _signatures(
    read: ReadOutcome, bundle: Bundle, genome: ReferenceGenome | None, config: SampleConfig,
    withheld: str = "",
) -> SignatureReport:
    if not config.signatures.enabled:
        return SignatureReport(Metric("signatures", None, "cosine similarity",
                                      "not computed: disabled in the sample config"))
    if withheld:
        return SignatureReport(Metric("signatures", None, "cosine similarity", withheld))
    matrix = SignatureMatrix.from_tuple(bundle.signatures(read.build))
    return mutational_signatures(read.variants, genome, matrix, config.signatures)
