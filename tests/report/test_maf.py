"""MAF: vcf2maf classification table, indel coordinates, and the written file."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from oncodrop.domain.classification import Finding, Tier
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.maf import (
    MAF_COLUMNS,
    maf_alleles,
    maf_cells,
    maf_line_renderer,
    variant_classification,
    write_maf,
)
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig


def _v(ref: str, alt: str, pos: int = 100) -> Variant:
    return Variant(chrom="7", pos=pos, ref=ref, alt=alt)


@pytest.mark.parametrize(
    ("term", "ref", "alt", "label"),
    [
        ("missense_variant", "A", "T", "Missense_Mutation"),
        ("stop_gained", "C", "T", "Nonsense_Mutation"),
        ("frameshift_variant", "GA", "G", "Frame_Shift_Del"),
        ("frameshift_variant", "G", "GA", "Frame_Shift_Ins"),
        ("inframe_deletion", "GAAA", "G", "In_Frame_Del"),
        ("inframe_insertion", "G", "GAAA", "In_Frame_Ins"),
        ("protein_altering_variant", "G", "GAAA", "In_Frame_Ins"),
        ("protein_altering_variant", "GAA", "G", "Frame_Shift_Del"),
        ("splice_acceptor_variant", "A", "G", "Splice_Site"),
        ("splice_donor_variant", "A", "G", "Splice_Site"),
        ("start_lost", "A", "G", "Translation_Start_Site"),
        ("stop_lost", "A", "G", "Nonstop_Mutation"),
        ("synonymous_variant", "A", "G", "Silent"),
        ("5_prime_UTR_variant", "A", "G", "5'UTR"),
        ("3_prime_UTR_variant", "A", "G", "3'UTR"),
        ("intron_variant", "A", "G", "Intron"),
        ("intergenic_variant", "A", "G", "IGR"),
        ("non_coding_transcript_exon_variant", "A", "G", "RNA"),
        ("upstream_gene_variant", "A", "G", "5'Flank"),
        ("downstream_gene_variant", "A", "G", "3'Flank"),
        ("splice_region_variant", "A", "G", "Splice_Region"),
        ("feature_elongation", "A", "G", "Targeted_Region"),
        (None, "A", "G", "Targeted_Region"),  # no annotation: vcf2maf's class when VEP was skipped
        ("not_annotated", "A", "G", "Targeted_Region"),
        ("initiator_codon_variant", "A", "G", "Translation_Start_Site"),
    ],
)
def test_variant_classification_follows_vcf2maf(term: str | None, ref: str, alt: str, label: str) -> None:
    assert variant_classification(term, _v(ref, alt)) == label


def test_indel_coordinates_follow_vcf2maf() -> None:
    deletion = maf_alleles(_v("GA", "G", 1000))
    assert (deletion.start, deletion.end, deletion.ref, deletion.alt, deletion.variant_type) == (
        1001,
        1001,
        "A",
        "-",
        "DEL",
    )
    insertion = maf_alleles(_v("G", "GCT", 1000))
    assert (
        insertion.start,
        insertion.end,
        insertion.ref,
        insertion.alt,
        insertion.variant_type,
    ) == (1000, 1001, "-", "CT", "INS")
    snp, dnp, onp = (
        maf_alleles(_v("C", "T")),
        maf_alleles(_v("TG", "CA")),
        maf_alleles(_v("ACGT", "TGCA")),
    )
    assert (snp.variant_type, dnp.variant_type, dnp.end, onp.variant_type) == (
        "SNP",
        "DNP",
        101,
        "ONP",
    )
    delins = maf_alleles(_v("ACGT", "AT", 50))
    assert (delins.start, delins.end, delins.ref, delins.alt, delins.variant_type) == (
        51,
        53,
        "CGT",
        "T",
        "DEL",
    )


def test_maf_of_the_vep105_sample_has_tp53_and_brca2_rows(testdata: Path, tmp_path: Path) -> None:
    result = read_variants(
        testdata / "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz",
        SampleConfig(),
    )
    out = write_maf(result.variants, tmp_path / "s.maf", sample_id="HCC1395", build=result.build)
    lines = out.read_text().splitlines()
    assert lines[0] == "#version 2.4"
    rows = list(csv.DictReader(lines[1:], delimiter="\t"))
    assert len(rows) == 1264
    assert tuple(rows[0]) == MAF_COLUMNS
    tp53 = next(r for r in rows if r["Hugo_Symbol"] == "TP53" and r["HGVSp_Short"] == "p.R175H")
    assert tp53["Variant_Classification"] == "Missense_Mutation"
    assert (tp53["Chromosome"], tp53["Start_Position"], tp53["End_Position"]) == (
        "17",
        "7675088",
        "7675088",
    )
    assert tp53["NCBI_Build"] == "GRCh38" and tp53["Tumor_Sample_Barcode"] == "HCC1395"
    # vcf2maf: t_ref_count/t_alt_count are the record's AD, t_depth its FORMAT DP
    tp53_variant = next(v for v in result.variants if v.key == "17:7675088:C>T")
    assert (tp53["t_ref_count"], tp53["t_alt_count"]) == (
        str(tp53_variant.ref_depth),
        str(tp53_variant.alt_depth),
    )
    assert int(tp53["t_alt_count"]) + int(tp53["t_ref_count"]) <= int(tp53["t_depth"])
    brca2 = next(r for r in rows if r["Hugo_Symbol"] == "BRCA2" and r["Variant_Classification"] == "Nonsense_Mutation")
    assert brca2["HGVSp_Short"] == "p.E1593*"
    frameshifts = [r for r in rows if r["Variant_Classification"].startswith("Frame_Shift")]
    assert frameshifts and all((r["Reference_Allele"] == "-") == (r["Variant_Type"] == "INS") for r in frameshifts)


def test_findings_and_unannotated_variants_are_written(tmp_path: Path) -> None:
    braf = Variant(
        chrom="7",
        pos=140753336,
        ref="A",
        alt="T",
        depth=100,
        alt_depth=40,
        ref_depth=58,  # AD 58,40 with DP 100: the REF count is AD[0], not depth - alt
        consequence=Consequence(gene="BRAF", terms=("missense_variant",), hgvsp="p.V600E"),
    )
    finding = Finding(variant=braf, tier=Tier.I, tier_reason="test")
    bare = Variant(chrom="1", pos=10, ref="C", alt="CA")
    out = write_maf([finding, bare], tmp_path / "f.maf", sample_id="S1", build="grch38")
    rows = list(csv.DictReader(out.read_text().splitlines()[1:], delimiter="\t"))
    assert [r["Hugo_Symbol"] for r in rows] == ["BRAF", "Unknown"]
    assert rows[0]["t_ref_count"] == "58" and rows[0]["Tumor_Seq_Allele2"] == "T"
    assert rows[1]["Variant_Classification"] == "Targeted_Region" and rows[1]["Reference_Allele"] == "-"
    assert rows[1]["Consequence"] == "not_annotated" and rows[1]["all_effects"] == ""


def test_matched_normal_is_named_with_reference_alleles(tmp_path: Path) -> None:
    variant = Variant(chrom="12", pos=25245350, ref="C", alt="A", depth=80, vaf=0.25)
    out = write_maf([variant], tmp_path / "n.maf", "T1", "grch38", normal_id="N1")
    (row,) = csv.DictReader(out.read_text().splitlines()[1:], delimiter="\t")
    assert (row["Matched_Norm_Sample_Barcode"], row["Match_Norm_Seq_Allele1"]) == ("N1", "C")
    # vcf2maf leaves counts the caller did not give empty: never depth - alt or depth x VAF
    assert (row["t_alt_count"], row["t_ref_count"], row["t_depth"]) == ("", "", "80")


def test_rendered_lines_are_what_csv_writes_with_or_without_characters_to_quote() -> None:
    """The renderer joins plain cells itself and leaves the rest to csv.writer: both must give
    the lines ``write_maf_rows`` writes."""
    plain = Variant("7", 140453136, "A", "T", consequence=Consequence("BRAF", ("missense_variant",), hgvsp="p.V600E"),
                    genotype="0/1", alleles=("A", "T"), depth=40, alt_depth=12)  # fmt: skip
    quoted = replace(plain, dbsnp='rs1"2', filters=("low\tqual",), filter_pass=False)
    broken = replace(plain, consequence=Consequence("BRAF", ("missense_variant",), hgvsc="c.1\n2"))
    render = maf_line_renderer("TUMOR", "grch37", "NORMAL")
    for v in (plain, quoted, broken):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter="\t", lineterminator="\n").writerow(maf_cells(v, "TUMOR", "GRCh37", "NORMAL"))
        assert render(v) == (buffer.getvalue(), maf_alleles(v).start)
    assert '"' in render(quoted)[0] and '"' not in render(plain)[0]
