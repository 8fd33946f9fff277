"""The somatic reporter: the one short place where the reporter's steps are composed.

read → annotate → match evidence → oncogenicity → tier → metrics → write. Each step is a
function of another module with typed inputs and outputs; this module only wires them, times
them and hands one ``ReportContent`` to the writers. Same inputs + same bundle → same files,
byte for byte, apart from the timings in ``provenance.json``.

The variants stream: each is read, annotated, classified and collected (``collect``: rows
spilled to disk, counts, the findings shown in full) in one pass, and the metrics keep only
compact inputs (``metrics.inputs``), so memory does not grow with the number of variants.
"""

from __future__ import annotations

import itertools
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from oncodrop.domain.classification import Finding
from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber
from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError, InputRejected, ReasonCode
from oncodrop.refdata.bundle import Bundle, GeneLocus
from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq
from oncodrop.report.annotation.gene_model import bundle_gene_model
from oncodrop.report.annotation.genespan import SOURCE as GENE_SPAN_SOURCE
from oncodrop.report.annotation.genespan import iter_annotated_by_gene_span
from oncodrop.report.collect import Collected, FindingCollector
from oncodrop.report.interpretation.snapshot import write_streamed_input
from oncodrop.report.matching import EvidenceIndex, match_cna, match_evidence
from oncodrop.report.measure import Measured, measure
from oncodrop.report.metrics.cna import CnaThresholds, read_segments, segment_call
from oncodrop.report.metrics.cna import gene_copy_numbers as call_genes
from oncodrop.report.metrics.concordance import Concordance, check_reference
from oncodrop.report.metrics.inputs import MetricInputs
from oncodrop.report.metrics.tmb import TmbSettings
from oncodrop.report.oncogenic_lookups import HotspotIndex, OncogenicResidues
from oncodrop.report.oncogenicity import classify_oncogenicity
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.report.tiers import assign_cna_tier, assign_tier
from oncodrop.report.vcf import VariantStream, open_variants
from oncodrop.report.vcf.result import require_build
from oncodrop.report.write.content import (
    BundleInfo,
    CalledSegment,
    InputFile,
    ReadStats,
    ReportContent,
    SourceVersion,
)
from oncodrop.report.write.files import write_report_files
from oncodrop.report.write.order import finding_sort_key, genomic_sort_key
from oncodrop.report.write.provenance import describe_input, software_versions
from oncodrop.sampleconfig import SampleConfig
from oncodrop.timing import StepClock

REPORTER_NAME = "oncodrop-somatic"
BATCH = 2_000
"""Variants read before each step runs over them: one step at a time over a batch keeps the
interpreter's caches warm (~25 % less CPU than step by step per variant), and a batch is
small (~2 MB) whatever the size of the VCF."""


@dataclass(frozen=True, slots=True)
class AnnotatedStream:
    """The VCF's variants with consequences, one at a time, and what the report says about
    reading them (``stats``, complete once ``variants`` is exhausted)."""

    original: VariantStream  # the uploaded VCF: its columns, build evidence and counts
    variants: Iterator[Variant]
    build: Build
    source: str  # VEP | snpEff | BCSQ | bcftools-csq | gene-span
    concordance: Concordance | None = None  # checked before annotating; else after the pass
    annotated: VariantStream | None = None  # the bcftools-csq output being read

    def stats(self) -> ReadStats:
        counts = self.original.counts()
        return ReadStats(
            records=counts.alleles - counts.skipped_symbolic,
            passing=(self.annotated or self.original).counts().kept,
            annotation_source=self.source,
            tumor_column=self.original.tumor_sample,
            normal_column=self.original.normal_sample,
        )


@contextmanager
def annotated_variants(request: ReportRequest, bundle: Bundle, work: Path) -> Iterator[AnnotatedStream]:
    """Stream the VCF; without CSQ/ANN/BCSQ, read it once to check its REF alleles, then stream
    it annotated by bcftools csq (bundle GFF3 + FASTA, output in ``work``) or by gene span."""
    with open_variants(request.vcf, request.config, mode="somatic") as original:
        build = require_build(original.build, request.vcf.name)
        if bundle.builds and build not in bundle.builds:
            raise BundleError(
                f"{request.vcf.name} is {build} but bundle {bundle.name} {bundle.version} holds only "
                f"{', '.join(bundle.builds)}; use a bundle built with `oncodrop refdata build "
                f"--build {build}`"
            )
        if original.annotation is not None:
            yield AnnotatedStream(original, original.variants, build, original.annotation)
            return
        gff3, fasta = bundle.gff3(build), bundle.fasta(build)
        if gff3 is None or fasta is None:
            genes = _gene_spans(bundle, build)
            if not genes:
                raise _no_annotation(request, bundle, build)
            yield AnnotatedStream(original, iter_annotated_by_gene_span(original.variants, genes), build,
                                  GENE_SPAN_SOURCE)  # fmt: skip
            return
        for _ in original.variants:  # the uploaded VCF's REF alleles, before csq reads the genome
            pass
        concordance = check_reference(original.kept, bundle, build, request.vcf.name,
                                      original.build_evidence)  # fmt: skip
        annotated_vcf = annotate_with_bcftools_csq(request.vcf, gff3, fasta, out_dir=work,
                                                   sample=original.tumor_sample, ref_checked=True)  # fmt: skip
    with (bundle_gene_model(bundle, build, fasta) as model,
          open_variants(annotated_vcf, request.config, mode="somatic", transcripts=model) as annotated):  # fmt: skip
        yield AnnotatedStream(original, annotated.variants, build, "bcftools-csq", concordance, annotated)


def _no_annotation(request: ReportRequest, bundle: Bundle, build: Build) -> InputRejected:
    return InputRejected(
        ReasonCode.NO_ANNOTATION,
        f"{request.vcf.name} has no consequence annotation (INFO/CSQ from VEP, ANN from "
        f"snpEff or BCSQ from bcftools) and bundle {bundle.name} {bundle.version} has no "
        f"gene model for {build} to annotate it with; annotate the VCF before upload "
        f"or use a bundle that holds genome/{build}/genes.gff3.gz and genome.fa.gz",
        file=request.vcf.name,
        field="INFO/CSQ",
    )


def _gene_spans(bundle: Bundle, build: Build) -> tuple[GeneLocus, ...]:
    try:
        return bundle.genes(build)
    except BundleError:
        return ()


class Classifier:
    """Match evidence, score oncogenicity and tier one variant. ``hotspots``/``residues``: the
    bundle's, built once by a caller classifying many samples."""

    def __init__(
        self, bundle: Bundle, index: EvidenceIndex, tumor_site: str | None, *,
        hotspots: HotspotIndex | None = None, residues: OncogenicResidues | None = None,
    ) -> None:  # fmt: skip
        self._index, self._site = index, tumor_site
        self._hotspots = hotspots or HotspotIndex.build(bundle.hotspots())
        self._residues = residues or OncogenicResidues.build(bundle.evidence())
        self._roles = bundle.gene_roles()

    def __call__(self, v: Variant) -> Finding:
        return self.classify_all((v,))[0]

    def classify_all(self, variants: Sequence[Variant]) -> list[Finding]:
        """Each variant classified, one step at a time over all of them (warm caches, as the
        reporter's batches)."""
        site, roles, residues = self._site, self._roles, self._residues
        role = [roles.get(c.gene) if (c := v.consequence) is not None and c.gene else None for v in variants]
        support = list(map(self._hotspots.lookup, variants))
        matches = [match_evidence(v, self._index) for v in variants]
        oncogenicity = [  # equal facts give the same object: few are held
            classify_oncogenicity(v, gene_role=r, hotspot=s, evidence=m, residues=residues)
            for v, r, s, m in zip(variants, role, support, matches, strict=True)
        ]
        out = []
        for v, r, s, m, o in zip(variants, role, support, matches, oncogenicity, strict=True):
            tier, why = assign_tier(m, v, site, gene_role=r, hotspot=s is not None, oncogenic=o)
            out.append(Finding(v, tier, why, m, o, r, s is not None))
        return out


def classify_variants(
    variants: Sequence[Variant], bundle: Bundle, index: EvidenceIndex, tumor_site: str | None, *,
    hotspots: HotspotIndex | None = None, residues: OncogenicResidues | None = None,
) -> tuple[Finding, ...]:
    """Every variant classified (``Classifier``), in report order (tier, locus)."""
    classify = Classifier(bundle, index, tumor_site, hotspots=hotspots, residues=residues)
    return tuple(sorted(classify.classify_all(variants), key=finding_sort_key))


@dataclass(frozen=True, slots=True)
class Streamed:
    """What one pass over the variants leaves: the read's account, the metrics' inputs and the
    findings as collected (``collect``)."""

    build: Build
    stats: ReadStats
    concordance: Concordance | None
    collected: Collected
    index: EvidenceIndex
    classify_seconds: float  # of the pass, spent classifying and collecting


def stream_findings(
    request: ReportRequest, bundle: Bundle, collector_dir: Path
) -> tuple[Streamed, MetricInputs, FindingCollector]:
    """Read, annotate, classify and collect every variant in one pass, gathering the metrics'
    inputs; then check the REF alleles against the bundle genome (rejecting another assembly,
    ``ref_mismatch``)."""
    config = request.config
    with annotated_variants(request, bundle, collector_dir) as stream:
        index = EvidenceIndex.build(bundle.evidence(), stream.build)
        classify = Classifier(bundle, index, config.sample.tumor_site)
        original = stream.original
        collector = FindingCollector(collector_dir, sample_id=request.sample_id, tumor_site=config.sample.tumor_site,
                                     build=stream.build, tumor_column=original.tumor_sample,
                                     normal_column=original.normal_sample)  # fmt: skip
        metrics = MetricInputs(TmbSettings.from_config(config))
        try:
            spent = 0.0
            while batch := list(itertools.islice(stream.variants, BATCH)):
                for v in batch:
                    metrics.add(v)
                collector.add_variants(batch)
                start = time.perf_counter()
                collector.add_all(classify.classify_all(batch))
                spent += time.perf_counter() - start
            stats = stream.stats()
        except BaseException:
            collector.close()
            raise
    concordance = stream.concordance
    if concordance is None:
        concordance = check_reference(original.kept, bundle, stream.build, request.vcf.name,
                                      original.build_evidence)  # fmt: skip
    return Streamed(stream.build, stats, concordance, collector.finish(), index, spent), metrics, collector


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
        bundle = Bundle.open(request.bundle)
        request.out_dir.mkdir(parents=True, exist_ok=True)
        # rows and variants spilled while streaming: beside the report folder (a private job
        # folder in the service), never inside it
        with tempfile.TemporaryDirectory(prefix=".oncodrop-report-", dir=request.out_dir.parent) as work:
            return self._run(request, bundle, Path(work))

    def _run(self, request: ReportRequest, bundle: Bundle, work: Path) -> ReportResult:
        clock = StepClock()
        with clock.step("read"):
            read, inputs, collector = stream_findings(request, bundle, work)
        clock.timings["read"] = round(clock.timings["read"] - read.classify_seconds, 4)
        clock.timings["classify"] = round(read.classify_seconds, 4)
        try:
            measured = measure(inputs, bundle, request.config, clock, build=read.build,
                               concordance=read.concordance, annotation_source=read.stats.annotation_source)
            del inputs  # the writers need none of it: freed before their peak
            return self._finish(request, bundle, read, measured, collector, clock)
        finally:
            collector.close()

    def _finish(
        self, request: ReportRequest, bundle: Bundle, read: Streamed, measured: Measured,
        collector: FindingCollector, clock: StepClock,
    ) -> ReportResult:  # fmt: skip
        config = request.config
        tmb, msi, signatures, kataegis, events = measured
        with clock.step("cna"):
            copy_number = (
                copy_number_findings(request.cna, bundle, read.build, read.index, config)
                if request.cna else None
            )  # fmt: skip
        collected = read.collected
        content = ReportContent(
            sample_id=request.sample_id,
            kind=request.kind,
            build=read.build,
            config=config,
            bundle=bundle_info(bundle),
            read_stats=read.stats,
            findings=collected.findings,
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
            rows=collected.rows,
            tallied=collected.tally,
        )
        with clock.step("write"):
            written = write_report_files(content, request, bundle.describe(), clock.timings)
            kept = write_streamed_input(request.out_dir, content, collector.variant_texts())
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
