"""Synthetic VCFs for demos, benchmarks and tests: valid, bgzipped, tabix-indexed, VEP-style.

``write_synthetic_vcf`` turns ``Variant`` objects into the VCF a Mutect2 + VEP run would give:
``##contig`` lines with the build's real lengths (so the build is detected), ``##tumor_sample``
/ ``##normal_sample`` headers for a pair, FORMAT ``GT:AD:DP:AF`` per sample and, with
``annotate="csq"``, an ``INFO/CSQ`` block (``PICK=1``) built from ``Variant.consequence``.
Reading it back with ``read_variants`` gives the same positions, alleles, support and
consequences (plus line numbers and genotypes).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pysam

from oncodrop.domain.genome import CHROMOSOME_LENGTHS, CHROMOSOME_ORDER, Build, normalise_chrom
from oncodrop.domain.variant import Variant
from oncodrop.report.annotation import hgvs
from oncodrop.report.annotation.common import vep_allele

CSQ_FIELDS: tuple[str, ...] = (
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE",
    "EXON", "INTRON", "HGVSc", "HGVSp", "cDNA_position", "CDS_position", "Protein_position",
    "Amino_acids", "Codons", "Existing_variation", "DISTANCE", "STRAND", "FLAGS", "PICK",
    "VARIANT_CLASS", "CANONICAL", "MANE_SELECT", "gnomADe_AF",
)  # fmt: skip
_ESCAPE = str.maketrans({"=": "%3D", ";": "%3B", ",": "%2C", "|": "%7C", " ": "_"})
_CSQ_INDEX = {name: i for i, name in enumerate(CSQ_FIELDS)}


def _csq(variant: Variant) -> str | None:
    c = variant.consequence
    if c is None:
        return None
    values = [""] * len(CSQ_FIELDS)

    def put(name: str, value: object) -> None:
        if value is not None and value != "":
            values[_CSQ_INDEX[name]] = str(value).translate(_ESCAPE)

    put("Allele", vep_allele(variant.ref, (variant.alt,), 0))
    put("Consequence", "&".join(c.terms))  # none stays empty: read back as not_annotated
    put("IMPACT", c.impact)
    put("SYMBOL", c.gene)
    put("Feature_type", "Transcript" if c.transcript else "")
    put("Feature", c.transcript)
    put("BIOTYPE", c.biotype)
    if c.exon is not None:
        put("EXON", f"{c.exon}/{c.exon_count}" if c.exon_count else str(c.exon))
    if c.hgvsc and c.transcript:
        put("HGVSc", f"{c.transcript}:{c.hgvsc}")
    long_form = c.hgvsp_long or hgvs.to_long(c.hgvsp)
    if long_form:
        protein = c.transcript.replace("ENST", "ENSP") if c.transcript else "ENSP"
        put("HGVSp", f"{protein}:{long_form}")
    put("Protein_position", c.protein_position)
    ids = [i for i in (variant.dbsnp, variant.cosmic) if i]
    put("Existing_variation", "&".join(ids))
    put("PICK", "1")
    put("CANONICAL", "YES" if c.canonical else "")
    put("gnomADe_AF", variant.population_af)
    return "|".join(values)


def _fmt(value: float | None) -> str:
    if value is None:
        return "."
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _sample(depth: int | None, alt: int | None, vaf: float | None, gt: str) -> str:
    if alt is None and depth is not None and vaf is not None:
        alt = round(depth * vaf)
    if vaf is None and alt is not None and depth:
        vaf = alt / depth
    ref = depth - alt if depth is not None and alt is not None else None
    ad = f"{_fmt(ref)},{_fmt(alt)}"
    return f"{gt}:{ad}:{_fmt(depth)}:{_fmt(vaf)}"


def _header(samples: Sequence[str], build: Build, annotate: bool, filters: set[str]) -> str:
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [f'##FILTER=<ID={f},Description="synthetic filter">' for f in sorted(filters)]
    lines += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">',
    ]
    if annotate:
        lines.append(
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
            f'Ensembl VEP (synthetic). Format: {"|".join(CSQ_FIELDS)}">'
        )
    lines.append("##source=oncodrop.demo.synth")
    assembly = "GRCh37" if build == "grch37" else "GRCh38"
    lines += [
        f"##contig=<ID={chrom},length={length},assembly={assembly}>"
        for chrom, length in CHROMOSOME_LENGTHS[build].items()
    ]
    if len(samples) > 1:  # one column needs no label: it is the tumour, or the person
        lines.append(f"##tumor_sample={samples[0]}")
        lines.append(f"##normal_sample={samples[1]}")
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if samples:
        columns += ["FORMAT", *samples]
    lines.append("\t".join(columns))
    return "\n".join(lines) + "\n"


def write_synthetic_vcf(
    path: Path,
    variants: Sequence[Variant],
    *,
    annotate: Literal["csq"] | None = "csq",
    samples: Sequence[str] = ("TUMOR", "NORMAL"),
    build: Build = "grch38",
) -> Path:
    """Write ``variants`` (any order) as a sorted bgzipped VCF at ``path`` plus ``.tbi``.

    ``samples[0]`` is the tumour (its FORMAT from ``depth``/``alt_depth``/``vaf``), the
    optional ``samples[1]`` the matched normal (``normal_depth``/``normal_vaf``, GT 0/0).
    """
    path = Path(path)
    order = {chrom: i for i, chrom in enumerate(CHROMOSOME_ORDER)}
    known = CHROMOSOME_LENGTHS[build]
    for v in variants:
        if normalise_chrom(v.chrom) not in known:
            raise ValueError(f"synthetic VCF: contig {v.chrom!r} is not a {build} chromosome")
    ordered = sorted(variants, key=lambda v: (order[normalise_chrom(v.chrom)], v.pos, v.ref, v.alt))
    filters = {f for v in ordered if not v.filter_pass for f in (v.filters or ("LowQual",))}
    out = [_header(samples, build, annotate == "csq", filters - {"PASS"})]
    for v in ordered:
        filt = "PASS" if v.filter_pass else ";".join(v.filters or ("LowQual",))
        info = "."
        if annotate == "csq":
            csq = _csq(v)
            info = f"CSQ={csq}" if csq else "."
        cols = [normalise_chrom(v.chrom), str(v.pos), v.dbsnp or ".", v.ref, v.alt, ".", filt, info]
        if samples:
            cols.append("GT:AD:DP:AF")
            cols.append(_sample(v.depth, v.alt_depth, v.vaf, v.genotype or "0/1"))
            if len(samples) > 1:
                cols.append(_sample(v.normal_depth, None, v.normal_vaf, "0/0"))
        out.append("\t".join(cols) + "\n")
    with pysam.BGZFile(str(path), "wb", index=None) as handle:
        handle.write("".join(out).encode())
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path
