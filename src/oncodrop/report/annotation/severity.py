"""Sequence Ontology consequence terms: severity order and IMPACT, as one table.

The order is Ensembl VEP's (most severe first, https://www.ensembl.org/info/genome/variation/
prediction/predicted_data.html); a reviewer checks the science by reading ``SO_TERMS``.
Other annotators' spellings (snpEff, older VEP) are mapped onto these terms by ``ALIASES`` so
every source ranks on one scale.
"""

from __future__ import annotations

from collections.abc import Iterable

# (SO term, IMPACT), most severe first.
SO_TERMS: tuple[tuple[str, str], ...] = (
    ("transcript_ablation", "HIGH"),
    ("splice_acceptor_variant", "HIGH"),
    ("splice_donor_variant", "HIGH"),
    ("stop_gained", "HIGH"),
    ("frameshift_variant", "HIGH"),
    ("stop_lost", "HIGH"),
    ("start_lost", "HIGH"),
    ("exon_loss_variant", "HIGH"),  # snpEff
    ("transcript_amplification", "HIGH"),
    ("feature_elongation", "HIGH"),
    ("feature_truncation", "HIGH"),
    ("inframe_insertion", "MODERATE"),
    ("inframe_deletion", "MODERATE"),
    ("missense_variant", "MODERATE"),
    ("protein_altering_variant", "MODERATE"),
    ("splice_donor_5th_base_variant", "LOW"),
    ("splice_region_variant", "LOW"),
    ("splice_donor_region_variant", "LOW"),
    ("splice_polypyrimidine_tract_variant", "LOW"),
    ("incomplete_terminal_codon_variant", "LOW"),
    ("start_retained_variant", "LOW"),
    ("stop_retained_variant", "LOW"),
    ("synonymous_variant", "LOW"),
    ("coding_sequence_variant", "MODIFIER"),
    ("mature_miRNA_variant", "MODIFIER"),
    ("5_prime_UTR_variant", "MODIFIER"),
    ("3_prime_UTR_variant", "MODIFIER"),
    ("non_coding_transcript_exon_variant", "MODIFIER"),
    ("intron_variant", "MODIFIER"),
    ("NMD_transcript_variant", "MODIFIER"),
    ("non_coding_transcript_variant", "MODIFIER"),
    ("coding_transcript_variant", "MODIFIER"),
    ("upstream_gene_variant", "MODIFIER"),
    ("downstream_gene_variant", "MODIFIER"),
    ("TFBS_ablation", "MODIFIER"),
    ("TFBS_amplification", "MODIFIER"),
    ("TF_binding_site_variant", "MODIFIER"),
    ("regulatory_region_ablation", "MODERATE"),
    ("regulatory_region_amplification", "MODIFIER"),
    ("regulatory_region_variant", "MODIFIER"),
    ("intergenic_variant", "MODIFIER"),
    ("sequence_variant", "MODIFIER"),
)

# Spellings used by snpEff and older VEP releases -> the Ensembl term they mean.
ALIASES: dict[str, str] = {
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "conservative_missense_variant": "missense_variant",
    "rare_amino_acid_variant": "missense_variant",
    "initiator_codon_variant": "start_retained_variant",
    "non_canonical_start_codon": "start_retained_variant",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "5_prime_UTR_truncation": "5_prime_UTR_variant",
    "3_prime_UTR_truncation": "3_prime_UTR_variant",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "nc_transcript_variant": "non_coding_transcript_variant",
    "intragenic_variant": "intron_variant",
    "intergenic_region": "intergenic_variant",
    "gene_fusion": "feature_elongation",
    "bidirectional_gene_fusion": "feature_elongation",
    "structural_interaction_variant": "sequence_variant",
    "protein_protein_contact": "sequence_variant",
    "sequence_feature": "sequence_variant",
}

_RANK: dict[str, int] = {term: i for i, (term, _) in enumerate(SO_TERMS)}
_IMPACT: dict[str, str] = dict(SO_TERMS)
UNKNOWN_RANK = len(SO_TERMS)


def normalise_term(term: str) -> str:
    """The Ensembl spelling of a consequence term (unknown terms pass through unchanged)."""
    return ALIASES.get(term, term)


def rank(term: str) -> int:
    """Severity rank of a term: 0 is the most severe; unknown terms sort last."""
    return _RANK.get(normalise_term(term), UNKNOWN_RANK)


def impact(term: str) -> str:
    """VEP IMPACT class of a term (HIGH, MODERATE, LOW, MODIFIER)."""
    return _IMPACT.get(normalise_term(term), "MODIFIER")


def sort_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """Normalised, de-duplicated terms, most severe first."""
    unique = {normalise_term(t) for t in terms if t}
    return tuple(sorted(unique, key=rank))
