"""One VCF record into its kept ``Variant`` objects, one per ALT (``split_record``).

The per-record hot loop of reading, apart from the file-level stream in ``reader``: the REF
check, symbolic/duplicate/FILTER/genotype drops (each counted), allelic support, thresholds,
annotation and the ``Variant`` itself. Lean on purpose (issue 12): the helpers it calls are
module-level names, and shared strings/tuples come from small caches.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from sys import intern
from typing import Any

import pysam

from oncodrop.domain.genome import normalise_chrom
from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.annotation.makers import make_variant
from oncodrop.report.vcf.allelic import AlleleContext, Support, sample_support
from oncodrop.report.vcf.annotate import annotate, annotation_entries
from oncodrop.report.vcf.duplicates import KeptKeys
from oncodrop.report.vcf.htslib import REF_BASES
from oncodrop.report.vcf.plan import ReadPlan
from oncodrop.report.vcf.thresholds import threshold_failure, with_config_tags


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


_NO_SUPPORT = Support()
_context = lru_cache(maxsize=4096)(AlleleContext)  # one per allele spelling: SNVs share a dozen


@lru_cache(maxsize=4096)
def _chrom(name: str) -> str:
    return normalise_chrom(name)


@lru_cache(maxsize=256)
def _format_keys(keys: tuple[str, ...]) -> frozenset[str]:
    """A record layout's FORMAT keys as a set (few layouts per file, one per record)."""
    return frozenset(keys)


def _bad_ref(plan: ReadPlan, line: int, ref: str) -> InputRejected:
    return InputRejected(
        ReasonCode.BAD_VCF,
        f"{plan.file} line {line}: REF must be A, C, G, T or N bases, got {ref[:20]!r}; fix the REF column (column 4)",
        file=plan.file,
        line=line,
        field="REF",
    )


def split_record(
    rec: pysam.VariantRecord, plan: ReadPlan, line: int, counts: Counter[str], seen: KeptKeys
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
    if n_alts:  # every ALT lands in one bucket (or the record is rejected)
        counts["alleles"] += n_alts
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
        ctx = _context(i, n_alts, ref, alt)
        t_support = sample_support(tumour, keys, ctx, plan.tumour_memo) if tumour is not None else _NO_SUPPORT
        n_support = sample_support(normal, keys, ctx, plan.normal_memo) if normal is not None else None
        if plan.mode == "somatic":
            if plan.info_tags:
                t_support, n_support = with_config_tags(rec, plan, t_support, n_support, ctx)
            failure = threshold_failure(plan, t_support, n_support)
            if failure:
                counts[failure] += 1
                continue
        if entries is None:
            entries = annotation_entries(rec, plan.annotation_tag) if plan.annotation_tag else ()
        annotation = annotate(rec, plan, ref, alts, i, entries) if entries else None
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
