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
    ix = layout.index
    out = []
    for block in blocks:
        terms = sort_terms(_col(block, ix["Consequence"]).split("&"))
        out.append(effect_summary(_col(block, ix.get("SYMBOL", -1)), _col(block, ix.get("Feature", -1)),
                                  terms, hgvs.to_short(_col(block, ix.get("HGVSp", -1)))))
    return tuple(out)


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
    best = _choose(blocks, layout)
    f = dict(zip(layout.fields, best, strict=False))  # field name -> value, for this block
    terms = sort_terms(f.get("Consequence", "").split("&"))
    raw_hgvsp = f.get("HGVSp", "")
    hgvsp = hgvs.to_short(raw_hgvsp)
    exon, exon_count = rank_of(f.get("EXON"))
    hgvsc = f.get("HGVSc")
    consequence = Consequence(
        gene=f.get("SYMBOL") or None,
        terms=terms,
        impact=f.get("IMPACT") or (impact(terms[0]) if terms else "MODIFIER"),
        transcript=f.get("Feature") or None,
        biotype=f.get("BIOTYPE") or None,
        hgvsc=hgvs.strip_transcript(hgvs.unescape(hgvsc)) if hgvsc else None,
        hgvsp=hgvsp,
        hgvsp_long=hgvs.long_form(raw_hgvsp),
        protein_position=first_int(f.get("Protein_position")) or hgvs.protein_position(hgvsp),
        exon=exon,
        exon_count=exon_count,
        canonical=f.get("CANONICAL") == "YES",
        source="VEP",
        all_effects=_summaries(blocks, layout),
    )
    population_af = None
    for name in POPULATION_AF_FIELDS:
        population_af = to_float(f.get(name))
        if population_af is not None:
            break
    existing = f.get("Existing_variation", "")
    predictions = tuple(
        (name, value) for name in PREDICTION_FIELDS
        if (value := f.get(name, "")) and value not in {".", "-"}
    )  # fmt: skip
    return Annotation(
        consequence=consequence,
        population_af=population_af,
        population_checked=any("gnomad" in name.lower() for name in layout.fields),
        predictions=predictions,
        dbsnp=_existing(existing, ("rs",)),
        cosmic=_existing(existing, ("COSV", "COSM")),
    )
