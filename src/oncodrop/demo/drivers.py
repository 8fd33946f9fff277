"""The named variants the demo samples carry: real GRCh37 alleles with their VEP-style
consequences, written as data so a reviewer can check each against ClinVar/COSMIC.
"""

from __future__ import annotations

from dataclasses import dataclass

from oncodrop.domain.variant import Consequence, Variant


@dataclass(frozen=True, slots=True)
class Driver:
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    transcript: str
    terms: tuple[str, ...]
    impact: str
    hgvsc: str
    hgvsp: str | None
    protein_position: int | None
    exon: int
    exon_count: int
    population_af: float | None = None
    genotype: str = "0/1"

    def variant(self, *, depth: int, vaf: float, normal_depth: int | None = None) -> Variant:
        csq = Consequence(
            gene=self.gene, terms=self.terms, impact=self.impact, transcript=self.transcript,
            biotype="protein_coding", hgvsc=self.hgvsc, hgvsp=self.hgvsp,
            protein_position=self.protein_position, exon=self.exon, exon_count=self.exon_count,
            canonical=True, source="VEP",
        )  # fmt: skip
        return Variant(
            chrom=self.chrom, pos=self.pos, ref=self.ref, alt=self.alt, depth=depth,
            alt_depth=round(depth * vaf), vaf=round(vaf, 4), normal_depth=normal_depth,
            normal_vaf=0.0 if normal_depth else None, genotype=self.genotype, consequence=csq,
            population_af=self.population_af,
        )  # fmt: skip


MISSENSE = ("missense_variant",)
FRAMESHIFT = ("frameshift_variant",)

BRAF_V600E = Driver("7", 140453136, "A", "T", "BRAF", "ENST00000288602", MISSENSE, "MODERATE",
                    "c.1799T>A", "p.V600E", 600, 15, 18)  # fmt: skip
TP53_R273H = Driver("17", 7577120, "C", "T", "TP53", "ENST00000269305", MISSENSE, "MODERATE",
                    "c.818G>A", "p.R273H", 273, 8, 11)  # fmt: skip
TP53_R175H = Driver("17", 7578406, "C", "T", "TP53", "ENST00000269305", MISSENSE, "MODERATE",
                    "c.524G>A", "p.R175H", 175, 5, 11)  # fmt: skip
PIK3CA_E542K = Driver("3", 178936082, "G", "A", "PIK3CA", "ENST00000263967", MISSENSE, "MODERATE",
                      "c.1624G>A", "p.E542K", 542, 10, 21)  # fmt: skip

# germline (normal) sample
BRCA2_6174DELT = Driver("13", 32914437, "GT", "G", "BRCA2", "ENST00000380152", FRAMESHIFT, "HIGH",
                        "c.5946del", "p.S1982Rfs*22", 1982, 11, 27)  # fmt: skip
CHEK2_1100DELC = Driver("22", 29091856, "AG", "A", "CHEK2", "ENST00000328354", FRAMESHIFT, "HIGH",
                        "c.1100del", "p.T367Mfs*15", 367, 10, 15)  # fmt: skip
TP53_P72R = Driver("17", 7579472, "G", "C", "TP53", "ENST00000269305", MISSENSE, "MODERATE",
                   "c.215C>G", "p.P72R", 72, 4, 11, population_af=0.6617, genotype="1/1")  # fmt: skip
