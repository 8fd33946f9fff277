"""Read a somatic or germline VCF into ``Variant`` objects: split, filtered, annotated.

One pass with pysam (htslib). Multi-allelic records are split per ALT (per-allele AD/AF and
CSQ/ANN/BCSQ blocks); contigs are normalised (``chr7`` -> ``7``, ``chrM`` -> ``MT``); FILTER
and the read thresholds of the sample config are applied and counted. Every pysam failure
becomes ``InputRejected("bad_vcf", …)`` naming the file and line (``vcf.htslib``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from sys import intern
from typing import Any, Literal

import pysam

from oncodrop.domain.genome import Build, normalise_chrom
from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.annotation.ann import parse_ann
from oncodrop.report.annotation.bcsq import parse_bcsq
from oncodrop.report.annotation.common import Annotation, vep_allele
from oncodrop.report.annotation.csq import parse_csq
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.metrics.loci import Loci
from oncodrop.report.vcf.allelic import (
    AlleleContext,
    Support,
    info_value,
    sample_support,
)
from oncodrop.report.vcf.duplicates import KeptKeys
from oncodrop.report.vcf.header import AnnotationSource, HeaderFacts, read_header
from oncodrop.report.vcf.htslib import REF_BASES, open_vcf, quiet_htslib, unparsable
from oncodrop.report.vcf.regions import Region, RegionSet
from oncodrop.report.vcf.result import ReadCounts, VcfReadResult
from oncodrop.report.vcf.samples import SampleChoice, choose_samples
from oncodrop.sampleconfig import SampleConfig

Mode = Literal["somatic", "normal"]
_LEADING_INT = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class _Plan:
    """Per-file constants the per-record code needs."""

    facts: HeaderFacts
    choice: SampleChoice
    config: SampleConfig
    mode: Mode
    file: str
    transcripts: Mapping[str, TranscriptFacts] | None = None  # the gene model's tags (pick)
    compound: Mapping[tuple[str, int], tuple[str, ...]] | None = None  # csq haplotype entries


def _genotype(sample: Any) -> tuple[str | None, tuple[int | None, ...]]:
    gt = sample.get("GT") if sample is not None else None
    if not gt:
        return None, ()
    alleles = tuple(gt)
    return _gt_text(alleles, "|" if sample.phased else "/"), alleles


@lru_cache(maxsize=1024)
def _gt_text(alleles: tuple[int | None, ...], sep: str) -> str:
    """``0/1``: one shared string per genotype (a million variants hold a handful)."""
    return sep.join("." if a is None else str(a) for a in alleles)


def _entries(rec: pysam.VariantRecord, tag: str) -> tuple[str, ...]:
    """Comma-separated INFO entries; a header saying Number=1 makes pysam return one string."""
    value = rec.info.get(tag)
    if not value:
        return ()
    return tuple(value.split(",")) if isinstance(value, str) else tuple(value)


def _annotate(
    rec: pysam.VariantRecord, plan: _Plan, alts: tuple[str, ...], i: int
) -> Annotation | None:
    source, layout = plan.facts.annotation, plan.facts.csq_layout
    single = len(alts) == 1
    if source == "VEP" and layout is not None:
        entries = _entries(rec, "CSQ")
        spellings = (vep_allele(rec.ref or "", alts, i), alts[i])
        return (
            parse_csq(entries, layout, alleles=spellings, allele_num=i + 1, single_alt=single)
            if entries
            else None
        )
    if source == "snpEff":
        entries = _entries(rec, "ANN")
        return (
            parse_ann(entries, alt=alts[i], single_alt=single, transcripts=plan.transcripts)
            if entries
            else None
        )
    if source == "BCSQ":
        entries = _entries(rec, "BCSQ")
        if entries and plan.compound and all(e.startswith("@") for e in entries):
            entries = _own_compound(plan.compound.get((rec.chrom, rec.pos), ()), rec.pos, rec.ref or "", alts[i])
        return (
            parse_bcsq(entries, alt=alts[i], single_alt=single, transcripts=plan.transcripts,
                       pos=rec.pos, ref=rec.ref)
            if entries
            else None
        )
    return None


def _compound_index(path: Path) -> dict[tuple[str, int], tuple[str, ...]]:
    """(contig, position) -> the haplotype-aware csq entries that include a change there: csq
    writes a joint consequence once (``dna_change`` ``53592GC>G+53595A>T``) and leaves
    ``@53595`` at the other records, before or after it."""
    index: dict[tuple[str, int], list[str]] = {}
    with pysam.VariantFile(str(path)) as vf:
        if "BCSQ" not in vf.header.info:
            return {}
        for rec in vf:
            for entry in _entries(rec, "BCSQ"):
                fields = entry.split("|")
                if len(fields) < 7 or "+" not in fields[6]:
                    continue
                for change in fields[6].split("+"):
                    if match := _LEADING_INT.match(change):
                        index.setdefault((rec.chrom, int(match.group(0))), []).append(entry)
    return {key: tuple(dict.fromkeys(value)) for key, value in index.items()}


def _own_compound(entries: Sequence[str], pos: int, ref: str, alt: str) -> tuple[str, ...]:
    """The compound entries whose ``dna_change`` holds this record's own change."""
    change = f"{pos}{ref}>{alt}"
    return tuple(e for e in entries if change in e.split("|")[6].split("+"))


def _threshold_failure(plan: _Plan, tumour: Support, normal: Support | None) -> str | None:
    """Name of the first read threshold the allele fails (somatic mode), or None."""
    if plan.mode != "somatic":
        return None
    cut = plan.config.allelic_support
    if tumour.depth is not None and tumour.depth < cut.tumor_dp_min:
        return "filtered_by_depth"
    if tumour.vaf is not None and tumour.vaf < cut.tumor_af_min:
        return "filtered_by_vaf"
    if tumour.alt_depth is not None and tumour.alt_depth < cut.tumor_ad_min:
        return "filtered_by_alt_depth"
    if normal is not None:
        if normal.depth is not None and normal.depth < cut.normal_dp_min:
            return "filtered_by_normal_depth"
        if normal.vaf is not None and normal.vaf > cut.normal_af_max:
            return "filtered_by_normal_vaf"
    return None


def _with_info_tags(
    rec: pysam.VariantRecord,
    support: Support,
    dp_tag: str | None,
    af_tag: str | None,
    ctx: AlleleContext,
) -> Support:
    if not dp_tag and not af_tag:
        return support
    depth, vaf = support.depth, support.vaf
    if dp_tag and dp_tag in rec.info:
        value = info_value(rec.info[dp_tag], ctx)
        depth = int(value) if value is not None else depth
    if af_tag and af_tag in rec.info:
        value = info_value(rec.info[af_tag], ctx)
        vaf = round(value, 6) if value is not None else vaf
    alt_depth = support.alt_depth
    if alt_depth is None and depth and vaf is not None:
        alt_depth = round(depth * vaf)
    return Support(depth, alt_depth, vaf, support.ref_depth)


def _support(
    rec: pysam.VariantRecord,
    plan: _Plan,
    tumour: Any,
    normal: Any,
    keys: frozenset[str],
    ctx: AlleleContext,
) -> tuple[Support, Support | None]:
    """Tumour (or person) and normal support: FORMAT by caller rule, then config INFO tags."""
    t_support = sample_support(tumour, keys, ctx) if tumour is not None else Support()
    n_support = sample_support(normal, keys, ctx) if normal is not None else None
    if plan.mode != "somatic":
        return t_support, n_support
    tags = plan.config.allelic_support
    t_support = _with_info_tags(rec, t_support, tags.tumor_dp_tag, tags.tumor_af_tag, ctx)
    if n_support is not None or tags.normal_dp_tag or tags.normal_af_tag:
        n_support = _with_info_tags(
            rec, n_support or Support(), tags.normal_dp_tag, tags.normal_af_tag, ctx
        )
    return t_support, n_support


@lru_cache(maxsize=4096)
def _chrom(name: str) -> str:
    return normalise_chrom(name)


@lru_cache(maxsize=256)
def _format_keys(keys: tuple[str, ...]) -> frozenset[str]:
    """A record layout's FORMAT keys as a set (few layouts per file, one per record)."""
    return frozenset(keys)


def _is_symbolic(ref: str, alt: str) -> bool:
    return alt.startswith("<") or "[" in alt or "]" in alt or alt in ("*", ".", ref)


def _split_record(
    rec: pysam.VariantRecord, plan: _Plan, line: int, counts: Counter[str], seen: KeptKeys
) -> Iterator[Variant]:
    ref = rec.ref or ""
    if not ref or not REF_BASES.issuperset(ref):
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{plan.file} line {line}: REF must be A, C, G, T or N bases, got "
            f"{ref[:20]!r}; fix the REF column (column 4)",
            file=plan.file,
            line=line,
            field="REF",
        )
    alts = tuple(rec.alts or ())
    counts["records"] += 1
    if len(alts) > 1:
        counts["multiallelic_records"] += 1
    filters = tuple(map(str, rec.filter.keys()))
    passed = not filters or filters == ("PASS",)
    keys = _format_keys(tuple(rec.format.keys()))
    choice = plan.choice
    tumour = rec.samples[choice.tumor_index] if choice.tumor_index is not None else None
    normal = rec.samples[choice.normal_index] if choice.normal_index is not None else None
    genotype, gt_alleles = _genotype(tumour)
    normal_genotype, _ = _genotype(normal)
    record_alleles = (intern(ref.upper()), *(intern(a.upper()) for a in alts))
    called = bool(gt_alleles) and None not in gt_alleles
    chrom = _chrom(rec.chrom)
    rs = rec.id if rec.id and rec.id.startswith("rs") else None
    gq = tumour.get("GQ") if tumour is not None and "GQ" in keys else None
    for i, alt in enumerate(alts):
        counts["alleles"] += 1
        if _is_symbolic(ref, alt):
            counts["skipped_symbolic"] += 1
            continue
        key = seen.new(chrom, rec.pos, ref, alt)
        if key is None:
            counts["duplicates"] += 1
            continue
        if plan.config.allelic_support.pass_only and not passed:
            counts["filtered_by_filter"] += 1
            continue
        # germline: the person must carry the ALT (0/0 and ./. are not their variants);
        # somatic: only an ALT of a multi-allelic record that the tumour's GT leaves out
        carries = (i + 1) in gt_alleles
        if gt_alleles and not carries and (plan.mode == "normal" or (called and len(alts) > 1)):
            counts["not_in_sample"] += 1
            continue
        ctx = AlleleContext(i, len(alts), ref, alt)
        t_support, n_support = _support(rec, plan, tumour, normal, keys, ctx)
        failure = _threshold_failure(plan, t_support, n_support)
        if failure:
            counts[failure] += 1
            continue
        annotation = _annotate(rec, plan, alts, i)
        seen.add(key, chrom, rec.pos, ref, alt)
        counts["kept"] += 1
        yield Variant(
            chrom=chrom,
            pos=rec.pos,
            ref=record_alleles[0],
            alt=record_alleles[i + 1],
            line=line,
            filter_pass=passed,
            filters=() if passed else filters,
            depth=t_support.depth,
            alt_depth=t_support.alt_depth,
            vaf=t_support.vaf,
            normal_depth=n_support.depth if n_support else None,
            normal_vaf=n_support.vaf if n_support else None,
            genotype=genotype,
            genotype_quality=gq if isinstance(gq, int) else None,
            consequence=annotation.consequence if annotation else None,
            population_af=annotation.population_af if annotation else None,
            population_checked=annotation.population_checked if annotation else False,
            predictions=annotation.predictions if annotation else (),
            dbsnp=rs or (annotation.dbsnp if annotation else None),
            cosmic=annotation.cosmic if annotation else None,
            ref_depth=t_support.ref_depth,
            normal_ref_depth=n_support.ref_depth if n_support else None,
            normal_alt_depth=n_support.alt_depth if n_support else None,
            normal_genotype=normal_genotype,
            alleles=record_alleles,
        )


def _records(
    vf: pysam.VariantFile, plan: _Plan, regions: RegionSet | None, use_index: bool
) -> Iterator[tuple[pysam.VariantRecord, int]]:
    """Records with their line numbers (0 when read through the index)."""
    if regions is not None and use_index:
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
                        yield rec, 0
        return
    line = plan.facts.header_lines
    for rec in vf:
        line += 1
        if regions is not None and not regions.overlaps(
            normalise_chrom(rec.chrom), rec.pos, rec.pos + len(rec.ref or "N") - 1
        ):
            continue
        yield rec, line


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
class VariantStream:
    """An open VCF: what its header says, and its variants one at a time.

    ``variants`` yields each kept variant once, in file order; ``counts()`` is the account of
    the records read so far (complete once ``variants`` is exhausted). The streaming form of
    ``read_variants``: the somatic reporter classifies each variant as it is read, so a
    million-variant VCF is never held in memory.
    """

    file: str
    samples: tuple[str, ...]
    tumor_sample: str | None
    normal_sample: str | None
    sample_reason: str
    build: Build | None
    build_evidence: str
    annotation: AnnotationSource | None
    used_index: bool
    variants: Iterator[Variant]
    kept: Loci  # each kept variant's contig, position, REF and ALT (as written), read order
    _counts: Counter[str]

    def counts(self) -> ReadCounts:
        known = {f.name for f in fields(ReadCounts)}
        return ReadCounts(**{k: v for k, v in self._counts.items() if k in known})


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
            compound = _compound_index(path) if facts.annotation == "BCSQ" and transcripts else None
            plan = _Plan(facts, choice, config, mode, path.name, transcripts, compound)
            region_set = RegionSet.of(regions) if regions is not None else None
            use_index = region_set is not None and vf.index is not None
            records = _records(vf, plan, region_set, use_index)
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
                variants=_variants(path, plan, records, use_index, counts, kept),
                kept=kept.loci,
                _counts=counts,
            )


def _variants(
    path: Path, plan: _Plan, records: Iterator[tuple[pysam.VariantRecord, int]], use_index: bool,
    counts: Counter[str],
    seen: KeptKeys,
) -> Iterator[Variant]:
    line = plan.facts.header_lines
    while True:
        try:  # htslib parses a record when it is read: a failure is the next line
            rec, line = next(records)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:
            raise unparsable(path.name, None if use_index else line + 1, exc, path) from None
        try:
            yield from _split_record(rec, plan, line, counts, seen)
        except (OSError, ValueError) as exc:  # a field that cannot be decoded
            raise unparsable(path.name, line or None, exc, path) from None


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
    ``transcripts`` (``annotation.pick.transcript_facts`` of the bundle's GFF3) lets the pick
    order see MANE/canonical tags for snpEff and bcftools annotations, which carry none.
    Raises ``InputRejected`` (``bad_vcf``, ``ambiguous_samples``, ``build_mismatch``).
    """
    with open_variants(path, config, mode=mode, regions=regions, transcripts=transcripts) as stream:
        variants = tuple(stream.variants)
        return VcfReadResult(
            file=stream.file,
            variants=variants,
            samples=stream.samples,
            tumor_sample=stream.tumor_sample,
            normal_sample=stream.normal_sample,
            sample_reason=stream.sample_reason,
            build=stream.build,
            build_evidence=stream.build_evidence,
            annotation=stream.annotation,
            counts=stream.counts(),
            used_index=stream.used_index,
        )
