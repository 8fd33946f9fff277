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
from dataclasses import dataclass, field, fields
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
from oncodrop.report.annotation.makers import make_variant
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
from oncodrop.report.vcf.result import ReadCounts, VcfFacts, VcfReadResult
from oncodrop.report.vcf.samples import SampleChoice, choose_samples
from oncodrop.sampleconfig import SampleConfig

Mode = Literal["somatic", "normal"]
_LEADING_INT = re.compile(r"\d+")


_TAGS: dict[AnnotationSource | None, str | None] = {"VEP": "CSQ", "snpEff": "ANN", "BCSQ": "BCSQ", None: None}


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
    annotation_tag: str | None = field(init=False)  # the INFO tag of the annotation entries
    info_tags: bool = field(init=False)  # the config names INFO tags for depth/VAF

    def __post_init__(self) -> None:
        tags = self.config.allelic_support
        object.__setattr__(self, "annotation_tag", _TAGS[self.facts.annotation])
        object.__setattr__(self, "info_tags", bool(tags.tumor_dp_tag or tags.tumor_af_tag or
                                                   tags.normal_dp_tag or tags.normal_af_tag))  # fmt: skip


@lru_cache(maxsize=1024)
def _gt_text(alleles: tuple[int | None, ...], sep: str) -> str:
    """``0/1``: one shared string per genotype (a million variants hold a handful)."""
    return sep.join("." if a is None else str(a) for a in alleles)


def _genotype(sample: Any) -> tuple[str | None, tuple[int | None, ...]]:
    gt = sample.get("GT") if sample is not None else None
    if not gt:
        return None, ()
    alleles = tuple(gt)
    return _gt_text(alleles, "|" if sample.phased else "/"), alleles


@lru_cache(maxsize=4096)
def _record_alleles(ref: str, alts: tuple[str, ...]) -> tuple[str, ...]:
    """REF then every ALT, upper case, one shared tuple per spelling (SNVs have a dozen)."""
    return (intern(ref.upper()), *(intern(a.upper()) for a in alts))


@lru_cache(maxsize=4096)
def _vep_spellings(ref: str, alts: tuple[str, ...], i: int) -> tuple[str, str]:
    """The spellings ALT ``i`` may have in CSQ ``Allele``: VEP's trimmed form and the ALT."""
    return vep_allele(ref, alts, i), alts[i]


def _entries(rec: pysam.VariantRecord, tag: str) -> tuple[str, ...]:
    """Comma-separated INFO entries; a header saying Number=1 makes pysam return one string."""
    value = rec.info.get(tag)
    if not value:
        return ()
    return tuple(value.split(",")) if isinstance(value, str) else tuple(value)


def _annotate(
    rec: pysam.VariantRecord,
    plan: _Plan,
    ref: str,
    alts: tuple[str, ...],
    i: int,
    entries: tuple[str, ...],
) -> Annotation | None:
    """The chosen consequence of ALT ``i``; ``entries`` are the record's annotation entries
    (read once per record, for its first kept ALT)."""
    if not entries:
        return None
    source = plan.facts.annotation
    single = len(alts) == 1
    if source == "VEP":
        layout = plan.facts.csq_layout
        assert layout is not None
        return parse_csq(entries, layout, alleles=_vep_spellings(ref, alts, i), allele_num=i + 1,
                         single_alt=single)  # fmt: skip
    if source == "snpEff":
        return parse_ann(entries, alt=alts[i], single_alt=single, transcripts=plan.transcripts)
    if plan.compound and all(e.startswith("@") for e in entries):  # BCSQ
        entries = _own_compound(plan.compound.get((rec.chrom, rec.pos), ()), rec.pos, ref, alts[i])
        if not entries:
            return None
    return parse_bcsq(entries, alt=alts[i], single_alt=single, transcripts=plan.transcripts,
                      pos=rec.pos, ref=rec.ref)  # fmt: skip


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


def _with_config_tags(
    rec: pysam.VariantRecord,
    plan: _Plan,
    t_support: Support,
    n_support: Support | None,
    ctx: AlleleContext,
) -> tuple[Support, Support | None]:
    """Somatic mode: the sample config's INFO tags for depth/VAF override FORMAT."""
    tags = plan.config.allelic_support
    t_support = _with_info_tags(rec, t_support, tags.tumor_dp_tag, tags.tumor_af_tag, ctx)
    if n_support is not None or tags.normal_dp_tag or tags.normal_af_tag:
        n_support = _with_info_tags(rec, n_support or Support(), tags.normal_dp_tag, tags.normal_af_tag, ctx)
    return t_support, n_support


_NO_SUPPORT = Support()


@lru_cache(maxsize=4096)
def _chrom(name: str) -> str:
    return normalise_chrom(name)


@lru_cache(maxsize=256)
def _format_keys(keys: tuple[str, ...]) -> frozenset[str]:
    """A record layout's FORMAT keys as a set (few layouts per file, one per record)."""
    return frozenset(keys)


def _bad_ref(plan: _Plan, line: int, ref: str) -> InputRejected:
    return InputRejected(
        ReasonCode.BAD_VCF,
        f"{plan.file} line {line}: REF must be A, C, G, T or N bases, got {ref[:20]!r}; fix the REF column (column 4)",
        file=plan.file,
        line=line,
        field="REF",
    )


def _split_record(
    rec: pysam.VariantRecord, plan: _Plan, line: int, counts: Counter[str], seen: KeptKeys
) -> list[Variant]:
    """The kept variants of one record, one per ALT that passes (each drop counted).

    Lean on purpose (issue 12): every field is fetched from htslib once per record, and only
    once an allele needs it; the annotation entries are read for the first kept ALT only."""
    ref = rec.ref or ""
    if not ref or not REF_BASES.issuperset(ref):
        raise _bad_ref(plan, line, ref)
    alts: tuple[str, ...] = rec.alts or ()
    n_alts = len(alts)
    counts["records"] += 1
    if n_alts > 1:
        counts["multiallelic_records"] += 1
    filters = tuple(rec.filter.keys())  # str already
    passed = not filters or filters == ("PASS",)
    config = plan.config
    dropped_by_filter = config.allelic_support.pass_only and not passed
    chrom = _chrom(rec.chrom)
    pos = rec.pos
    out: list[Variant] = []
    sampled = False
    entries: tuple[str, ...] | None = None
    for i, alt in enumerate(alts):
        counts["alleles"] += 1
        if alt.startswith("<") or "[" in alt or "]" in alt or alt in ("*", ".", ref):  # symbolic
            counts["skipped_symbolic"] += 1
            continue
        key = seen.new(chrom, pos, ref, alt)
        if key is None:
            counts["duplicates"] += 1
            continue
        if dropped_by_filter:
            counts["filtered_by_filter"] += 1
            continue
        if not sampled:  # the sample columns, once per record
            sampled = True
            keys = _format_keys(tuple(rec.format.keys()))
            choice = plan.choice
            tumour = rec.samples[choice.tumor_index] if choice.tumor_index is not None else None
            normal = rec.samples[choice.normal_index] if choice.normal_index is not None else None
            genotype, gt_alleles = _genotype(tumour)
            normal_genotype = _genotype(normal)[0] if normal is not None else None
            called = bool(gt_alleles) and None not in gt_alleles
            gq = tumour.get("GQ") if tumour is not None and "GQ" in keys else None
        # germline: the person must carry the ALT (0/0 and ./. are not their variants);
        # somatic: only an ALT of a multi-allelic record that the tumour's GT leaves out
        if gt_alleles and (i + 1) not in gt_alleles and (plan.mode == "normal" or (called and n_alts > 1)):
            counts["not_in_sample"] += 1
            continue
        ctx = AlleleContext(i, n_alts, ref, alt)
        t_support = sample_support(tumour, keys, ctx) if tumour is not None else _NO_SUPPORT
        n_support = sample_support(normal, keys, ctx) if normal is not None else None
        if plan.mode == "somatic":
            if plan.info_tags:
                t_support, n_support = _with_config_tags(rec, plan, t_support, n_support, ctx)
            failure = _threshold_failure(plan, t_support, n_support)
            if failure:
                counts[failure] += 1
                continue
        if entries is None:
            entries = _entries(rec, plan.annotation_tag) if plan.annotation_tag else ()
        annotation = _annotate(rec, plan, ref, alts, i, entries) if entries else None
        seen.add(key, chrom, pos, ref, alt)
        counts["kept"] += 1
        record_alleles = _record_alleles(ref, alts)
        rs = rec.id
        out.append(make_variant(
            chrom=chrom,
            pos=pos,
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
            dbsnp=(rs if rs and rs.startswith("rs") else None) or (annotation.dbsnp if annotation else None),
            cosmic=annotation.cosmic if annotation else None,
            ref_depth=t_support.ref_depth,
            normal_ref_depth=n_support.ref_depth if n_support else None,
            normal_alt_depth=n_support.alt_depth if n_support else None,
            normal_genotype=normal_genotype,
            alleles=record_alleles,
        ))  # fmt: skip
    return out


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
            compound = _compound_index(path) if facts.annotation == "BCSQ" and transcripts else None
            plan = _Plan(facts, choice, config, mode, path.name, transcripts, compound)
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
    plan: _Plan,
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
            kept = _split_record(rec, plan, line if streamed else 0, counts, seen)
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
    ``transcripts`` (``annotation.pick.transcript_facts`` of the bundle's GFF3) lets the pick
    order see MANE/canonical tags for snpEff and bcftools annotations, which carry none.
    Raises ``InputRejected`` (``bad_vcf``, ``ambiguous_samples``, ``build_mismatch``).
    """
    with open_variants(path, config, mode=mode, regions=regions, transcripts=transcripts) as stream:
        variants = tuple(stream.variants)
        return VcfReadResult(**stream.facts(), variants=variants, counts=stream.counts())
