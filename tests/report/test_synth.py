"""Synthetic VCFs read back as what was written (speed: benchmarks/speed_targets.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pysam

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import SampleConfig

BRAF = Variant(
    chrom="chr7",
    pos=140753336,
    ref="A",
    alt="T",
    depth=200,
    alt_depth=80,
    normal_depth=60,
    normal_vaf=0.0,
    dbsnp="rs113488022",
    cosmic="COSV56056643",
    population_af=1.2e-05,
    consequence=Consequence(
        gene="BRAF",
        terms=("missense_variant",),
        impact="MODERATE",
        transcript="ENST00000646891.2",
        biotype="protein_coding",
        hgvsc="c.1799T>A",
        hgvsp="p.V600E",
        protein_position=600,
        exon=15,
        exon_count=18,
        canonical=True,
    ),
)
DELETION = Variant(
    chrom="17",
    pos=7675994,
    ref="CT",
    alt="C",
    depth=50,
    alt_depth=20,
    filter_pass=False,
    filters=("weak_evidence",),
    consequence=Consequence(
        gene="TP53",
        terms=("frameshift_variant",),
        impact="HIGH",
        transcript="ENST00000269305.9",
        hgvsp="p.T125Qfs*45",
    ),
)


def test_round_trip_keeps_positions_support_and_consequence(tmp_path: Path) -> None:
    path = write_synthetic_vcf(tmp_path / "s.vcf.gz", [DELETION, BRAF])
    assert Path(str(path) + ".tbi").exists()
    config = SampleConfig(allelic_support={"pass_only": False})
    result = read_variants(path, config)
    assert result.build == "grch38" and result.annotation == "VEP"
    assert (result.tumor_sample, result.normal_sample) == ("TUMOR", "NORMAL")
    braf, deletion = result.variants  # sorted by chromosome
    assert braf.key == "7:140753336:A>T"
    assert (braf.depth, braf.alt_depth, braf.vaf, braf.normal_depth) == (200, 80, 0.4, 60)
    assert (braf.dbsnp, braf.cosmic, braf.population_af) == ("rs113488022", "COSV56056643", 1.2e-05)
    c = braf.consequence
    assert c is not None and BRAF.consequence is not None
    assert (c.gene, c.terms, c.hgvsp, c.hgvsp_long, c.hgvsc, c.transcript) == (
        "BRAF",
        ("missense_variant",),
        "p.V600E",
        "p.Val600Glu",
        "c.1799T>A",
        "ENST00000646891.2",
    )
    assert (c.exon, c.exon_count, c.protein_position, c.canonical) == (15, 18, 600, True)
    assert deletion.consequence is not None and deletion.consequence.hgvsp == "p.T125Qfs*45"
    assert (deletion.filter_pass, deletion.filters) == (False, ("weak_evidence",))


def test_unannotated_tumour_only_grch37(tmp_path: Path) -> None:
    path = write_synthetic_vcf(
        tmp_path / "t.vcf.gz", [BRAF], annotate=None, samples=("T1",), build="grch37"
    )
    result = read_variants(path, SampleConfig())
    assert (result.build, result.annotation, result.samples) == ("grch37", None, ("T1",))
    assert result.variants[0].consequence is None


def test_twenty_thousand_records_write_and_fetch_by_region(tmp_path: Path) -> None:
    rng = random.Random(7)
    positions = rng.sample(range(1, 40_000_000), 20_000)  # distinct: no duplicate records
    variants = [
        Variant(
            chrom=str(rng.randint(1, 22)),
            pos=pos,
            ref="C",
            alt="T",
            depth=100,
            alt_depth=rng.randint(5, 60),
            consequence=BRAF.consequence,
        )
        for pos in positions
    ]
    path = write_synthetic_vcf(tmp_path / "big.vcf.gz", variants)  # its speed: benchmarks/speed_targets.py
    with pysam.VariantFile(str(path)) as vf:
        on_chr5 = sum(1 for _ in vf.fetch("5", 0, 40_000_000))
    region = read_variants(path, SampleConfig(), regions=[("5", 1, 40_000_000)])
    assert region.used_index and len(region.variants) == on_chr5 > 0
