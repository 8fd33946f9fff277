"""CIViC variant names -> what a sample's variant must look like to match.

CIViC names variants the way papers do (``V600E``, ``G12``, ``EXON 19 DELETION``,
``Loss-of-function``, ``Amplification``). The reporter matches on structured fields, so each
name is parsed once here, by the ordered pattern table ``NAME_RULES``; names nobody can match on
a DNA variant (expression, methylation, fusions, wild type) are refused with a reason.

``mutation_class`` vocabulary (shared with the reporter, documented in docs/bundle.md):
``missense``, ``nonsense``, ``frameshift``, ``inframe_deletion``, ``inframe_insertion``,
``inframe_indel``, ``splice``, ``any``, ``gain_of_function``, ``loss_of_function``,
``truncating``, ``amplification``, ``deletion``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_PAREN = re.compile(r"\s*\(.*?\)\s*")  # "L858R (c.2573T>G)" -> "L858R"


@dataclass(frozen=True, slots=True)
class MatchTarget:
    """The structured part of an evidence item that a variant is matched against."""

    hgvsp: str | None = None  # one-letter short form, "p.V600E"
    codon: int | None = None
    exon: int | None = None
    mutation_class: str | None = None
    precise: bool = False  # True when the CIViC coordinates describe this exact change


@dataclass(frozen=True, slots=True)
class Unmatchable:
    """Why a CIViC variant cannot become a DNA-level match target (``code`` is the short
    key the compile report counts by)."""

    code: str
    reason: str


def _substitution(m: re.Match[str]) -> MatchTarget:
    ref, pos, alt = m.group(1), int(m.group(2)), m.group(3)
    kind = "nonsense" if alt in "*X" else "missense"
    alt = "*" if alt in "*X" else alt
    return MatchTarget(
        hgvsp=f"p.{ref}{pos}{alt}", codon=pos, mutation_class=kind, precise=True
    )


def _codon(m: re.Match[str]) -> MatchTarget:
    return MatchTarget(codon=int(m.group(2)), mutation_class="any")


def _frameshift(m: re.Match[str]) -> MatchTarget:
    return MatchTarget(codon=int(m.group(2)), mutation_class="frameshift", precise=True)


def _protein_indel(m: re.Match[str]) -> MatchTarget:
    first, op = int(m.group(2)), m.group(4).lower()
    kind = {
        "del": "inframe_deletion",
        "ins": "inframe_insertion",
        "dup": "inframe_insertion",
    }
    text = f"p.{m.group(1)}{m.group(2)}{m.group(3) or ''}{op}{m.group(5) or ''}"
    return MatchTarget(
        hgvsp=text,
        codon=first,
        mutation_class=kind.get(op, "inframe_indel"),
        precise=True,
    )


def _exon(m: re.Match[str]) -> MatchTarget:
    exon, what = int(m.group(1)), m.group(2).upper()
    kind = {
        "DELETION": "inframe_deletion", "DELETIONS": "inframe_deletion",
        "INSERTION": "inframe_insertion", "INSERTIONS": "inframe_insertion",
        "SKIPPING": "splice", "SKIPPING MUTATION": "splice", "FRAMESHIFT": "frameshift",
    }.get(what, "any")  # fmt: skip
    return MatchTarget(exon=exon, mutation_class=kind)


def _gene_level(kind: str) -> Callable[[re.Match[str]], MatchTarget]:
    return lambda _m: MatchTarget(mutation_class=kind)


def _unmatchable(code: str, reason: str) -> Callable[[re.Match[str]], Unmatchable]:
    return lambda _m: Unmatchable(code, reason)


# (regex on the upper-cased name, constructor). The first full match wins.
NAME_RULES: tuple[
    tuple[str, Callable[[re.Match[str]], MatchTarget | Unmatchable]], ...
] = (
    (r"([A-Z])(\d+)([A-Z*])", _substitution),  # V600E, R248*
    (r"([A-Z])(\d+)", _codon),  # V600, G12
    (r"([A-Z])(\d+)([A-Z])/([A-Z])", _codon),  # V600E/K
    (r"([A-Z])(\d+)[A-Z]?FS(?:\*|X|TER)?(\d+)?", _frameshift),  # P968FS, R135FSX177
    (
        r"([A-Z])(\d+)(_[A-Z]\d+)?(DELINS|DEL|INS|DUP)([A-Z]*)",
        _protein_indel,
    ),  # K618DEL
    (
        (
            r"EXON (\d+) (DELETIONS?|INSERTIONS?|MUTATIONS?|SKIPPING(?: MUTATION)?|FRAMESHIFT|"
            r"VARIANT)"
        ),
        _exon,
    ),
    (r"SPLICE SITE|SPLICE SITE MUTATION", _gene_level("splice")),
    (r"FRAMESHIFT(?: MUTATION)?", _gene_level("frameshift")),
    (r"(?:MUTATIONS?|SOMATIC MUTATION|ALTERATION)", _gene_level("any")),
    (r"(?:MISSENSE(?: MUTATION)?|MISSENSE VARIANT)", _gene_level("missense")),
    (
        (
            r"(?:LOSS-OF-FUNCTION|LOSS OF FUNCTION|INACTIVATING MUTATION|DELETERIOUS MUTATION|"
            r"BIALLELIC INACTIVATION)"
        ),
        _gene_level("loss_of_function"),
    ),
    (
        r"(?:TRUNCATING MUTATION|FRAMESHIFT TRUNCATION|TRUNCATION|NONSENSE MUTATION)",
        _gene_level("truncating"),
    ),
    (
        r"(?:ACTIVATING MUTATION|GAIN-OF-FUNCTION|GAIN OF FUNCTION)",
        _gene_level("gain_of_function"),
    ),
    (r"(?:AMPLIFICATION|COPY NUMBER GAIN)", _gene_level("amplification")),
    (
        r"(?:DELETION|LOSS|COPY NUMBER LOSS|HOMOZYGOUS DELETION)",
        _gene_level("deletion"),
    ),
    (
        r".*(?:EXPRESSION|METHYLATION|PHOSPHORYLATION|SERUM LEVELS|SPLICE VARIANT \d+|ISOFORM).*",
        _unmatchable(
            "expression", "expression, methylation or isoform level: not a DNA variant"
        ),
    ),
    (
        r".*(?:::|FUSION|REARRANGEMENT|TRANSLOCATION).*|[A-Z0-9]+-[A-Z0-9]+(?: .*)?",
        _unmatchable(
            "fusion", "fusion or rearrangement: not matched from a small-variant VCF"
        ),
    ),
    (
        r"WILD ?TYPE|WT",
        _unmatchable("wild type", "wild type: absence of a variant is not matched"),
    ),
)
_COMPILED = tuple((re.compile(p), f) for p, f in NAME_RULES)


def parse_variant_name(name: str) -> MatchTarget | Unmatchable:
    """Parse a CIViC variant name (without the gene) into a match target or a refusal."""
    text = _PAREN.sub(" ", name).strip().upper()
    text = " ".join(text.split())
    if text.startswith(("C.", "RS")):
        return MatchTarget(
            precise=True
        )  # cDNA/rsID names: only the coordinates can match
    for pattern, build in _COMPILED:
        m = pattern.fullmatch(text)
        if m:
            return build(m)
    return Unmatchable("unparsed name", f"variant name {name!r} has no known pattern")
