"""Read a somatic or germline VCF into ``Variant`` objects: split, filtered, annotated.

The file-level API (``open_variants``, its stream, ``read_variants``): open the VCF with pysam
(htslib), read its header, check the build, choose the sample columns, then walk the records
(streamed or through the index for regions) and hand each to ``record.split_record``, which
splits it per ALT, normalises contigs, applies FILTER and the read thresholds (``thresholds``)
and annotates (``annotate``), counting every drop. Every pysam failure becomes
``InputRejected("bad_vcf", …)`` naming the file and line (``vcf.htslib``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

import pysam

from oncodrop.domain.genome import Build, normalise_chrom
from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.metrics.loci import Loci
from oncodrop.report.vcf.annotate import compound_index
from oncodrop.report.vcf.duplicates import KeptKeys
from oncodrop.report.vcf.header import HeaderFacts, read_header
from oncodrop.report.vcf.htslib import open_vcf, quiet_htslib, unparsable
from oncodrop.report.vcf.plan import Mode, ReadPlan
from oncodrop.report.vcf.record import split_record
from oncodrop.report.vcf.regions import Region, RegionSet
from oncodrop.report.vcf.result import ReadCounts, VcfFacts, VcfReadResult
from oncodrop.report.vcf.samples import choose_samples
from oncodrop.sampleconfig import SampleConfig


def _indexed_records(vf: pysam.VariantFile, regions: RegionSet) -> Iterator[pysam.VariantRecord]:
    """The records overlapping ``regions``, through the index, each once, in file order."""
    # walk the indexed contigs in file order so the output order matches streaming
    for name in map(str, vf.index):
        spans = regions.intervals.get(normalise_chrom(name))
        if not spans:
            continue
        seen: set[tuple[int, str, tuple[str, ...] | None]] = set()
        for start, end in spans:
            for rec in vf.fetch(name, start - 1, end):
                key = (rec.pos, rec.ref or "", rec.alts)
                if key not in seen:
                    seen.add(key)
                    yield rec


def _check_build(facts: HeaderFacts, config: SampleConfig, file: str) -> Build | None:
    wanted = config.sample.genome_build
    if wanted and facts.build and wanted != facts.build:
        raise InputRejected(
            ReasonCode.BUILD_MISMATCH,
            f"the sample config says genome_build = {wanted!r} but {file} is {facts.build} "
            f"(from its {facts.build_evidence}); fix sample.genome_build or send the "
            f"{wanted} VCF",
            file=file,
            field="sample.genome_build",
        )
    return facts.build or wanted


@dataclass(frozen=True, slots=True)
class VariantStream(VcfFacts):
    """An open VCF: what its header says, and its variants one at a time.

    ``variants`` yields each kept variant once, in file order; ``counts()`` is the account of
    the records read so far (complete once ``variants`` is exhausted). The streaming form of
    ``read_variants``: the somatic reporter classifies each variant as it is read, so a
    million-variant VCF is never held in memory.
    """

    variants: Iterator[Variant]
    kept: Loci  # each kept variant's contig, position, REF and ALT (as written), read order
    _counts: Counter[str]

    def counts(self) -> ReadCounts:
        return ReadCounts(**{k: v for k, v in self._counts.items() if k in _COUNTED})


_COUNTED = frozenset(f.name for f in fields(ReadCounts))


@contextmanager
def open_variants(
    path: Path,
    config: SampleConfig,
    *,
    mode: Mode = "somatic",
    regions: Sequence[Region] | None = None,
    transcripts: Mapping[str, TranscriptFacts] | None = None,
) -> Iterator[VariantStream]:
    """Open ``path`` and stream its variants (arguments and errors as ``read_variants``)."""
    path = Path(path)
    counts: Counter[str] = Counter()
    with quiet_htslib():
        vf = open_vcf(path)
        with vf:
            facts = read_header(vf, path)
            build = _check_build(facts, config, path.name)
            choice = choose_samples(facts.samples, facts.meta, mode=mode, file=path.name)
            compound = compound_index(path) if facts.annotation == "BCSQ" and transcripts else None
            plan = ReadPlan(facts, choice, config, mode, path.name, transcripts, compound)
            region_set = RegionSet.of(regions) if regions is not None else None
            use_index = region_set is not None and vf.index is not None
            kept = KeptKeys()
            yield VariantStream(
                file=path.name,
                samples=facts.samples,
                tumor_sample=choice.tumor,
                normal_sample=choice.normal,
                sample_reason=choice.reason,
                build=build,
                build_evidence=facts.build_evidence,
                annotation=facts.annotation,
                used_index=use_index,
                variants=_variants(path, vf, plan, region_set, use_index, counts, kept),
                kept=kept.loci,
                _counts=counts,
            )


def _variants(
    path: Path,
    vf: pysam.VariantFile,
    plan: ReadPlan,
    regions: RegionSet | None,
    use_index: bool,
    counts: Counter[str],
    seen: KeptKeys,
) -> Iterator[Variant]:
    """Each record's kept variants, in file order; a record htslib cannot read or decode is a
    ``bad_vcf`` rejection naming its line (unknown when read through the index: 0)."""
    records = _indexed_records(vf, regions) if use_index and regions is not None else iter(vf)
    streamed = not use_index
    line = plan.facts.header_lines
    while True:
        try:  # htslib parses a record when it is read: a failure is the next line
            rec = next(records)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:
            raise unparsable(path.name, line + 1 if streamed else None, exc, path) from None
        if streamed:
            line += 1
            if regions is not None and not regions.overlaps(
                normalise_chrom(rec.chrom), rec.pos, rec.pos + len(rec.ref or "N") - 1
            ):
                continue
        try:
            kept = split_record(rec, plan, line if streamed else 0, counts, seen)
        except (OSError, ValueError) as exc:  # a field that cannot be decoded
            raise unparsable(path.name, line if streamed else None, exc, path) from None
        yield from kept


def read_variants(
    path: Path,
    config: SampleConfig,
    *,
    mode: Mode = "somatic",
    regions: Sequence[Region] | None = None,
    transcripts: Mapping[str, TranscriptFacts] | None = None,
) -> VcfReadResult:
    """Read, split, filter and annotate the variants of ``path`` (plain or bgzipped VCF).

    ``mode="somatic"`` reads the tumour column (and the matched normal if any);
    ``mode="normal"`` reads the person's column of a germline VCF. ``regions`` (1-based,
    inclusive; ``chr`` optional) restricts reading, through the tabix/CSI index when one exists.
    ``transcripts`` (``annotation.gene_model.bundle_gene_model``: the bundle's transcript table
    and genome) lets the pick order see MANE/canonical tags for snpEff and bcftools annotations,
    which carry none, and the csq path write indel HGVS from the genome.
    Raises ``InputRejected`` (``bad_vcf``, ``ambiguous_samples``, ``build_mismatch``).
    """
    with open_variants(path, config, mode=mode, regions=regions, transcripts=transcripts) as stream:
        variants = tuple(stream.variants)
        return VcfReadResult(**stream.facts(), variants=variants, counts=stream.counts())
