"""MAF output (GDC MAF 2.4 column layout) with vcf2maf's classification and coordinates.

``Variant_Classification`` is vcf2maf's ``GetVariantClassification``, read from the one
consequence table (``domain.consequences.maf_class``): the chosen transcript's most severe
term decides; a few terms depend on whether the indel is an insertion or a deletion, or in
frame. A variant without annotation is ``not_annotated`` in ``Consequence`` and
``Targeted_Region`` in ``Variant_Classification`` (vcf2maf's class when VEP was skipped), never
``IGR``. Coordinates
follow vcf2maf: the shared leading base of an indel is dropped, deletions span the deleted
bases, insertions are ``Start=anchor, End=anchor+1`` with ``-`` as the reference allele.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.classification import Finding
from oncodrop.domain.consequences import maf_class
from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant

# The 34 GDC MAF columns, then the annotation and read-count columns vcf2maf adds.
MAF_COLUMNS: tuple[str, ...] = (
    "Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position",
    "End_Position", "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele",
    "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "dbSNP_RS", "dbSNP_Val_Status",
    "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "Match_Norm_Seq_Allele1",
    "Match_Norm_Seq_Allele2", "Tumor_Validation_Allele1", "Tumor_Validation_Allele2",
    "Match_Norm_Validation_Allele1", "Match_Norm_Validation_Allele2", "Verification_Status",
    "Validation_Status", "Mutation_Status", "Sequencing_Phase", "Sequence_Source",
    "Validation_Method", "Score", "BAM_File", "Sequencer", "Tumor_Sample_UUID",
    "Matched_Norm_Sample_UUID",
    "HGVSc", "HGVSp", "HGVSp_Short", "Transcript_ID", "Exon_Number", "t_depth", "t_ref_count",
    "t_alt_count", "n_depth", "n_ref_count", "n_alt_count", "all_effects", "Consequence",
    "IMPACT", "BIOTYPE", "gnomAD_AF", "FILTER", "vcf_pos",
)  # fmt: skip
NCBI_BUILD: dict[str, str] = {"grch37": "GRCh37", "grch38": "GRCh38"}


@dataclass(frozen=True, slots=True)
class MafAlleles:
    """A variant in MAF coordinates: 1-based inclusive span, ``-`` for an empty allele."""

    start: int
    end: int
    ref: str
    alt: str
    variant_type: str  # SNP DNP TNP ONP INS DEL


def maf_alleles(variant: Variant) -> MafAlleles:
    """vcf2maf's conversion: drop the shared leading bases of an indel, then place it."""
    ref, alt, start = variant.ref, variant.alt, variant.pos
    if len(ref) == len(alt):
        kind = {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")
        return MafAlleles(start, start + len(ref) - 1, ref, alt, kind)
    while ref and alt and ref[0] == alt[0]:
        ref, alt, start = ref[1:], alt[1:], start + 1
    ref, alt = ref or "-", alt or "-"
    if ref == "-":  # simple insertion: between the anchor and the next base
        return MafAlleles(start - 1, start, ref, alt, "INS")
    kind = "DEL" if alt == "-" or len(ref) > len(alt) else "INS"
    return MafAlleles(start, start + len(ref) - 1, ref, alt, kind)


def variant_classification(consequence: str | None, variant: Variant) -> str:
    """MAF ``Variant_Classification`` for a variant whose most severe SO term is given
    (None or ``not_annotated``: no annotation)."""
    alleles = maf_alleles(variant)
    ref_len = 0 if alleles.ref == "-" else len(alleles.ref)
    alt_len = 0 if alleles.alt == "-" else len(alleles.alt)
    return maf_class(consequence, alleles.variant_type, abs(ref_len - alt_len) % 3 == 0)


def _num(value: float | None) -> str:
    return "" if value is None else str(value)


def maf_row(
    variant: Variant, sample_id: str, build: Build | None, normal_id: str | None = None
) -> dict[str, str]:
    """One MAF line as column -> text (the writer's unit; also handy for tests)."""
    c = variant.consequence
    term = variant.consequence_term
    alleles = maf_alleles(variant)
    homozygous = variant.genotype in ("1/1", "1|1")
    t_alt = variant.alt_depth
    if t_alt is None and variant.depth and variant.vaf is not None:
        t_alt = round(variant.depth * variant.vaf)
    n_alt = None
    if variant.normal_depth is not None and variant.normal_vaf is not None:
        n_alt = round(variant.normal_depth * variant.normal_vaf)
    row = dict.fromkeys(MAF_COLUMNS, "")
    row.update(
        Hugo_Symbol=(c.gene if c and c.gene else "Unknown"),
        Entrez_Gene_Id="0",
        Center=".",
        NCBI_Build=NCBI_BUILD.get(build or "", ""),
        Chromosome=variant.chrom,
        Start_Position=str(alleles.start),
        End_Position=str(alleles.end),
        Strand="+",
        Variant_Classification=variant_classification(term, variant),
        Variant_Type=alleles.variant_type,
        Reference_Allele=alleles.ref,
        Tumor_Seq_Allele1=alleles.alt if homozygous else alleles.ref,
        Tumor_Seq_Allele2=alleles.alt,
        dbSNP_RS=variant.dbsnp or "",
        Tumor_Sample_Barcode=sample_id,
        Matched_Norm_Sample_Barcode=normal_id or "",
        Match_Norm_Seq_Allele1=alleles.ref if normal_id else "",
        Match_Norm_Seq_Allele2=alleles.ref if normal_id else "",
        Mutation_Status="Somatic",
        HGVSc=(c.hgvsc or "") if c else "",
        HGVSp=(c.hgvsp_long or "") if c else "",
        HGVSp_Short=(c.hgvsp or "") if c else "",
        Transcript_ID=(c.transcript or "") if c else "",
        Exon_Number=f"{c.exon}/{c.exon_count}" if c and c.exon and c.exon_count else "",
        t_depth=_num(variant.depth),
        t_ref_count=_num(
            variant.depth - t_alt if variant.depth is not None and t_alt is not None else None
        ),
        t_alt_count=_num(t_alt),
        n_depth=_num(variant.normal_depth),
        n_ref_count=_num(
            variant.normal_depth - n_alt
            if n_alt is not None and variant.normal_depth is not None
            else None
        ),
        n_alt_count=_num(n_alt),
        all_effects=",".join(c.terms) if c else "",
        Consequence=term,
        IMPACT=c.impact if c else "MODIFIER",
        BIOTYPE=(c.biotype or "") if c else "",
        gnomAD_AF=_num(variant.population_af),
        FILTER="PASS" if variant.filter_pass else ";".join(variant.filters),
        vcf_pos=str(variant.pos),
    )
    return row


def write_maf(
    findings_or_variants: Sequence[Finding | Variant],
    path: Path,
    sample_id: str,
    build: Build | None,
    *,
    normal_id: str | None = None,
) -> Path:
    """Write a tab-separated MAF (``#version 2.4`` line, header, one row per variant).

    ``normal_id`` names the matched normal (its alleles are written as the reference, as
    vcf2maf does for somatic calls).
    """
    path = Path(path)
    with path.open("w", newline="") as handle:
        handle.write("#version 2.4\n")
        writer = csv.DictWriter(handle, fieldnames=MAF_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for item in findings_or_variants:
            variant = item.variant if isinstance(item, Finding) else item
            writer.writerow(maf_row(variant, sample_id, build, normal_id))
    return path
