"""One ALT's consequence from its record's CSQ, ANN or BCSQ entries.

The annotation side of splitting a record: which entries belong to which ALT (VEP's trimmed
allele spellings, bcftools csq's ``@POS`` pointers to a joint haplotype consequence, indexed
once per file by ``compound_index``), handed to the ``report.annotation`` parsers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pysam

from oncodrop.report.annotation.ann import parse_ann
from oncodrop.report.annotation.bcsq import parse_bcsq
from oncodrop.report.annotation.common import Annotation, vep_allele
from oncodrop.report.annotation.csq import parse_csq
from oncodrop.report.vcf.plan import ReadPlan

_LEADING_INT = re.compile(r"\d+")


@lru_cache(maxsize=4096)
def _vep_spellings(ref: str, alts: tuple[str, ...], i: int) -> tuple[str, str]:
    """The spellings ALT ``i`` may have in CSQ ``Allele``: VEP's trimmed form and the ALT."""
    return vep_allele(ref, alts, i), alts[i]


def annotation_entries(rec: pysam.VariantRecord, tag: str) -> tuple[str, ...]:
    """Comma-separated INFO entries; a header saying Number=1 makes pysam return one string."""
    value = rec.info.get(tag)
    if not value:
        return ()
    return tuple(value.split(",")) if isinstance(value, str) else tuple(value)


def annotate(
    rec: pysam.VariantRecord,
    plan: ReadPlan,
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


def compound_index(path: Path) -> dict[tuple[str, int], tuple[str, ...]]:
    """(contig, position) -> the haplotype-aware csq entries that include a change there: csq
    writes a joint consequence once (``dna_change`` ``53592GC>G+53595A>T``) and leaves
    ``@53595`` at the other records, before or after it."""
    index: dict[tuple[str, int], list[str]] = {}
    with pysam.VariantFile(str(path)) as vf:
        if "BCSQ" not in vf.header.info:
            return {}
        for rec in vf:
            for entry in annotation_entries(rec, "BCSQ"):
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
