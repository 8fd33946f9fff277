"""Ensembl VEP ``INFO/CSQ``: pick one transcript's consequence per ALT allele.

Choice order: the shared pick order (``annotation.pick``, like VEP ``--pick``): the block VEP
flagged ``PICK=1``; else MANE Select; else ``CANONICAL=YES``; then biotype (protein-coding
transcripts first, regulatory features last); then the most severe consequence. Every block's
effect is kept in ``Consequence.all_effects``. The field list comes from the header (``Format: Allele|Consequence|…``),
so any VEP version and plugin set is read by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from sys import intern

from oncodrop.domain.consequences import impact, sort_terms
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.annotation import hgvs
from oncodrop.report.annotation.common import Annotation, first_int, rank_of, to_float
from oncodrop.report.annotation.makers import make_annotation, make_consequence
from oncodrop.report.annotation.pick import Candidate, effect_summary, pick

# Population allele frequency columns, most specific first (gnomAD exomes, then genomes, 1000G).
POPULATION_AF_FIELDS: tuple[str, ...] = (
    "gnomADe_AF", "gnomAD_AF", "gnomAD_exomes_AF", "gnomADg_AF", "gnomAD_genomes_AF", "AF",
)  # fmt: skip

PREDICTION_FIELDS: tuple[str, ...] = (
    "SIFT", "PolyPhen", "am_class",  # VEP core and the AlphaMissense plugin
    "SIFT_pred", "SIFT4G_pred", "Polyphen2_HVAR_pred", "Polyphen2_HDIV_pred", "PROVEAN_pred",
    "MutationTaster_pred", "MutationAssessor_pred", "FATHMM_pred", "fathmm-XF_coding_pred",
    "MetaRNN_pred", "MetaSVM_pred", "MetaLR_pred", "M-CAP_pred", "DEOGEN2_pred",
    "PrimateAI_pred", "LIST-S2_pred", "BayesDel_addAF_pred", "ClinPred_pred",
    "AlphaMissense_pred",  # the dbNSFP plugin's categorical calls
)  # fmt: skip
"""In-silico predictor fields carried through as raw calls (oncogenicity OP1/SBP1 reads them)."""

_FORMAT = re.compile(r"Format:\s*([^\"']+)")


@dataclass(frozen=True, slots=True)
class _Positions:
    """Where the fields ``parse_csq`` reads sit in a layout (-1: absent), worked out once per
    header so that each record's blocks are read by position, never by name."""

    width: int  # number of fields the header names
    allele: int
    allele_num: int
    picked: int
    consequence: int
    symbol: int
    feature: int
    feature_type: int
    hgvsp: int
    hgvsc: int
    impact: int
    biotype: int
    exon: int
    protein_position: int
    canonical: int
    mane: tuple[int, ...]  # MANE_SELECT, MANE
    existing: int
    population: tuple[int, ...]
    predictions: tuple[tuple[str, int], ...]
    population_checked: bool

    @classmethod
    def of(cls, fields: tuple[str, ...]) -> _Positions:
        ix = {name: i for i, name in enumerate(fields)}  # the last of a repeated name, as a dict
        at = ix.get
        return cls(
            len(fields), at("Allele", -1), at("ALLELE_NUM", -1), at("PICK", -1),
            at("Consequence", -1), at("SYMBOL", -1), at("Feature", -1), at("Feature_type", -1),
            at("HGVSp", -1), at("HGVSc", -1), at("IMPACT", -1), at("BIOTYPE", -1), at("EXON", -1),
            at("Protein_position", -1), at("CANONICAL", -1),
            tuple(ix[name] for name in ("MANE_SELECT", "MANE") if name in ix),
            at("Existing_variation", -1),
            tuple(ix[name] for name in POPULATION_AF_FIELDS if name in ix),
            tuple((name, ix[name]) for name in PREDICTION_FIELDS if name in ix),
            any("gnomad" in name.lower() for name in fields),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CsqLayout:
    """Names of the ``|``-separated CSQ fields, in header order."""

    fields: tuple[str, ...]
    index: Mapping[str, int] = field(default_factory=dict)
    positions: _Positions = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", _Positions.of(self.fields))

    @classmethod
    def from_description(cls, description: str, *, file: str | None = None) -> CsqLayout:
        match = _FORMAT.search(description)
        if not match:
            raise InputRejected(
                ReasonCode.BAD_VCF,
                "the ##INFO=<ID=CSQ> header has no 'Format: Allele|Consequence|…' field list; "
                "re-run VEP with --vcf so the header describes the CSQ fields",
                file=file,
                field="CSQ",
            )
        names = tuple(name.strip() for name in match.group(1).strip().split("|"))
        if "Consequence" not in names or "Allele" not in names:
            raise InputRejected(
                ReasonCode.BAD_VCF,
                "the CSQ header lacks Allele or Consequence; re-annotate with VEP --vcf",
                file=file,
                field="CSQ",
            )
        return cls(names, {name: i for i, name in enumerate(names)})


def _col(block: Sequence[str], i: int) -> str:
    return block[i] if 0 <= i < len(block) else ""


def _candidate(at: _Positions) -> Callable[[list[str]], Candidate]:
    """How a CSQ block reads as a pick candidate (``annotation.pick``)."""

    def candidate(block: list[str]) -> Candidate:
        return Candidate(
            transcript=_col(block, at.feature),
            terms=tuple(t for t in _col(block, at.consequence).split("&") if t),
            biotype=_col(block, at.biotype),
            picked=_col(block, at.picked) == "1",
            mane=any(_col(block, i) for i in at.mane),
            canonical=_col(block, at.canonical) == "YES",
            is_transcript=_col(block, at.feature_type) in ("Transcript", ""),
        )

    return candidate


def _choose(blocks: list[list[str]], at: _Positions) -> list[str]:
    """VEP's PICK=1, else MANE Select, canonical, biotype, severity (``annotation.pick``).

    The annotator's own pick is the first rule of the order, so a single block flagged
    ``PICK=1`` wins without reading the others as candidates."""
    if at.picked >= 0:
        flagged = [b for b in blocks if _col(b, at.picked) == "1"]
        if len(flagged) == 1:
            return flagged[0]
    return pick(blocks, _candidate(at))


@lru_cache(maxsize=4096)
def _sorted_terms(consequence: str) -> tuple[str, ...]:
    """``sort_terms`` of a ``&``-joined Consequence cell (few distinct cells per file)."""
    return sort_terms(consequence.split("&"))


def _summary(block: list[str], at: _Positions) -> str:
    raw_hgvsp = _col(block, at.hgvsp)
    return effect_summary(_col(block, at.symbol), _col(block, at.feature),
                          _sorted_terms(_col(block, at.consequence)),
                          hgvs.to_short(raw_hgvsp) if raw_hgvsp else None)  # fmt: skip


def _blocks_for_allele(
    entries: Sequence[str], at: _Positions, alleles: Sequence[str], allele_num: int
) -> list[list[str]]:
    blocks = [entry.split("|") for entry in entries]
    if at.allele_num >= 0:
        wanted = str(allele_num)
        chosen = [b for b in blocks if _col(b, at.allele_num) == wanted]
        if chosen:
            return chosen
    return [b for b in blocks if _col(b, at.allele) in alleles]


def _existing(ids: str) -> tuple[str | None, str | None]:
    """The first dbSNP (``rs``) and the first COSMIC (``COSV``/``COSM``) id of the list."""
    dbsnp = cosmic = None
    if ids:
        for ident in ids.split("&"):
            if dbsnp is None and ident.startswith("rs"):
                dbsnp = ident
            elif cosmic is None and ident.startswith(("COSV", "COSM")):
                cosmic = ident
    return dbsnp, cosmic


_PAD = [""]


def parse_csq(
    entries: Sequence[str],
    layout: CsqLayout,
    *,
    alleles: Sequence[str],
    allele_num: int = 1,
    single_alt: bool = True,
) -> Annotation | None:
    """The chosen consequence for one ALT allele, or None when no CSQ block belongs to it.

    ``alleles`` are the spellings the ALT may have in ``Allele`` (VEP's trimmed form and the
    VCF ALT); with a single ALT every block belongs to it even if the spelling differs.
    Blocks are split once and read by position; only the chosen block is read in full, and
    its protein change is parsed only when it has one.
    """
    at = layout.positions
    if single_alt and len(entries) == 1:  # the common case: one block, and it is this ALT's
        blocks = [entries[0].split("|")]
    else:
        blocks = _blocks_for_allele(entries, at, alleles, allele_num)
        if not blocks and single_alt:
            blocks = [entry.split("|") for entry in entries]
        if not blocks:
            return None
    best = blocks[0] if len(blocks) == 1 else _choose(blocks, at)
    # the chosen block cut or padded to the header's width, then one empty cell: every
    # position (absent ones are -1) reads directly
    width = at.width
    row = best + _PAD if len(best) == width else (best + [""] * width)[:width] + _PAD
    terms = _sorted_terms(row[at.consequence])
    raw_hgvsp = row[at.hgvsp]
    hgvsp_long = hgvs.long_form(raw_hgvsp) if raw_hgvsp else None  # protein change: coding only
    hgvsp = hgvs.shorten(hgvsp_long) if hgvsp_long else None
    hgvsc = row[at.hgvsc]
    exon_cell = row[at.exon]
    exon, exon_count = rank_of(exon_cell) if exon_cell else (None, None)
    symbol, feature = row[at.symbol], row[at.feature]
    summary = effect_summary(symbol, feature, terms, hgvsp)
    protein_position = row[at.protein_position]
    consequence = make_consequence(
        gene=intern(symbol) or None,  # few distinct: one string each
        terms=terms,
        impact=intern(row[at.impact]) or (impact(terms[0]) if terms else "MODIFIER"),
        transcript=feature or None,
        biotype=intern(row[at.biotype]) or None,
        hgvsc=hgvs.strip_transcript(hgvs.unescape(hgvsc)) if hgvsc else None,
        hgvsp=hgvsp,
        hgvsp_long=hgvsp_long,
        protein_position=(first_int(protein_position) if protein_position else None)
        or (hgvs.protein_position(hgvsp) if hgvsp else None),
        exon=exon,
        exon_count=exon_count,
        canonical=row[at.canonical] == "YES",
        source="VEP",
        all_effects=(summary,) if len(blocks) == 1 else
        tuple(summary if b is best else _summary(b, at) for b in blocks),
    )  # fmt: skip
    population_af = None
    for i in at.population:
        if row[i] and (population_af := to_float(row[i])) is not None:
            break
    existing = row[at.existing]
    dbsnp, cosmic = _existing(existing) if existing else (None, None)
    predictions = tuple(
        (name, value) for name, i in at.predictions if (value := row[i]) and value not in {".", "-"}
    ) if at.predictions else ()  # fmt: skip
    return make_annotation(
        consequence=consequence,
        population_af=population_af,
        population_checked=at.population_checked,
        predictions=predictions,
        dbsnp=dbsnp,
        cosmic=cosmic,
    )
