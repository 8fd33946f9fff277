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
import functools
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from oncodrop.domain.classification import Finding
from oncodrop.domain.consequences import maf_class
from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Consequence, Variant

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
_SUBSTITUTION_TYPES = {1: "SNP", 2: "DNP", 3: "TNP"}  # by length; longer: ONP


class MafAlleles(NamedTuple):
    """A variant in MAF coordinates: 1-based inclusive span, ``-`` for an empty allele.
    (A named tuple: one is made per variant and output, ~3x faster than a frozen dataclass.)"""

    start: int
    end: int
    ref: str
    alt: str
    variant_type: str  # SNP DNP TNP ONP INS DEL


def maf_alleles(variant: Variant) -> MafAlleles:
    """vcf2maf's conversion: drop the shared leading bases of an indel, then place it."""
    ref, alt, start = variant.ref, variant.alt, variant.pos
    if len(ref) == len(alt):
        return MafAlleles(start, start + len(ref) - 1, ref, alt, _SUBSTITUTION_TYPES.get(len(ref), "ONP"))
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


@functools.lru_cache(maxsize=256)  # a sample has a handful of distinct GTs
def _gt_indexes(genotype: str | None) -> tuple[int, int] | None:
    """The first two allele indexes of a GT (``1/2`` -> (1, 2); haploid ``1`` -> (1, 1));
    None when missing (``./.``) or partly missing."""
    if not genotype:
        return None
    parts = genotype.replace("|", "/").split("/")
    if any(not p.isdigit() for p in parts):
        return None
    first = int(parts[0])
    return first, int(parts[1]) if len(parts) > 1 else first


def _maf_allele(variant: Variant, alleles: MafAlleles, allele: str) -> str:
    """Another allele of the record in the variant's MAF spelling: an indel's leading
    bases are dropped as many as the variant's own (vcf2maf trims every allele alike)."""
    if len(variant.ref) == len(variant.alt):
        return allele
    trimmed = len(variant.ref) - (0 if alleles.ref == "-" else len(alleles.ref))
    return allele[trimmed:] or "-"


def genotype_alleles(
    variant: Variant, alleles: MafAlleles, genotype: str | None, *, tumour: bool
) -> tuple[str, str] | None:
    """vcf2maf's allele columns from GT. Tumour: ``Allele2`` is the variant's ALT and
    ``Allele1`` the first GT allele that is not it (REF for ``0/1``, ALT for ``1/1``, the other
    ALT for ``1/2``). Normal: the first two GT alleles as they are. None without a usable GT."""
    indexes = _gt_indexes(genotype)
    record = variant.alleles
    if indexes is None or not record or max(indexes) >= len(record):
        return None
    if len(variant.ref) == len(variant.alt):  # nothing trimmed (``_maf_allele``)
        first, second = record[indexes[0]], record[indexes[1]]
    else:
        first, second = (
            _maf_allele(variant, alleles, record[indexes[0]]),
            _maf_allele(variant, alleles, record[indexes[1]]),
        )
    if not tumour:
        return first, second
    return (first if first != alleles.alt else second), alleles.alt


def maf_row(
    variant: Variant,
    sample_id: str,
    build: Build | None,
    normal_id: str | None = None,
) -> dict[str, str]:
    """One MAF line as column -> text (handy for tests; the writer uses ``maf_cells``).

    Read counts follow vcf2maf: ``t_depth`` is the caller's depth (FORMAT DP, see
    docs/callers.md), ``t_ref_count``/``t_alt_count`` the record's own REF and ALT counts (AD
    or the caller's twin), empty where the caller does not give them, never depth - alt.
    """
    return dict(zip(MAF_COLUMNS, maf_cells(variant, sample_id, NCBI_BUILD.get(build or "", ""), normal_id),
                    strict=True))  # fmt: skip


def maf_cells(variant: Variant, sample_id: str, ncbi_build: str, normal_id: str | None = None) -> list[str]:
    """One MAF line's cells in ``MAF_COLUMNS`` order (``ncbi_build``: ``GRCh37``/``GRCh38``)."""
    return _cells(variant, maf_alleles(variant), sample_id, ncbi_build, normal_id)


def _cells(variant: Variant, alleles: MafAlleles, sample_id: str, ncbi_build: str, normal_id: str | None) -> list[str]:
    term = variant.consequence_term
    tumour, normal, classification = _called(variant, alleles, term, normal_id)
    gene, hgvsc, hgvsp_long, hgvsp, transcript, exon, terms, impact, biotype = _consequence_cells(variant.consequence)
    return [
        gene, "0", ".", ncbi_build, variant.chrom,
        str(alleles.start), str(alleles.end), "+", classification, alleles.variant_type,
        alleles.ref, tumour[0], tumour[1], variant.dbsnp or "", "", sample_id, normal_id or "",
        normal[0] if normal else "", normal[1] if normal else "", "", "", "", "", "", "",
        "Somatic", "", "", "", "", "", "", "", "",
        hgvsc, hgvsp_long, hgvsp, transcript, exon,
        _num(variant.depth), _num(variant.ref_depth), _num(variant.alt_depth),
        _num(variant.normal_depth), _num(variant.normal_ref_depth), _num(variant.normal_alt_depth),
        terms, term, impact, biotype, _num(variant.population_af),
        "PASS" if variant.filter_pass else ";".join(variant.filters), str(variant.pos),
    ]  # fmt: skip


def _called(
    variant: Variant, alleles: MafAlleles, term: str, normal_id: str | None
) -> tuple[tuple[str, str], tuple[str, str] | None, str]:
    """The tumour's and the normal's alleles (None without a normal) and ``Variant_Classification``
    (``term``: the variant's ``consequence_term``)."""
    tumour = genotype_alleles(variant, alleles, variant.genotype, tumour=True)
    tumour = tumour or (alleles.ref, alleles.alt)  # no GT: REF/ALT heterozygous (vcf2maf)
    normal: tuple[str, str] | None = None
    if normal_id:  # no GT in the normal: REF/REF (vcf2maf)
        normal = genotype_alleles(variant, alleles, variant.normal_genotype, tumour=False)
        normal = normal or (alleles.ref, alleles.ref)
    ref_len = 0 if alleles.ref == "-" else len(alleles.ref)
    alt_len = 0 if alleles.alt == "-" else len(alleles.alt)
    return tumour, normal, _maf_class(term, alleles.variant_type, abs(ref_len - alt_len) % 3 == 0)


def _consequence_cells(c: Consequence | None) -> tuple[str, str, str, str, str, str, str, str, str]:
    """``Hugo_Symbol``, ``HGVSc``, ``HGVSp``, ``HGVSp_Short``, ``Transcript_ID``, ``Exon_Number``,
    ``all_effects`` (the terms), ``IMPACT``, ``BIOTYPE``; without annotation ``Unknown`` and
    ``MODIFIER`` (vcf2maf), the rest empty."""
    if c is None:
        return _UNANNOTATED
    exon = f"{c.exon}/{c.exon_count}" if c.exon and c.exon_count else ""
    return (c.gene or "Unknown", c.hgvsc or "", c.hgvsp_long or "", c.hgvsp or "", c.transcript or "", exon,
            ",".join(c.terms), c.impact, c.biotype or "")  # fmt: skip


_UNANNOTATED = ("Unknown", "", "", "", "", "", "", "MODIFIER", "")
_maf_class = functools.lru_cache(maxsize=1024)(maf_class)  # few distinct (term, type, frame) in a sample


def barcodes(sample_id: str, tumour_column: str | None, normal_column: str | None) -> tuple[str, str | None]:
    """(``Tumor_Sample_Barcode``, ``Matched_Norm_Sample_Barcode``): vcf2maf writes the IDs of
    the VCF's genotype columns (``--vcf-tumor-id``/``--vcf-normal-id``); a VCF without a
    tumour column (sites only) gets the oncodrop sample id, one without a normal none."""
    return tumour_column or sample_id, normal_column


def write_maf(
    findings_or_variants: Sequence[Finding | Variant],
    path: Path,
    sample_id: str,
    build: Build | None,
    *,
    normal_id: str | None = None,
) -> Path:
    """Write a tab-separated MAF (``#version 2.4`` line, header, one row per variant).

    ``sample_id`` is ``Tumor_Sample_Barcode`` and ``normal_id`` ``Matched_Norm_Sample_Barcode``
    (the VCF's tumour and normal column names, see ``barcodes``); the normal's alleles come
    from its GT, REF/REF without one (vcf2maf).
    """
    path = Path(path)
    with path.open("w", newline="") as handle:
        write_maf_rows(findings_or_variants, handle, sample_id, build, normal_id=normal_id)
    return path


def write_maf_rows(
    findings_or_variants: Sequence[Finding | Variant],
    handle: TextIO,
    sample_id: str,
    build: Build | None,
    *,
    normal_id: str | None = None,
) -> None:
    """``write_maf``'s text into an open handle (plain or bgzip'd file)."""
    write_maf_header(handle)
    writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
    ncbi = NCBI_BUILD.get(build or "", "")
    writer.writerows(
        maf_cells(item.variant if isinstance(item, Finding) else item, sample_id, ncbi, normal_id)
        for item in findings_or_variants
    )


def write_maf_header(handle: TextIO) -> None:
    """The ``#version`` line and the column names."""
    handle.write("#version 2.4\n")
    csv.writer(handle, delimiter="\t", lineterminator="\n").writerow(MAF_COLUMNS)


def maf_line_renderer(
    sample_id: str, build: Build | None, normal_id: str | None = None
) -> Callable[[Variant], tuple[str, int]]:
    """A function giving one variant's MAF text exactly as ``write_maf_rows`` writes it (csv
    quoting included) and its ``Start_Position``, for a report that renders its rows as it
    classifies. Cells without a tab, quote or line break are written by csv.writer as they
    are, tab-joined: such a line is joined directly (half the cost of ``writerow``)."""
    buffer = io.StringIO()
    writerow = csv.writer(buffer, delimiter="\t", lineterminator="\n").writerow
    ncbi = NCBI_BUILD.get(build or "", "")
    tabs = len(MAF_COLUMNS) - 1
    after_build = f"\t0\t.\t{ncbi}\t"  # Entrez_Gene_Id to NCBI_Build
    after_dbsnp = f"\t\t{sample_id}\t{normal_id or ''}\t"  # dbSNP_Val_Status to the normal's barcode
    validation = "\t" * 7 + "Somatic" + "\t" * 9  # Tumor_Validation_Allele1 to Matched_Norm_Sample_UUID

    def render(variant: Variant) -> tuple[str, int]:
        alleles, term = maf_alleles(variant), variant.consequence_term
        tumour, normal, classification = _called(variant, alleles, term, normal_id)
        gene, hgvsc, hgvsp_long, hgvsp, transcript, exon, terms, impact, biotype = _consequence_cells(
            variant.consequence
        )
        n1, n2 = normal or ("", "")
        v = variant
        depth, ref_depth, alt_depth, af = v.depth, v.ref_depth, v.alt_depth, v.population_af
        n_depth, n_ref, n_alt = v.normal_depth, v.normal_ref_depth, v.normal_alt_depth
        line = (  # ``_cells`` tab-joined, written as one text (a test holds them equal); a number
            # formats as ``_num`` writes it, ``str`` (what an f-string gives ints and floats)
            f"{gene}{after_build}{v.chrom}\t{alleles.start}\t{alleles.end}\t+\t{classification}\t"
            f"{alleles.variant_type}\t{alleles.ref}\t{tumour[0]}\t{tumour[1]}\t{v.dbsnp or ''}{after_dbsnp}{n1}\t"
            f"{n2}{validation}{hgvsc}\t{hgvsp_long}\t{hgvsp}\t{transcript}\t{exon}\t{'' if depth is None else depth}\t"
            f"{'' if ref_depth is None else ref_depth}\t{'' if alt_depth is None else alt_depth}\t"
            f"{'' if n_depth is None else n_depth}\t{'' if n_ref is None else n_ref}\t{'' if n_alt is None else n_alt}"
            f"\t{terms}\t{term}\t{impact}\t{biotype}\t{'' if af is None else af}\t"
            f"{'PASS' if v.filter_pass else ';'.join(v.filters)}\t{v.pos}"
        )
        if '"' in line or "\n" in line or "\r" in line or line.count("\t") != tabs:
            buffer.seek(0)
            buffer.truncate()
            writerow(_cells(variant, alleles, sample_id, ncbi, normal_id))
            return buffer.getvalue(), alleles.start
        return line + "\n", alleles.start

    return render
