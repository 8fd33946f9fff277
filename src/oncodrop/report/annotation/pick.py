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

import gzip
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

from oncodrop.domain.consequences import rank

T = TypeVar("T")

# Biotype classes, best first (rule 4).
TRANSLATED_BIOTYPES = frozenset({
    "nonsense_mediated_decay", "NMD", "non_stop_decay", "polymorphic_pseudogene",
    "IG_C_gene", "IG_D_gene", "IG_J_gene", "IG_V_gene", "TR_C_gene", "TR_D_gene", "TR_J_gene",
    "TR_V_gene", "protein_coding_LoF",
})  # fmt: skip
# GFF3 ``tag`` values that stand in for "canonical" when the model has no canonical tag (rule 3).
CANONICAL_PROXY_TAGS: tuple[str, ...] = ("appris_principal", "CCDS", "basic")


@dataclass(frozen=True, slots=True)
class TranscriptFacts:
    """What an Ensembl GFF3 says about one transcript (``tag=`` values, CDS length)."""

    transcript: str
    biotype: str = ""
    tags: frozenset[str] = frozenset()
    cds_length: int = 0
    strand: str = "+"
    exons: tuple[tuple[int, int], ...] = ()  # 1-based inclusive genomic spans, ascending
    cds: tuple[int, int] | None = None  # genomic span of the coding sequence (incl. stop)
    gene: str = ""  # the parent gene's Name (HGNC symbol), as BCSQ names genes
    seqid: str = ""  # the GFF3 contig (as the FASTA csq ran with names it)
    cds_phase: int = 0  # GFF3 phase of the CDS row at the transcript's 5' end (!= 0: cds_start_NF)

    def covers(self, pos: int) -> bool:
        """``pos`` lies between the transcript's first and last exon (introns included)."""
        return bool(self.exons) and self.exons[0][0] <= pos <= self.exons[-1][1]

    @property
    def mane(self) -> bool:
        return "MANE_Select" in self.tags

    @property
    def canonical(self) -> bool:
        return "Ensembl_canonical" in self.tags

    @property
    def canonical_rank(self) -> int:
        """0 for a tagged canonical, then the proxy tags in order, len+1 for none."""
        if self.canonical:
            return 0
        for i, tag in enumerate(CANONICAL_PROXY_TAGS, start=1):
            if tag in self.tags:
                return i
        return len(CANONICAL_PROXY_TAGS) + 1


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


def _attributes(column: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in column.strip().split(";"):
        if "=" in item:
            key, value = item.split("=", 1)
            out[key] = unquote(value)
    return out


class GeneModel(dict[str, TranscriptFacts]):
    """Transcript id -> facts, remembering the GFF3 they were read from (indel HGVSc reads the
    genome FASTA that sits beside it: ``annotation.hgvs_indel``)."""

    __slots__ = ("gff3",)

    def __init__(self, gff3: Path) -> None:
        super().__init__()
        self.gff3 = gff3


@lru_cache(maxsize=4)
def transcript_facts(gff3: Path) -> Mapping[str, TranscriptFacts]:
    """Transcript id -> facts from an Ensembl-style GFF3 (plain or gzipped): ``tag=`` values,
    biotype, contig and strand of each transcript row, its exons and the span, length and 5'
    phase of its CDS."""
    opener = gzip.open if str(gff3).endswith(".gz") else open
    rows: dict[str, tuple[str, frozenset[str], str, str, str]] = {}
    gene_names: dict[str, str] = {}
    cds: dict[str, list[tuple[int, int]]] = {}
    phases: dict[tuple[str, int, int], int] = {}
    exons: dict[str, list[tuple[int, int]]] = {}
    with opener(gff3, "rt") as handle:  # type: ignore[operator]
        for line in handle:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 9 or not (cols[3].isdigit() and cols[4].isdigit()):
                continue
            attrs = _attributes(cols[8])
            span = (int(cols[3]), int(cols[4]))
            if cols[2] in ("CDS", "exon"):
                parent = attrs.get("Parent", "").removeprefix("transcript:")
                if parent:
                    (cds if cols[2] == "CDS" else exons).setdefault(parent, []).append(span)
                    if cols[2] == "CDS" and cols[7] in ("1", "2"):
                        phases[(parent, *span)] = int(cols[7])
                continue
            ident = attrs.get("ID", "")
            if ident.startswith("gene:"):
                gene_names[ident] = attrs.get("Name", "")
            elif ident.startswith("transcript:"):
                tags = frozenset(t for t in attrs.get("tag", "").split(",") if t)
                rows[ident.removeprefix("transcript:")] = (attrs.get("biotype", ""), tags, cols[6],
                                                           attrs.get("Parent", ""), cols[0])  # fmt: skip
    facts = GeneModel(gff3)
    for tid, (biotype, tags, strand, parent, seqid) in rows.items():
        parts = sorted(cds.get(tid, ()))
        first = (parts[-1] if strand == "-" else parts[0]) if parts else None
        facts[tid] = TranscriptFacts(
            tid, biotype, tags,
            cds_length=sum(end - start + 1 for start, end in parts),
            strand=strand,
            exons=tuple(sorted(exons.get(tid, ()))),
            cds=(parts[0][0], parts[-1][1]) if parts else None,
            gene=gene_names.get(parent, ""),
            seqid=seqid,
            cds_phase=phases.get((tid, *first), 0) if first else 0,
        )  # fmt: skip
    return facts


_BY_GENE: dict[int, tuple[Mapping[str, TranscriptFacts], dict[str, tuple[TranscriptFacts, ...]]]] = {}


def transcripts_of_gene(facts: Mapping[str, TranscriptFacts], gene: str) -> tuple[TranscriptFacts, ...]:
    """The transcripts of ``gene`` (by symbol) in ``facts``; the index is built once per
    mapping (``transcript_facts`` returns the same mapping for the same GFF3)."""
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
