"""bcftools csq (via pysam) on the real gene slices: the biology each slice was built to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.domain.variant import Consequence
from oncodrop.errors import InputRejected
from oncodrop.report.annotation.bcftools_csq import (
    annotate_with_bcftools_csq,
    annotated_vcf,
)
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))


def _annotate(
    testdata: Path, tmp_path: Path, folder: str, vcf: str
) -> dict[str, Consequence | None]:
    slice_dir = testdata / "bcftools-csq" / folder
    enst = folder.split("_", 1)[1]
    out = annotate_with_bcftools_csq(
        slice_dir / vcf, slice_dir / f"{enst}.gff", slice_dir / f"{enst}.fa", out_dir=tmp_path
    )
    result = read_variants(out, ALL, mode="normal")
    assert result.annotation == "BCSQ"
    return {v.key: v.consequence for v in result.variants}


def test_tlr8_start_codon_snv_is_start_lost(testdata: Path, tmp_path: Path) -> None:
    c = _annotate(testdata, tmp_path, "TLR8_ENST00000218032", "start-lost.vcf")["X:108:A>G"]
    assert c is not None
    assert (c.gene, c.primary_term, c.hgvsp, c.impact) == ("TLR8", "start_lost", "p.M1V", "HIGH")


def test_tlr8_unsorted_deletion_over_the_start_is_sorted_and_start_lost(
    testdata: Path, tmp_path: Path
) -> None:
    calls = _annotate(testdata, tmp_path, "TLR8_ENST00000218032", "start-lost-del.vcf")
    deletion = calls["X:107:CATG>C"]
    assert deletion is not None and deletion.primary_term == "start_lost"


def test_cd207_insertion_is_frameshift(testdata: Path, tmp_path: Path) -> None:
    c = _annotate(testdata, tmp_path, "CD207_ENST00000410009", "frameshift.vcf")["2:5507:G>GC"]
    assert c is not None and (c.gene, c.primary_term) == ("CD207", "frameshift_variant")


def test_xpc_deletion_is_stop_gained(testdata: Path, tmp_path: Path) -> None:
    calls = _annotate(testdata, tmp_path, "XPC_ENST00000285021", "stop-gained-inframe-indel.vcf")
    c = calls["3:13461:CTCTTTA>C"]
    assert c is not None
    assert c.terms == ("stop_gained", "inframe_deletion")
    assert (c.hgvsp, c.protein_position) == ("p.Y430*", 430)


def test_cntrob_missense_on_an_nmd_transcript(testdata: Path, tmp_path: Path) -> None:
    c = _annotate(testdata, tmp_path, "CNTROB_ENST00000571540", "nmd.vcf")["17:3188:C>T"]
    assert c is not None
    assert c.terms == ("missense_variant", "NMD_transcript_variant") and c.hgvsp == "p.P201L"


def test_smad5_insertion_in_a_two_base_intron_hits_the_splice_donor(
    testdata: Path, tmp_path: Path
) -> None:
    c = _annotate(testdata, tmp_path, "SMAD5_ENST00000545279", "splice-region-insert.vcf")[
        "5:44572:T>TC"
    ]
    assert c is not None and c.primary_term == "splice_donor_variant"


def test_samd11_splice_edge_cases(testdata: Path, tmp_path: Path) -> None:
    calls = _annotate(testdata, tmp_path, "SAMD11_ENST00000341065", "splice-acceptor-donor1.vcf")
    assert (
        calls["1:16255:CCC>CC"] is not None
        and calls["1:16255:CCC>CC"].primary_term == "intron_variant"
    )
    assert (
        calls["1:16261:CCA>CA"] is not None
        and calls["1:16261:CCA>CA"].primary_term == "splice_region_variant"
    )
    assert calls["1:18826:G>A"] is not None and calls["1:18826:G>A"].hgvsp == "p.R473K"
    assert "1:18816:CAGGTCT>CAGGTCT" not in calls  # REF == ALT is not a variant


def test_chr_prefixed_vcf_is_renamed_to_the_fasta_contigs(testdata: Path, tmp_path: Path) -> None:
    source = testdata / "bcftools-csq/TLR8_ENST00000218032/start-lost.vcf"
    prefixed = tmp_path / "chr.vcf"
    lines = []
    for line in source.read_text().splitlines(keepends=True):
        if line.startswith("##contig=<ID=X"):
            line = line.replace("ID=X", "ID=chrX")
        elif not line.startswith("#"):
            line = "chr" + line
        lines.append(line)
    prefixed.write_text("".join(lines))
    slice_dir = source.parent
    out = annotate_with_bcftools_csq(
        prefixed,
        slice_dir / "ENST00000218032.gff",
        slice_dir / "ENST00000218032.fa",
        out_dir=tmp_path / "out",
    )
    (variant,) = read_variants(out, ALL).variants
    assert variant.consequence is not None and variant.consequence.primary_term == "start_lost"


def test_annotated_input_is_returned_unchanged(testdata: Path) -> None:
    vcf = testdata / "pcgr/vep-annotated/test.vep85.vcf"
    assert annotated_vcf(vcf, gff3=None, fasta=None) == vcf


def test_unannotated_input_without_gene_model_is_rejected(testdata: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        annotated_vcf(testdata / "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz", gff3=None, fasta=None)
    assert caught.value.reason_code == "no_annotation"
    assert "VEP" in caught.value.message and "refdata" in caught.value.message


def test_ref_allele_disagreeing_with_the_fasta_is_rejected(testdata: Path, tmp_path: Path) -> None:
    slice_dir = testdata / "bcftools-csq/CD207_ENST00000410009"
    wrong = tmp_path / "wrong-ref.vcf"
    wrong.write_text(
        "".join(
            line if line.startswith("#") else line.replace("\tG\tGC\t", "\tT\tTC\t")
            for line in (slice_dir / "frameshift.vcf").read_text().splitlines(keepends=True)
        )
    )
    with pytest.raises(InputRejected) as caught:
        annotate_with_bcftools_csq(
            wrong,
            slice_dir / "ENST00000410009.gff",
            slice_dir / "ENST00000410009.fa",
            out_dir=tmp_path / "out",
        )
    assert caught.value.reason_code == "ref_mismatch"
    assert "5507" not in caught.value.message  # positions stay out of messages


def test_samd11_frame1_terms_of_one_transcript_are_merged_as_vep_reports_them(testdata: Path, tmp_path: Path) -> None:
    """bcftools' own test/csq/ENST00000341065/frame1.vcf: csq writes ``splice_region`` and
    ``inframe_deletion`` as two entries of one transcript; VEP writes one
    ``inframe_deletion&splice_region_variant`` block, and so do we (short HGVSp as VEP's)."""
    c = _annotate(testdata, tmp_path, "SAMD11_ENST00000341065", "frame1.vcf")["1:19030:TGGC>T"]
    assert c is not None and c.transcript == "ENST00000341065"
    assert c.terms == ("inframe_deletion", "splice_region_variant")
    assert (c.hgvsp, c.protein_position) == ("p.A509del", 509)


def test_tlr8_start_codon_hgvsc_counts_from_the_a_of_atg(testdata: Path, tmp_path: Path) -> None:
    """HGVS c. numbering (as VEP's HGVSc): c.1 is the A of the ATG. TLR8's CDS starts at the
    slice's X:108 (GFF3 CDS 108-110, phase 0) and the FASTA has ATG there, so X:108 A>G is
    c.1A>G, p.M1V, with csq's splice_region kept beside start_lost."""
    from oncodrop.refdata.transcripts import gff3_transcripts

    slice_dir = testdata / "bcftools-csq" / "TLR8_ENST00000218032"
    assert (slice_dir / "ENST00000218032.fa").read_text().split("\n", 1)[1].replace("\n", "")[107:110] == "ATG"
    out = annotate_with_bcftools_csq(
        slice_dir / "start-lost.vcf", slice_dir / "ENST00000218032.gff", slice_dir / "ENST00000218032.fa",
        out_dir=tmp_path,
    )  # fmt: skip
    facts = gff3_transcripts(slice_dir / "ENST00000218032.gff")
    (variant,) = read_variants(out, ALL, mode="normal", transcripts=facts).variants
    c = variant.consequence
    assert c is not None
    assert (c.transcript, c.terms, c.hgvsc, c.hgvsp) == (
        "ENST00000218032", ("start_lost", "splice_region_variant"), "c.1A>G", "p.M1V",
    )  # fmt: skip
