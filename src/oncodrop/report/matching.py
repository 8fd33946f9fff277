"""Evidence matching: which clinical evidence items speak about a given variant or CNA call.

An ``EvidenceIndex`` is built once per report from the bundle's evidence and answers each
variant with a handful of dict look-ups (genomic allele, gene+HGVSp, gene+codon, gene+exon,
gene), so 100k variants cost well under a second. Match levels and their precedence follow
PCGR 2.x: ``by_genomic_coord`` > ``by_hgvsp_principal`` > ``by_codon_principal`` >
``by_exon_mut_principal`` > ``by_gene_mut_lof``; an item is reported once, at its most precise
level. Methods: docs/methods.md, "Evidence matching".
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from oncodrop.domain.copynumber import CnaCall
from oncodrop.domain.evidence import EvidenceItem, EvidenceMatch, MatchLevel
from oncodrop.domain.genome import Build, normalise_chrom
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.annotation.hgvs import AMINO_ACIDS

# --- consequence classes (Sequence Ontology terms) -------------------------------------------

LOF_TERMS: frozenset[str] = frozenset(
    {
        "transcript_ablation",
        "stop_gained",
        "frameshift_variant",
        "splice_donor_variant",
        "splice_acceptor_variant",
        "start_lost",
    }
)
"""Null (loss-of-function) consequences: what ``loss_of_function``/``truncating`` items match."""

PROTEIN_ALTERING_TERMS: frozenset[str] = LOF_TERMS | frozenset(
    {
        "missense_variant",
        "inframe_insertion",
        "inframe_deletion",
        "protein_altering_variant",
        "stop_lost",
    }
)
"""Consequences that change the protein (or its splicing)."""

_MUTATION_CLASS_TERMS: Mapping[str, frozenset[str]] = {
    "any": PROTEIN_ALTERING_TERMS,
    "mutation": PROTEIN_ALTERING_TERMS,
    "loss_of_function": LOF_TERMS,
    "truncating": LOF_TERMS,
    "missense": frozenset({"missense_variant"}),
    "nonsense": frozenset({"stop_gained"}),
    "frameshift": frozenset({"frameshift_variant"}),
    "splice": frozenset({"splice_donor_variant", "splice_acceptor_variant"}),
    "inframe_deletion": frozenset({"inframe_deletion"}),
    "inframe_insertion": frozenset({"inframe_insertion"}),
    "inframe_indel": frozenset(
        {"inframe_insertion", "inframe_deletion", "protein_altering_variant"}
    ),
}
"""Mutation class of a gene- or exon-level item -> the consequence terms it matches."""

_GENE_LEVEL_OVERRIDES: Mapping[str, frozenset[str]] = {"any": LOF_TERMS, "mutation": LOF_TERMS}
"""PCGR 2.x ``by_gene_mut_lof``: an unspecific gene-level "Mutation" item (e.g. "BRCA2
Mutation" for PARP inhibitors) means a deleterious one, so only null variants match it; a
missense of unknown effect stays a VUS instead of borrowing the evidence. Exon-level "Exon 11
Mutation" items still match any protein-altering change in that exon."""

_EXON_CLASS_ALIASES: Mapping[str, str] = {
    "deletion": "inframe_deletion",
    "insertion": "inframe_insertion",
}
"""Inside an exon, ``deletion``/``insertion`` mean in-frame ones (EGFR exon 19 deletion,
exon 20 insertion); at gene level the same words are copy-number events."""

CNA_CLASS_CALLS: Mapping[str, frozenset[CnaCall]] = {
    "amplification": frozenset({CnaCall.AMPLIFICATION}),
    "deletion": frozenset({CnaCall.HOMDEL}),
    "homozygous_deletion": frozenset({CnaCall.HOMDEL}),
    "loss": frozenset({CnaCall.HOMDEL}),
}
"""Gene-level copy-number items -> the gene calls they match (PCGR 2.x: amplification and
homozygous deletion only; gains and heterozygous losses are not matched)."""

_THREE_LETTER = re.compile("|".join(AMINO_ACIDS))

AlleleKey = tuple[str, int, str, str]
_EMPTY_ALLELES = frozenset({"-", "."})
_K = TypeVar("_K")


# --- normalisation -------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def normalise_hgvsp(hgvsp: str) -> str:
    """One-letter short HGVSp without ``p.``/parentheses: ``p.(Val600Glu)`` -> ``V600E``.
    (Memoised: evidence matching, hotspots, residues and the SOP each ask for a variant's.)"""
    text = hgvsp.strip()
    if ":" in text:  # drop a transcript/protein accession prefix
        text = text.rsplit(":", 1)[1]
    text = text.removeprefix("p.").strip("()")
    text = _THREE_LETTER.sub(lambda m: AMINO_ACIDS[m.group(0)], text)
    return text.replace("X", "*") if re.fullmatch(r"[A-Z*]\d+X", text) else text


def allele_key(chrom: str, pos: int, ref: str, alt: str) -> AlleleKey:
    """A representation both VCF alleles and CIViC coordinates reduce to.

    Shared leading/trailing bases are trimmed. A deletion is keyed at its first deleted base;
    an insertion at the base before the inserted sequence (CIViC's ``start``). An allele given
    as empty or ``-`` is already trimmed. Indels are not left-aligned (no FASTA here).
    """
    if len(ref) == 1 == len(alt) and ref not in _EMPTY_ALLELES and alt not in _EMPTY_ALLELES:
        ref, alt = ref.upper(), alt.upper()
        if ref != alt:  # a substitution: nothing to trim (the general case below says the same)
            return (_chrom(chrom), pos, ref, alt)
    ref = "" if ref in _EMPTY_ALLELES else ref.upper()
    alt = "" if alt in _EMPTY_ALLELES else alt.upper()
    pre_trimmed = not ref or not alt
    lead = 0
    while lead < min(len(ref), len(alt)) and ref[lead] == alt[lead]:
        lead += 1
    ref, alt = ref[lead:], alt[lead:]
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    pos += lead
    if not ref and not pre_trimmed:
        pos -= 1  # VCF insertion: key on the left flanking base, as CIViC does
    return (_chrom(chrom), pos, ref, alt)


_chrom = functools.lru_cache(maxsize=1024)(normalise_chrom)  # a genome has few contigs


# --- the index -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceIndex:
    """Evidence items pre-grouped by what they match, for one genome build.

    ``unindexed`` lists the evidence ids that have no target this module understands (an
    unknown ``mutation_class``, no gene-level class, …) so the report can say what it skipped.
    """

    genome_build: Build
    by_allele: Mapping[AlleleKey, tuple[EvidenceItem, ...]]
    by_hgvsp: Mapping[tuple[str, str], tuple[EvidenceItem, ...]]
    by_codon: Mapping[tuple[str, int], tuple[EvidenceItem, ...]]
    by_exon: Mapping[tuple[str, int], tuple[EvidenceItem, ...]]
    by_gene: Mapping[str, tuple[EvidenceItem, ...]]
    by_cna_gene: Mapping[str, tuple[EvidenceItem, ...]]
    genes: frozenset[str]  # the genes of ``by_hgvsp``, ``by_codon``, ``by_exon`` and ``by_gene``
    unindexed: tuple[str, ...] = field(default=())

    @classmethod
    def build(cls, items: Iterable[EvidenceItem], genome_build: Build) -> EvidenceIndex:
        """Group ``items`` once; ``genome_build`` is the sample's build (coordinates on the
        other build are ignored, the item can still match by protein change)."""
        allele: defaultdict[AlleleKey, list[EvidenceItem]] = defaultdict(list)
        hgvsp: defaultdict[tuple[str, str], list[EvidenceItem]] = defaultdict(list)
        codon: defaultdict[tuple[str, int], list[EvidenceItem]] = defaultdict(list)
        exon: defaultdict[tuple[str, int], list[EvidenceItem]] = defaultdict(list)
        gene: defaultdict[str, list[EvidenceItem]] = defaultdict(list)
        cna: defaultdict[str, list[EvidenceItem]] = defaultdict(list)
        unindexed: list[str] = []
        for item in items:
            targets = _Targets.of(item, genome_build)
            for key in targets.alleles:
                allele[key].append(item)
            if targets.hgvsp is not None:
                hgvsp[targets.hgvsp].append(item)
            if targets.codon is not None:
                codon[targets.codon].append(item)
            if targets.exon is not None:
                exon[targets.exon].append(item)
            if targets.gene is not None:
                gene[targets.gene].append(item)
            if targets.cna is not None:
                cna[targets.cna].append(item)
            if targets.empty:
                unindexed.append(item.evidence_id)
        return cls(
            genome_build=genome_build,
            by_allele=_freeze(allele),
            by_hgvsp=_freeze(hgvsp),
            by_codon=_freeze(codon),
            by_exon=_freeze(exon),
            by_gene=_freeze(gene),
            by_cna_gene=_freeze(cna),
            genes=frozenset([*(g for g, _ in hgvsp), *(g for g, _ in codon), *(g for g, _ in exon), *gene]),
            unindexed=tuple(unindexed),
        )


def _freeze(table: Mapping[_K, list[EvidenceItem]]) -> dict[_K, tuple[EvidenceItem, ...]]:
    return {key: tuple(items) for key, items in table.items()}


@dataclass(frozen=True, slots=True)
class _Targets:
    """The keys one evidence item is filed under (an item may have several, or none)."""

    alleles: tuple[AlleleKey, ...] = ()
    hgvsp: tuple[str, str] | None = None
    codon: tuple[str, int] | None = None
    exon: tuple[str, int] | None = None
    gene: str | None = None
    cna: str | None = None

    @property
    def empty(self) -> bool:
        protein = (self.hgvsp, self.codon, self.exon, self.gene, self.cna)
        return not self.alleles and all(target is None for target in protein)

    @classmethod
    def of(cls, item: EvidenceItem, genome_build: Build) -> _Targets:
        """CIViC gives gene- and exon-level items the span of the gene/exon as coordinates
        but no alleles: only items with a ref or alt allele are genomic targets. The protein
        target is the most specific of hgvsp > codon > exon > gene class."""
        symbol = item.gene.upper()
        has_allele = bool(item.ref or item.alt)
        alleles: tuple[AlleleKey, ...] = ()
        if has_allele and item.build == genome_build and item.chrom and item.start is not None:
            alleles = tuple(
                allele_key(item.chrom, item.start, item.ref or "", alt)
                for alt in (item.alt or "").split("/")
            )
        mutation_class = (item.mutation_class or "").lower()
        if item.hgvsp:
            return cls(alleles, hgvsp=(symbol, normalise_hgvsp(item.hgvsp)))
        if item.codon is not None:
            known = _codon_class(item) in _MUTATION_CLASS_TERMS
            return cls(alleles, codon=(symbol, item.codon) if known else None)
        if item.exon is not None:
            known = _exon_class(item) in _MUTATION_CLASS_TERMS
            return cls(alleles, exon=(symbol, item.exon) if known else None)
        if not has_allele and mutation_class in CNA_CLASS_CALLS:
            return cls(alleles, cna=symbol)
        if not has_allele and mutation_class in _MUTATION_CLASS_TERMS:
            return cls(alleles, gene=symbol)
        return cls(alleles)


def _codon_class(item: EvidenceItem) -> str:
    """A codon item without a class (``V600``) or with ``any`` means any missense there."""
    mutation_class = (item.mutation_class or "missense").lower()
    return "missense" if mutation_class in {"any", "mutation"} else mutation_class


def _exon_class(item: EvidenceItem) -> str:
    mutation_class = (item.mutation_class or "any").lower()
    return _EXON_CLASS_ALIASES.get(mutation_class, mutation_class)


# --- matching ------------------------------------------------------------------------------


def match_evidence(variant: Variant, index: EvidenceIndex) -> tuple[EvidenceMatch, ...]:
    """All evidence items that apply to ``variant``, each once at its most precise level,
    ordered most precise first (then by evidence id, for stable reports)."""
    genomic = index.by_allele.get(allele_key(variant.chrom, variant.pos, variant.ref, variant.alt))
    csq = variant.consequence
    gene = csq.gene.upper() if csq is not None and csq.gene else None
    if not genomic and gene not in index.genes:  # most variants: nothing to look at
        return ()
    found: dict[str, EvidenceMatch] = {}

    def add(items: Iterable[EvidenceItem], level: MatchLevel) -> None:
        for item in items:
            if item.evidence_id not in found:
                found[item.evidence_id] = EvidenceMatch(item, level)

    if genomic:
        add(genomic, MatchLevel.GENOMIC)
    if csq is not None and gene is not None and gene in index.genes:  # each level first, classes only on a hit
        if csq.hgvsp and (by_hgvsp := index.by_hgvsp.get((gene, normalise_hgvsp(csq.hgvsp)))):
            add(by_hgvsp, MatchLevel.HGVSP)
        if csq.protein_position is not None and (codon_items := index.by_codon.get((gene, csq.protein_position))):
            terms = frozenset(csq.terms)
            add((i for i in codon_items if terms & _MUTATION_CLASS_TERMS[_codon_class(i)]),
                MatchLevel.CODON)  # fmt: skip
        if csq.exon is not None and (exon_items := index.by_exon.get((gene, csq.exon))):
            terms = frozenset(csq.terms)
            add((i for i in exon_items if terms & _MUTATION_CLASS_TERMS[_exon_class(i)]),
                MatchLevel.EXON)  # fmt: skip
        if gene_items := index.by_gene.get(gene):
            terms = frozenset(csq.terms)
            add((i for i in gene_items if _gene_class_matches(i, terms)), MatchLevel.GENE)
    return _ordered(found.values()) if found else ()


def _gene_class_matches(item: EvidenceItem, terms: frozenset[str]) -> bool:
    mutation_class = (item.mutation_class or "").lower()
    allowed = _GENE_LEVEL_OVERRIDES.get(mutation_class) or _MUTATION_CLASS_TERMS[mutation_class]
    return bool(terms & allowed)


def match_cna(gene: str, call: CnaCall, index: EvidenceIndex) -> tuple[EvidenceMatch, ...]:
    """Copy-number evidence for one gene call (``ERBB2`` amplification, ``CDKN2A`` homdel).

    Reported at ``by_gene_mut_lof`` level: the item names the gene-level event itself.
    """
    items = index.by_cna_gene.get(gene.upper(), ())
    hits = (i for i in items if call in CNA_CLASS_CALLS[(i.mutation_class or "").lower()])
    return _ordered(EvidenceMatch(i, MatchLevel.GENE) for i in hits)


_LEVEL_RANK: Mapping[MatchLevel, int] = {level: rank for rank, level in enumerate(MatchLevel)}


def _ordered(matches: Iterable[EvidenceMatch]) -> tuple[EvidenceMatch, ...]:
    return tuple(
        sorted(matches, key=lambda m: (_LEVEL_RANK[m.match_level], m.evidence.evidence_id))
    )


def is_loss_of_function(consequence: Consequence | None) -> bool:
    """True when the consequence is a null variant (see ``LOF_TERMS``)."""
    return consequence is not None and has_null_term(consequence.terms)


def has_null_term(terms: Iterable[str]) -> bool:
    """True when one of the consequence ``terms`` is a null (loss-of-function) one."""
    return not LOF_TERMS.isdisjoint(terms)


def is_protein_altering(consequence: Consequence | None) -> bool:
    """True when the consequence changes the protein or canonical splicing."""
    return consequence is not None and bool(
        PROTEIN_ALTERING_TERMS.intersection(consequence.terms)
    )
