"""One transcript per variant, by one documented order whatever the annotation source.

The order follows Ensembl VEP's ``--pick`` (``--pick_order mane_select,canonical,appris,tsl,
biotype,ccds,rank,length``), reduced to what VEP CSQ, snpEff ANN, bcftools BCSQ and an
Ensembl GFF3 can tell; the first rule that separates two candidates decides:

1. the annotator's own pick (VEP ``PICK=1``);
2. MANE Select (VEP ``MANE_SELECT``; GFF3 ``tag=MANE_Select``);
3. canonical (VEP ``CANONICAL=YES``; GFF3 ``tag=Ensembl_canonical``); a gene model without
   canonical tags (GENCODE 19 / Ensembl ≤ 103) ranks by Ensembl's own pre-MANE rule:
   APPRIS principal, then CCDS, then GENCODE basic;
4. biotype: ``protein_coding`` first, then other translated biotypes (NMD, non-stop decay,
   IG/TR genes), then non-coding transcripts, then non-transcript features (regulatory);
5. severity of the transcript's most severe term (``domain.consequences`` order);
6. longer coding sequence (when the gene model says), then the annotator's own order.

Each annotation parser turns its entries into ``Candidate`` rows and calls ``pick``; every
candidate's effect is kept as a one-line summary (``effect_summary``) for the TSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from oncodrop.domain.consequences import rank
from oncodrop.refdata.transcripts import CANONICAL_PROXY_TAGS, TranscriptFacts
from oncodrop.report.annotation.gene_model import facts_of

__all__ = ["CANONICAL_PROXY_TAGS", "Candidate", "TranscriptFacts", "effect_summary", "pick", "pick_key",
           "transcripts_of_gene"]  # fmt: skip

T = TypeVar("T")

# Biotype classes, best first (rule 4).
TRANSLATED_BIOTYPES = frozenset({
    "nonsense_mediated_decay", "NMD", "non_stop_decay", "polymorphic_pseudogene",
    "IG_C_gene", "IG_D_gene", "IG_J_gene", "IG_V_gene", "TR_C_gene", "TR_D_gene", "TR_J_gene",
    "TR_V_gene", "protein_coding_LoF",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    """One transcript's (or feature's) effect as the pick order sees it."""

    transcript: str
    terms: tuple[str, ...]
    biotype: str = ""
    picked: bool = False  # the annotator flagged it (VEP PICK=1)
    mane: bool = False
    canonical: bool = False
    is_transcript: bool = True  # False for regulatory/motif features and intergenic rows


def biotype_class(biotype: str, is_transcript: bool = True) -> int:
    if not is_transcript:
        return 3
    if biotype == "protein_coding":
        return 0
    if biotype in TRANSLATED_BIOTYPES:
        return 1
    return 2


def pick_key(
    candidate: Candidate, facts: Mapping[str, TranscriptFacts] | None = None
) -> tuple[int, int, int, int, int, int]:
    """The sort key of the documented order (smaller is better)."""
    fact = (facts or {}).get(candidate.transcript)
    mane = candidate.mane or (fact is not None and fact.mane)
    if candidate.canonical:
        canonical = 0
    elif fact is not None:
        canonical = fact.canonical_rank
    else:
        canonical = len(CANONICAL_PROXY_TAGS) + 1
    severity = min((rank(t) for t in candidate.terms), default=10**6)
    return (
        0 if candidate.picked else 1,
        0 if mane else 1,
        canonical,
        biotype_class(candidate.biotype or (fact.biotype if fact else ""), candidate.is_transcript),
        severity,
        -(fact.cds_length if fact else 0),
    )


def pick(
    items: Sequence[T],
    candidate_of: Callable[[T], Candidate],
    facts: Mapping[str, TranscriptFacts] | None = None,
) -> T:
    """The item whose candidate comes first in the pick order (``items`` must not be empty)."""
    best = min(range(len(items)), key=lambda i: (pick_key(candidate_of(items[i]), facts), i))
    return items[best]


def effect_summary(gene: str | None, transcript: str | None, terms: Iterable[str], hgvsp: str | None = None) -> str:
    """``BRCA1:ENST00000357654:missense_variant:p.V1804D`` (empty parts left out)."""
    return ":".join(filter(None, (gene, transcript, "&".join(terms), hgvsp)))


_BY_GENE: dict[int, tuple[Mapping[str, TranscriptFacts], dict[str, tuple[TranscriptFacts, ...]]]] = {}


def transcripts_of_gene(facts: Mapping[str, TranscriptFacts], gene: str) -> tuple[TranscriptFacts, ...]:
    """The transcripts of ``gene`` (by symbol) in ``facts``; the index is built once per
    mapping (``Bundle.transcripts`` returns the same mapping for the same file; a
    ``GeneModel`` is indexed by the facts it wraps)."""
    facts = facts_of(facts)
    held = _BY_GENE.get(id(facts))
    if held is None or held[0] is not facts:
        index: dict[str, list[TranscriptFacts]] = {}
        for fact in facts.values():
            if fact.gene:
                index.setdefault(fact.gene, []).append(fact)
        if len(_BY_GENE) >= 4:
            _BY_GENE.clear()
        held = (facts, {g: tuple(ts) for g, ts in index.items()})
        _BY_GENE[id(facts)] = held
    return held[1].get(gene, ())
