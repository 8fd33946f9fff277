"""A variant as read from a VCF, and its consequence on the chosen transcript."""

from __future__ import annotations

from dataclasses import dataclass

from oncodrop.domain.consequences import NOT_ANNOTATED, labels


@dataclass(frozen=True, slots=True)
class Consequence:
    """The consequence of one variant on its chosen (picked/MANE/canonical/most severe) transcript.

    ``terms`` are Sequence Ontology terms (``missense_variant``…), most severe first.
    ``hgvsp`` is the one-letter short form without transcript (``p.V600E``); ``hgvsp_long``
    keeps the three-letter form when the source had it (``p.Val600Glu``).
    """

    gene: str | None
    terms: tuple[str, ...]
    impact: str = "MODIFIER"  # HIGH | MODERATE | LOW | MODIFIER
    transcript: str | None = None
    biotype: str | None = None
    hgvsc: str | None = None
    hgvsp: str | None = None
    hgvsp_long: str | None = None
    protein_position: int | None = None  # first affected amino-acid position (codon number)
    exon: int | None = None
    exon_count: int | None = None
    canonical: bool = False
    source: str = "unknown"  # VEP | snpEff | BCSQ | bcftools-csq
    # every transcript's effect, ``gene:transcript:terms:hgvsp`` (the picked one included)
    all_effects: tuple[str, ...] = ()

    @property
    def primary_term(self) -> str:
        """The most severe term; ``not_annotated`` when the annotation named none."""
        return self.terms[0] if self.terms else NOT_ANNOTATED


@dataclass(frozen=True, slots=True)
class Variant:
    """One biallelic variant as read from the VCF (multi-allelic records are already split).

    ``chrom`` is normalised: no ``chr`` prefix, ``MT`` for the mitochondrion. ``pos`` is the
    1-based VCF position. Depth/VAF fields are for the tumour (somatic) or the only sample
    (germline); ``normal_*`` for the matched normal when the VCF has one.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    line: int = 0  # line number in the source VCF, for messages
    filter_pass: bool = True
    filters: tuple[str, ...] = ()
    depth: int | None = None
    alt_depth: int | None = None
    vaf: float | None = None
    normal_depth: int | None = None
    normal_vaf: float | None = None
    genotype: str | None = None  # e.g. "0/1", "1|1" (germline mode)
    genotype_quality: int | None = None
    consequence: Consequence | None = None
    population_af: float | None = None  # gnomAD / 1000G AF when the annotation carries it
    population_checked: bool = False  # the annotation has a gnomAD column (empty = absent)
    predictions: tuple[tuple[str, str], ...] = ()  # (predictor field, raw call): SIFT, PolyPhen…
    dbsnp: str | None = None
    cosmic: str | None = None
    # read counts and genotypes as the MAF needs them (vcf2maf/GDC conventions):
    ref_depth: int | None = None  # tumour reads supporting REF (AD[0] and per-caller twins)
    normal_ref_depth: int | None = None
    normal_alt_depth: int | None = None
    normal_genotype: str | None = None
    alleles: tuple[str, ...] = ()  # REF then every ALT of the source record: GT indexes these

    @property
    def variant_class(self) -> str:
        """SNV, MNV, insertion, deletion or indel (delins)."""
        r, a = len(self.ref), len(self.alt)
        if r == 1 and a == 1:
            return "SNV"
        if r == a:
            return "MNV"
        if r < a and self.alt.startswith(self.ref):
            return "insertion"
        if r > a and self.ref.startswith(self.alt):
            return "deletion"
        return "indel"

    @property
    def key(self) -> str:
        """Stable genomic identifier, ``7:140453136:A>T``."""
        return f"{self.chrom}:{self.pos}:{self.ref}>{self.alt}"

    @property
    def gene(self) -> str | None:
        return self.consequence.gene if self.consequence else None

    @property
    def consequence_term(self) -> str:
        """The most severe consequence term, ``not_annotated`` without annotation: the label
        the TSV, MAF, summary JSON and HTML all write (``domain.consequences``)."""
        return self.consequence.primary_term if self.consequence else NOT_ANNOTATED

    @property
    def consequence_terms(self) -> str:
        """All consequence terms as one ``&``-joined cell, ``not_annotated`` without any."""
        return labels(self.consequence.terms if self.consequence else ())
