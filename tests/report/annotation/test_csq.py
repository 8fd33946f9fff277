"""VEP CSQ on real VEP 85 and VEP 105 output: transcript choice, HGVS, AFs, allele matching."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected
from oncodrop.report.annotation.common import vep_allele
from oncodrop.report.annotation.csq import CsqLayout, parse_csq
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

VEP105 = "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz"
ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))


@pytest.fixture(scope="module")
def vep105(testdata: Path) -> dict[str, Variant]:
    return {v.key: v for v in read_variants(testdata / VEP105, ALL).variants}


def _record(path: Path, pos: int) -> tuple[CsqLayout, pysam.VariantRecord]:
    with pysam.VariantFile(str(path)) as vf:
        layout = CsqLayout.from_description(vf.header.info["CSQ"].description)
        return layout, next(r for r in vf if r.pos == pos)


def test_tp53_r175h_from_the_picked_mane_transcript(vep105: dict[str, Variant]) -> None:
    v = vep105["17:7675088:C>T"]
    c = v.consequence
    assert c is not None
    assert (c.gene, c.hgvsp, c.hgvsp_long, c.hgvsc) == (
        "TP53",
        "p.R175H",
        "p.Arg175His",
        "c.524G>A",
    )
    assert c.transcript == "ENST00000269305.9" and c.canonical
    assert (c.exon, c.exon_count, c.protein_position) == (5, 11, 175)
    assert c.impact == "MODERATE" and c.source == "VEP"
    assert v.dbsnp == "rs28934578" and v.cosmic == "COSV52661038"
    assert v.population_af == pytest.approx(4.06392e-06)


def test_brca2_stop_gained_short_form_uses_star(vep105: dict[str, Variant]) -> None:
    c = vep105["13:32339132:G>T"].consequence
    assert c is not None and c.primary_term == "stop_gained"
    assert (c.hgvsp, c.hgvsp_long) == ("p.E1593*", "p.Glu1593Ter")


def test_synonymous_hgvsp_is_unescaped(vep105: dict[str, Variant]) -> None:
    c = vep105["2:47799609:C>G"].consequence  # MSH6, VEP writes p.Leu542%3D
    assert c is not None and (c.gene, c.hgvsp) == ("MSH6", "p.L542=")


def test_vep_trimmed_insertion_allele_matches_the_vcf_alt(testdata: Path) -> None:
    layout, rec = _record(testdata / VEP105, 451649)  # A>AG, CSQ Allele "G"
    assert vep_allele(rec.ref, rec.alts, 0) == "G"
    annotation = parse_csq(rec.info["CSQ"], layout, alleles=("G",), single_alt=False)
    assert annotation is not None
    assert annotation.consequence.gene == "OR4F29"
    assert annotation.consequence.primary_term == "frameshift_variant"
    assert parse_csq(rec.info["CSQ"], layout, alleles=("AG",), single_alt=False) is None


def test_allele_num_selects_the_second_alt_of_a_multiallelic_record(testdata: Path) -> None:
    layout, rec = _record(testdata / "pcgr/vep-annotated/test.vep85.vcf", 11051547)  # A>T,C
    first = parse_csq(rec.info["CSQ"], layout, alleles=("T",), allele_num=1, single_alt=False)
    second = parse_csq(rec.info["CSQ"], layout, alleles=("C",), allele_num=2, single_alt=False)
    assert first is not None and second is not None
    assert first.consequence.hgvsc == "n.308T>A"
    assert second.consequence.hgvsc == "n.308T>G"


def test_vep85_apc_truncations_on_the_picked_canonical_transcript(testdata: Path) -> None:
    variants = read_variants(
        testdata / "pcgr/vep-annotated/test.vep85.vcf", SampleConfig()
    ).variants
    apc = {v.key: v.consequence for v in variants if v.gene == "APC"}
    assert apc["5:112154771:C>T"] is not None and apc["5:112154771:C>T"].hgvsp == "p.R348*"
    frameshift = apc["5:112175295:GC>G"]
    assert frameshift is not None and frameshift.hgvsp == "p.S1335Rfs*80"
    assert {c.transcript for c in apc.values() if c} == {"ENST00000457016"}


def test_brca_vep85_has_pik3ca_h1047r_and_tp53_v272m(testdata: Path) -> None:
    variants = read_variants(
        testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz", SampleConfig()
    ).variants
    assert len(variants) == 199
    calls = {(v.gene, v.consequence.hgvsp) for v in variants if v.consequence}
    assert ("PIK3CA", "p.H1047R") in calls
    assert ("TP53", "p.V272M") in calls


def test_without_pick_the_canonical_most_severe_block_wins() -> None:
    layout = CsqLayout.from_description(
        "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|"
        "Feature_type|Feature|CANONICAL|HGVSp"
    )
    entries = (
        "T|stop_gained|HIGH|GENE1|Transcript|ENST1||ENSP1:p.Arg10Ter",
        "T|missense_variant|MODERATE|GENE1|Transcript|ENST2|YES|ENSP2:p.Arg12Gln",
        "T|upstream_gene_variant|MODIFIER|GENE2|Transcript|ENST3|YES|",
    )
    chosen = parse_csq(entries, layout, alleles=("T",))
    assert chosen is not None
    assert (chosen.consequence.transcript, chosen.consequence.hgvsp) == ("ENST2", "p.R12Q")


def test_csq_header_without_format_is_rejected() -> None:
    with pytest.raises(InputRejected) as caught:
        CsqLayout.from_description("Consequence annotations from Ensembl VEP", file="x.vcf")
    assert caught.value.reason_code == "bad_vcf" and caught.value.rejection.field == "CSQ"


def test_csq_declared_number_1_is_still_split_into_blocks(tmp_path: Path) -> None:
    vcf = tmp_path / "one.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n"
        '##INFO=<ID=CSQ,Number=1,Type=String,Description="Consequence annotations from '
        'Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|PICK|HGVSp">\n'
        "##contig=<ID=7,length=159345973>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "7\t140753336\t.\tA\tT\t.\tPASS\tCSQ=T|upstream_gene_variant|MODIFIER|X|ENST9||,"
        "T|missense_variant|MODERATE|BRAF|ENST00000646891|1|ENSP1:p.Val600Glu\n"
    )
    (variant,) = read_variants(vcf, SampleConfig()).variants
    assert variant.consequence is not None
    assert (variant.gene, variant.consequence.hgvsp) == ("BRAF", "p.V600E")


def test_a_single_pick_flag_wins_and_several_fall_back_to_the_full_order() -> None:
    layout = CsqLayout.from_description(
        "Format: Allele|Consequence|IMPACT|SYMBOL|Feature_type|Feature|BIOTYPE|PICK|CANONICAL|HGVSp"
    )
    blocks = [
        "T|stop_gained|HIGH|G1|Transcript|ENST1|protein_coding||YES|ENSP1:p.Arg10Ter",
        "T|intron_variant|MODIFIER|G1|Transcript|ENST2|lncRNA|1||",
        "T|missense_variant|MODERATE|G1|Transcript|ENST3|protein_coding|||ENSP3:p.Arg12Gln",
    ]
    one = parse_csq(blocks, layout, alleles=("T",))
    assert one is not None and one.consequence.transcript == "ENST2"  # VEP's own pick, however mild
    assert one.consequence.all_effects == ("G1:ENST1:stop_gained:p.R10*", "G1:ENST2:intron_variant",
                                           "G1:ENST3:missense_variant:p.R12Q")  # fmt: skip
    two = [b.replace("|protein_coding||", "|protein_coding|1|") for b in blocks]  # ENST1, ENST3 flagged too
    several = parse_csq(two, layout, alleles=("T",))
    assert several is not None and several.consequence.transcript == "ENST1"  # then canonical decides
