"""Sequence Ontology consequence terms: one ordered table that every reader and printer uses.

``TERMS`` is the single priority list (varcode's ``effect_ordering`` is the model): its order
decides which of a variant's terms is the most severe, and each row carries what the outputs
need, so no printer keeps a table of its own:

- ``term``: the Ensembl VEP spelling, which is also the label written in the TSV, the MAF
  ``Consequence`` column, the summary JSON and the HTML report;
- ``impact``: VEP's IMPACT class;
- ``maf``: vcf2maf's ``GetVariantClassification`` for the term (MAF ``Variant_Classification``),
  or a rule resolved by the variant's type and frame (``FRAMESHIFT``, ``PROTEIN_ALTERING``).

The order is Ensembl VEP's (most severe first, https://www.ensembl.org/info/genome/variation/
prediction/predicted_data.html); the two terms VEP does not emit are placed where they mean
least: ``gene_variant`` (the gene-span fallback: in a gene, effect unknown) after the
regulatory terms, and ``not_annotated`` (no consequence annotation at all) last. A variant
without annotation is ``not_annotated`` in every output, never ``intergenic_variant``: nobody
looked, so nobody may say it lies between genes. Its MAF class is ``Targeted_Region``, which is
what vcf2maf writes when VEP was skipped (docs/methods.md, "Consequences").

Other annotators' spellings (snpEff, bcftools csq via ``bcsq.BCSQ_TERMS``, older VEP) map onto
these terms by ``ALIASES`` so every source ranks, prints and classifies on one scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Impact = Literal["HIGH", "MODERATE", "LOW", "MODIFIER"]

NOT_ANNOTATED = "not_annotated"
"""The label of a variant that carries no consequence annotation, in every output."""

# MAF rules that depend on the variant (vcf2maf): a frameshift is an insertion or a deletion;
# a protein-altering variant is also in frame or not.
FRAMESHIFT = "<frameshift: by type>"
PROTEIN_ALTERING = "<protein altering: by frame and type>"
TARGETED_REGION = "Targeted_Region"  # vcf2maf's class for anything it cannot place


@dataclass(frozen=True, slots=True)
class ConsequenceTerm:
    """One row of the table; its rank is its position in ``TERMS``."""

    term: str
    impact: Impact
    maf: str


_row = ConsequenceTerm


# Most severe first. One row per term; the position is the rank.
TERMS: tuple[ConsequenceTerm, ...] = (
    _row("transcript_ablation", "HIGH", "Splice_Site"),
    _row("splice_acceptor_variant", "HIGH", "Splice_Site"),
    _row("splice_donor_variant", "HIGH", "Splice_Site"),
    _row("stop_gained", "HIGH", "Nonsense_Mutation"),
    _row("frameshift_variant", "HIGH", FRAMESHIFT),
    _row("stop_lost", "HIGH", "Nonstop_Mutation"),
    _row("start_lost", "HIGH", "Translation_Start_Site"),
    _row("exon_loss_variant", "HIGH", "Splice_Site"),  # snpEff
    _row("transcript_amplification", "HIGH", "Intron"),
    _row("feature_elongation", "HIGH", TARGETED_REGION),
    _row("feature_truncation", "HIGH", TARGETED_REGION),
    _row("inframe_insertion", "MODERATE", "In_Frame_Ins"),
    _row("inframe_deletion", "MODERATE", "In_Frame_Del"),
    _row("missense_variant", "MODERATE", "Missense_Mutation"),
    _row("protein_altering_variant", "MODERATE", PROTEIN_ALTERING),
    _row("splice_donor_5th_base_variant", "LOW", "Splice_Region"),
    _row("splice_region_variant", "LOW", "Splice_Region"),
    _row("splice_donor_region_variant", "LOW", "Splice_Region"),
    _row("splice_polypyrimidine_tract_variant", "LOW", "Splice_Region"),
    _row("incomplete_terminal_codon_variant", "LOW", "Silent"),
    # snpEff: the start codon became another (non-canonical) start codon. Ranked and rated as
    # snpEff does (LOW, with start_retained); vcf2maf classes it Translation_Start_Site.
    _row("initiator_codon_variant", "LOW", "Translation_Start_Site"),
    _row("start_retained_variant", "LOW", "Silent"),
    _row("stop_retained_variant", "LOW", "Silent"),
    _row("synonymous_variant", "LOW", "Silent"),
    _row("coding_sequence_variant", "MODIFIER", "Missense_Mutation"),
    _row("mature_miRNA_variant", "MODIFIER", "RNA"),
    _row("5_prime_UTR_variant", "MODIFIER", "5'UTR"),
    _row("3_prime_UTR_variant", "MODIFIER", "3'UTR"),
    _row("non_coding_transcript_exon_variant", "MODIFIER", "RNA"),
    _row("intron_variant", "MODIFIER", "Intron"),
    _row("NMD_transcript_variant", "MODIFIER", "Silent"),
    _row("non_coding_transcript_variant", "MODIFIER", "RNA"),
    _row("coding_transcript_variant", "MODIFIER", TARGETED_REGION),
    _row("upstream_gene_variant", "MODIFIER", "5'Flank"),
    _row("downstream_gene_variant", "MODIFIER", "3'Flank"),
    _row("TFBS_ablation", "MODIFIER", TARGETED_REGION),
    _row("TFBS_amplification", "MODIFIER", TARGETED_REGION),
    _row("TF_binding_site_variant", "MODIFIER", "IGR"),
    _row("regulatory_region_ablation", "MODERATE", TARGETED_REGION),
    _row("regulatory_region_amplification", "MODIFIER", TARGETED_REGION),
    _row("regulatory_region_variant", "MODIFIER", "IGR"),
    _row("gene_variant", "MODIFIER", TARGETED_REGION),  # gene-span fallback: gene known only
    _row("intergenic_variant", "MODIFIER", "IGR"),
    _row("sequence_variant", "MODIFIER", TARGETED_REGION),
    _row(NOT_ANNOTATED, "MODIFIER", TARGETED_REGION),
)  # fmt: skip

# Spellings used by snpEff, vcf2maf and older VEP releases -> the term they mean here.
ALIASES: dict[str, str] = {
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "conservative_missense_variant": "missense_variant",
    "rare_amino_acid_variant": "missense_variant",
    "non_canonical_start_codon": "start_retained_variant",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "5_prime_UTR_truncation": "5_prime_UTR_variant",
    "3_prime_UTR_truncation": "3_prime_UTR_variant",
    "exon_variant": "non_coding_transcript_exon_variant",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "nc_transcript_variant": "non_coding_transcript_variant",
    "intragenic_variant": "intron_variant",
    "regulatory_region": "regulatory_region_variant",
    "intergenic_region": "intergenic_variant",
    "gene_fusion": "feature_elongation",
    "bidirectional_gene_fusion": "feature_elongation",
    "structural_interaction_variant": "sequence_variant",
    "protein_protein_contact": "sequence_variant",
    "sequence_feature": "sequence_variant",
}

BY_TERM: dict[str, ConsequenceTerm] = {row.term: row for row in TERMS}
_RANK: dict[str, int] = {row.term: i for i, row in enumerate(TERMS)}
UNKNOWN_RANK = len(TERMS)


def normalise_term(term: str) -> str:
    """The table's spelling of a consequence term (unknown terms pass through unchanged)."""
    return ALIASES.get(term, term)


def known(term: str) -> bool:
    """True when the term, or the term it is an alias of, has a row in ``TERMS``."""
    return normalise_term(term) in BY_TERM


def rank(term: str) -> int:
    """Severity rank of a term: 0 is the most severe; unknown terms sort last."""
    return _RANK.get(normalise_term(term), UNKNOWN_RANK)


def impact(term: str) -> Impact:
    """VEP IMPACT class of a term (HIGH, MODERATE, LOW, MODIFIER); MODIFIER when unknown."""
    row = BY_TERM.get(normalise_term(term))
    return row.impact if row else "MODIFIER"


def sort_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """Normalised, de-duplicated terms, most severe first."""
    unique = {normalise_term(t) for t in terms if t}
    return tuple(sorted(unique, key=lambda t: (rank(t), t)))


def label(term: str | None) -> str:
    """The label every output writes for a term: its table spelling, ``not_annotated`` for
    none (an unknown term is written as the annotator spelt it)."""
    return normalise_term(term) if term else NOT_ANNOTATED


def labels(terms: Iterable[str]) -> str:
    """All of a variant's terms as one cell, ``&``-joined as VEP does; ``not_annotated`` for none."""
    return "&".join(label(t) for t in terms if t) or NOT_ANNOTATED


def maf_class(term: str | None, variant_type: str, in_frame: bool) -> str:
    """MAF ``Variant_Classification`` (vcf2maf) for the most severe term of a variant.

    ``variant_type`` is the MAF ``Variant_Type`` (SNP DNP TNP ONP INS DEL); ``in_frame`` says
    whether the length change is a multiple of three. Frameshift and protein-altering rules
    only resolve for insertions and deletions, else ``Targeted_Region`` (as in vcf2maf).
    """
    row = BY_TERM.get(label(term))
    rule = row.maf if row else TARGETED_REGION
    if rule == PROTEIN_ALTERING and in_frame:
        rule = {"INS": "In_Frame_Ins", "DEL": "In_Frame_Del"}.get(variant_type, TARGETED_REGION)
    elif rule in (FRAMESHIFT, PROTEIN_ALTERING):
        rule = {"INS": "Frame_Shift_Ins", "DEL": "Frame_Shift_Del"}.get(
            variant_type, TARGETED_REGION
        )
    return rule
