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
from oncodrop.domain.variant import Consequence
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.annotation import hgvs
from oncodrop.report.annotation.common import Annotation, first_int, rank_of, to_float
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
class CsqLayout:
    """Names of the ``|``-separated CSQ fields, in header order."""

    fields: tuple[str, ...]
    index: Mapping[str, int] = field(default_factory=dict)

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


def _candidate(layout: CsqLayout) -> Callable[[list[str]], Candidate]:
    """How a CSQ block reads as a pick candidate (``annotation.pick``)."""
    ix = layout.index

    def get(block: list[str], name: str) -> str:
        return _col(block, ix.get(name, -1))

    def candidate(block: list[str]) -> Candidate:
        return Candidate(
            transcript=get(block, "Feature"),
            terms=tuple(t for t in get(block, "Consequence").split("&") if t),
            biotype=get(block, "BIOTYPE"),
            picked=get(block, "PICK") == "1",
            mane=bool(get(block, "MANE_SELECT") or get(block, "MANE")),
            canonical=get(block, "CANONICAL") == "YES",
            is_transcript=get(block, "Feature_type") in ("Transcript", ""),
        )

    return candidate


def _choose(blocks: list[list[str]], layout: CsqLayout) -> list[str]:
    """VEP's PICK=1, else MANE Select, canonical, biotype, severity (``annotation.pick``)."""
    return pick(blocks, _candidate(layout))


def _summaries(blocks: list[list[str]], layout: CsqLayout) -> tuple[str, ...]:
    ix = _indexes(layout)
    out = []
    for block in blocks:
        terms = _sorted_terms(_col(block, ix.consequence))
        out.append(effect_summary(_col(block, ix.symbol), _col(block, ix.feature), terms,
                                  _short(_col(block, ix.hgvsp))))  # fmt: skip
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Indexes:
    """Where the fields ``parse_csq`` reads sit in a layout (-1: absent), worked out once."""

    consequence: int
    symbol: int
    feature: int
    hgvsp: int
    hgvsc: int
    impact: int
    biotype: int
    exon: int
    protein_position: int
    canonical: int
    existing: int
    population: tuple[int, ...]
    predictions: tuple[tuple[str, int], ...]
    population_checked: bool


@lru_cache(maxsize=64)
def _indexes_of(fields: tuple[str, ...]) -> _Indexes:
    ix = {name: i for i, name in enumerate(fields)}  # the last of a repeated name, as a dict
    return _Indexes(
        ix.get("Consequence", -1), ix.get("SYMBOL", -1), ix.get("Feature", -1),
        ix.get("HGVSp", -1), ix.get("HGVSc", -1), ix.get("IMPACT", -1), ix.get("BIOTYPE", -1),
        ix.get("EXON", -1), ix.get("Protein_position", -1), ix.get("CANONICAL", -1),
        ix.get("Existing_variation", -1),
        tuple(ix[name] for name in POPULATION_AF_FIELDS if name in ix),
        tuple((name, ix[name]) for name in PREDICTION_FIELDS if name in ix),
        any("gnomad" in name.lower() for name in fields),
    )  # fmt: skip


def _indexes(layout: CsqLayout) -> _Indexes:
    return _indexes_of(layout.fields)


@lru_cache(maxsize=4096)
def _sorted_terms(consequence: str) -> tuple[str, ...]:
    """``sort_terms`` of a ``&``-joined Consequence cell (few distinct cells per file)."""
    return sort_terms(consequence.split("&"))


def _short(raw_hgvsp: str) -> str | None:
    return hgvs.to_short(raw_hgvsp) if raw_hgvsp else None


def _blocks_for_allele(
    entries: Sequence[str], layout: CsqLayout, alleles: Sequence[str], allele_num: int
) -> list[list[str]]:
    blocks = [entry.split("|") for entry in entries]
    number = layout.index.get("ALLELE_NUM", -1)
    if number >= 0:
        wanted = str(allele_num)
        chosen = [b for b in blocks if _col(b, number) == wanted]
        if chosen:
            return chosen
    allele = layout.index["Allele"]
    return [b for b in blocks if _col(b, allele) in alleles]


def _existing(ids: str, prefixes: tuple[str, ...]) -> str | None:
    for ident in ids.split("&"):
        if ident.startswith(prefixes):
            return ident
    return None


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
    """
    blocks = _blocks_for_allele(entries, layout, alleles, allele_num)
    if not blocks and single_alt:
        blocks = [entry.split("|") for entry in entries]
    if not blocks:
        return None
    best = blocks[0] if len(blocks) == 1 else _choose(blocks, layout)
    ix = _indexes(layout)
    terms = _sorted_terms(_col(best, ix.consequence))
    raw_hgvsp = _col(best, ix.hgvsp)
    hgvsp = _short(raw_hgvsp)
    exon, exon_count = rank_of(_col(best, ix.exon))
    hgvsc = _col(best, ix.hgvsc)
    consequence = Consequence(
        gene=intern(_col(best, ix.symbol)) or None,  # few distinct: one string each
        terms=terms,
        impact=intern(_col(best, ix.impact)) or (impact(terms[0]) if terms else "MODIFIER"),
        transcript=_col(best, ix.feature) or None,
        biotype=intern(_col(best, ix.biotype)) or None,
        hgvsc=hgvs.strip_transcript(hgvs.unescape(hgvsc)) if hgvsc else None,
        hgvsp=hgvsp,
        hgvsp_long=hgvs.long_form(raw_hgvsp),
        protein_position=first_int(_col(best, ix.protein_position)) or hgvs.protein_position(hgvsp),
        exon=exon,
        exon_count=exon_count,
        canonical=_col(best, ix.canonical) == "YES",
        source="VEP",
        all_effects=_summaries(blocks, layout),
    )
    population_af = None
    for i in ix.population:
        population_af = to_float(_col(best, i))
        if population_af is not None:
            break
    existing = _col(best, ix.existing)
    predictions = tuple(
        (name, value) for name, i in ix.predictions
        if (value := _col(best, i)) and value not in {".", "-"}
    )  # fmt: skip
    return Annotation(
        consequence=consequence,
        population_af=population_af,
        population_checked=ix.population_checked,
        predictions=predictions,
        dbsnp=_existing(existing, ("rs",)),
        cosmic=_existing(existing, ("COSV", "COSM")),
    )
