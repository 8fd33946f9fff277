"""Evidence matching: which clinical evidence items speak about a given variant or CNA call.

An ``EvidenceIndex`` is built once per report from the bundle's evidence and answers each
variant with a handful of dict look-ups (genomic allele, gene+HGVSp, gene+codon, gene+exon,
gene), so 100k variants cost well under a second. Match levels and their precedence follow
PCGR 2.x: ``by_genomic_coord`` > ``by_hgvsp_principal`` > ``by_codon_principal`` >
``by_exon_mut_principal`` > ``by_gene_mut_lof``; an item is reported once, at its most precise
level. Methods: docs/methods.md, "Evidence matching".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from oncodrop.report.model import (
    Build,
    CnaCall,
    Consequence,
    EvidenceItem,
    EvidenceMatch,
    MatchLevel,
    Variant,
)

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
"""Consequences that change the protein (or its splicing): what ``any``/``mutation`` matches."""

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

_ONE_LETTER: Mapping[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Pyl": "O", "Xaa": "X",
}  # fmt: skip
_THREE_LETTER = re.compile("|".join(_ONE_LETTER))

AlleleKey = tuple[str, int, str, str]


# --- normalisation -------------------------------------------------------------------------


def normalise_chrom(chrom: str) -> str:
    """``chr7`` -> ``7``, ``chrM``/``M`` -> ``MT``: the form ``Variant.chrom`` uses."""
    name = chrom.strip()
    if name.lower().startswith("chr"):
        name = name[3:]
    return "MT" if name.upper() in {"M", "MT"} else name.upper()


def normalise_hgvsp(hgvsp: str) -> str:
    """One-letter short HGVSp without ``p.``/parentheses: ``p.(Val600Glu)`` -> ``V600E``."""
    text = hgvsp.strip()
    if ":" in text:  # drop a transcript/protein accession prefix
        text = text.rsplit(":", 1)[1]
    text = text.removeprefix("p.").strip("()")
    text = _THREE_LETTER.sub(lambda m: _ONE_LETTER[m.group(0)], text)
    return text.replace("X", "*") if re.fullmatch(r"[A-Z*]\d+X", text) else text


def allele_key(chrom: str, pos: int, ref: str, alt: str) -> AlleleKey:
    """A representation both VCF alleles and CIViC coordinates reduce to.

    Shared leading/trailing bases are trimmed. A deletion is keyed at its first deleted base;
    an insertion at the base before the inserted sequence (CIViC's ``start``). An allele given
    as empty or ``-`` is already trimmed. Indels are not left-aligned (no FASTA here).
    """
    ref = "" if ref in {"-", "."} else ref.upper()
    alt = "" if alt in {"-", "."} else alt.upper()
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
    return (normalise_chrom(chrom), pos, ref, alt)


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
    unindexed: tuple[str, ...] = field(default=())

    @classmethod
    def build(cls, items: Iterable[EvidenceItem], genome_build: Build) -> EvidenceIndex:
        """Group ``items`` once; ``genome_build`` is the sample's build (coordinates on the
        other build are ignored, the item can still match by protein change)."""
        groups: dict[str, defaultdict[object, list[EvidenceItem]]] = {
            name: defaultdict(list)
            for name in ("allele", "hgvsp", "codon", "exon", "gene", "cna")
        }
        unindexed: list[str] = []
        for item in items:
            placed = False
            for name, key in _index_keys(item, genome_build):
                groups[name][key].append(item)
                placed = True
            if not placed:
                unindexed.append(item.evidence_id)
        frozen = {name: {k: tuple(v) for k, v in g.items()} for name, g in groups.items()}
        return cls(
            genome_build=genome_build,
            by_allele=frozen["allele"],  # type: ignore[arg-type]
            by_hgvsp=frozen["hgvsp"],  # type: ignore[arg-type]
            by_codon=frozen["codon"],  # type: ignore[arg-type]
            by_exon=frozen["exon"],  # type: ignore[arg-type]
            by_gene=frozen["gene"],  # type: ignore[arg-type]
            by_cna_gene=frozen["cna"],  # type: ignore[arg-type]
            unindexed=tuple(unindexed),
        )


def _index_keys(item: EvidenceItem, genome_build: Build) -> list[tuple[str, object]]:
    """Every (group, key) an item is filed under; an item may sit in several groups."""
    gene = item.gene.upper()
    keys: list[tuple[str, object]] = []
    if item.build == genome_build and item.chrom and item.start is not None:
        for alt in (item.alt or "").split("/"):
            if item.ref or alt:
                keys.append(("allele", allele_key(item.chrom, item.start, item.ref or "", alt)))
    if item.hgvsp:
        keys.append(("hgvsp", (gene, normalise_hgvsp(item.hgvsp))))
    elif item.codon is not None:
        keys.append(("codon", (gene, item.codon)))
    elif item.exon is not None:
        if _exon_class(item) in _MUTATION_CLASS_TERMS:
            keys.append(("exon", (gene, item.exon)))
    elif item.start is None and item.mutation_class:  # a class of events in the gene
        mutation_class = item.mutation_class.lower()
        if mutation_class in CNA_CLASS_CALLS:
            keys.append(("cna", gene))
        elif mutation_class in _MUTATION_CLASS_TERMS:
            keys.append(("gene", gene))
    return keys


def _exon_class(item: EvidenceItem) -> str:
    mutation_class = (item.mutation_class or "any").lower()
    return _EXON_CLASS_ALIASES.get(mutation_class, mutation_class)


# --- matching ------------------------------------------------------------------------------


def match_evidence(variant: Variant, index: EvidenceIndex) -> tuple[EvidenceMatch, ...]:
    """All evidence items that apply to ``variant``, each once at its most precise level,
    ordered most precise first (then by evidence id, for stable reports)."""
    found: dict[str, EvidenceMatch] = {}

    def add(items: Iterable[EvidenceItem], level: MatchLevel) -> None:
        for item in items:
            if item.evidence_id not in found:
                found[item.evidence_id] = EvidenceMatch(item, level)

    add(index.by_allele.get(allele_key(variant.chrom, variant.pos, variant.ref, variant.alt), ()),
        MatchLevel.GENOMIC)  # fmt: skip
    csq = variant.consequence
    if csq is not None and csq.gene:
        gene = csq.gene.upper()
        terms = frozenset(csq.terms)
        if csq.hgvsp:
            add(index.by_hgvsp.get((gene, normalise_hgvsp(csq.hgvsp)), ()), MatchLevel.HGVSP)
        if "missense_variant" in terms and csq.protein_position is not None:
            add(index.by_codon.get((gene, csq.protein_position), ()), MatchLevel.CODON)
        if csq.exon is not None:
            exon_items = index.by_exon.get((gene, csq.exon), ())
            add((i for i in exon_items if terms & _MUTATION_CLASS_TERMS[_exon_class(i)]),
                MatchLevel.EXON)  # fmt: skip
        gene_items = index.by_gene.get(gene, ())
        add((i for i in gene_items if _gene_class_matches(i, terms)), MatchLevel.GENE)
    return _ordered(found.values())


def _gene_class_matches(item: EvidenceItem, terms: frozenset[str]) -> bool:
    return bool(terms & _MUTATION_CLASS_TERMS[(item.mutation_class or "").lower()])


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
    return consequence is not None and bool(LOF_TERMS.intersection(consequence.terms))


def is_protein_altering(consequence: Consequence | None) -> bool:
    """True when the consequence changes the protein or canonical splicing."""
    return consequence is not None and bool(
        PROTEIN_ALTERING_TERMS.intersection(consequence.terms)
    )
