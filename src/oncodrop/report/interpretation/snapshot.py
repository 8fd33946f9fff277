"""The interpretation input kept inside every successful output (``interpretation.json.gz``).

What a later re-interpretation needs, and nothing the output does not already show: the
variants the report kept (normalised, with their consequence, population frequency and
allelic support), the effective sample config, the metrics and copy-number calls as reported
(re-interpretation does not recompute them), and the interpretation itself in a compact form
(``Interpretation``: per variant its tier, evidence, therapies, oncogenicity; per germline
variant its ClinVar record, ACMG points and class), which a later run diffs against.

Versioned: ``SCHEMA`` names the layout; a reader refuses a layout it does not know.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from oncodrop.domain.classification import Classification, Finding, Tier
from oncodrop.domain.copynumber import GeneCopyNumber
from oncodrop.domain.evidence import EvidenceMatch
from oncodrop.domain.kind import SampleKind
from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.interpretation.codec import decode_as, encode
from oncodrop.report.interpretation.stream import (
    EncodedArray,
    Patched,
    element_json,
    write_json_gz,
    write_json_gz_file,
)
from oncodrop.report.write.content import (
    CNA_CALL_NAMES,
    BundleInfo,
    ReportContent,
    tier_therapies,
    variant_label,
)

SCHEMA = "oncodrop.interpretation/1"
FILE_NAME = "interpretation.json.gz"


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """One matched evidence item as the diff names it (the bundle it came from may be gone)."""

    evidence_id: str
    level: str
    evidence_type: str
    significance: str
    disease: str
    therapies: tuple[str, ...] = ()
    match_level: str = ""


@dataclass(frozen=True, slots=True)
class Call:
    """What the report concluded about one variant or gene copy-number call.

    Somatic: ``tier`` (with its reason), the matched evidence, the therapies of the items that
    earn the tier, the oncogenicity class. Germline: the final class, ClinVar's significance,
    the ACMG points class and criteria.
    """

    key: str  # "7:140453136:A>T", or "cna:ERBB2" for a copy-number call
    label: str  # "BRAF p.V600E", "ERBB2 amplification"
    tier: str | None = None
    reason: str = ""
    evidence: tuple[EvidenceRef, ...] = ()
    therapies: tuple[str, ...] = ()
    oncogenicity: str | None = None
    germline_class: str | None = None
    clinvar: str | None = None  # "Uncertain significance (1★)"
    acmg: str | None = None  # "VUS (+2)"
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Interpretation:
    """Every call of one report, and the bundle it was made with."""

    bundle: BundleInfo
    calls: tuple[Call, ...]

    def by_key(self) -> dict[str, Call]:
        return {c.key: c for c in self.calls}


@dataclass(frozen=True, slots=True)
class InterpretationInput:
    """The stored input: the variants the findings were made from, the interpretation of this
    output, and ``content``: the report content without its findings, as encoded JSON
    (``ReportContent`` for somatic, ``GermlineContent`` for normal samples; the kind's
    re-interpreter decodes it with ``codec.decode_as``)."""

    kind: SampleKind
    variants: tuple[Variant, ...]
    interpretation: Interpretation
    content: Any
    schema: str = SCHEMA


# -- from a finished report -----------------------------------------------------------------


def _ref(match: EvidenceMatch) -> EvidenceRef:
    item = match.evidence
    return EvidenceRef(item.evidence_id, item.level, item.evidence_type.value, item.significance,
                       item.disease, item.therapies, match.match_level.value)  # fmt: skip


def finding_call(finding: Finding, tumor_site: str | None) -> Call:
    evidence = finding.evidence  # most findings have none: no evidence, no therapies
    return Call(
        key=finding.variant.key, label=variant_label(finding.variant), tier=finding.tier.value,
        reason=finding.tier_reason, evidence=tuple(map(_ref, evidence)) if evidence else (),
        therapies=tier_therapies(finding, tumor_site) if evidence else (),
        oncogenicity=finding.oncogenicity.label if finding.oncogenicity else None,
    )  # fmt: skip


def finding_call_json(finding: Finding, tumor_site: str | None) -> str:
    """``element_json(finding_call(finding, tumor_site))``, for a streamed report's every
    finding. A finding without evidence has a call of its key, label, tier, reason and
    oncogenicity only (sorted: ``key`` and ``label`` first): everything after the label is made
    once per distinct (tier, reason, oncogenicity object), by ``element_json`` itself."""
    if finding.evidence:
        return element_json(finding_call(finding, tumor_site))
    v, o = finding.variant, finding.oncogenicity
    facts = (finding.tier, finding.tier_reason, id(o))
    held = _CALL_TAILS.get(facts)
    if held is None or held[0] is not o:
        text = element_json(finding_call(replace(finding, variant=_BLANK), tumor_site))
        if not text.startswith(_BLANK_HEAD):  # (another layout: no shared tail)
            return element_json(finding_call(finding, tumor_site))
        if len(_CALL_TAILS) >= 4096:
            _CALL_TAILS.clear()
        held = _CALL_TAILS[facts] = (o, text[len(_BLANK_HEAD) :])  # the object held: its id is not reused
    return f'{{"key":{element_json(v.key)},"label":{element_json(variant_label(v))}{held[1]}'


_BLANK = Variant("", 0, "", "")
_BLANK_HEAD = '{"key":' + element_json(_BLANK.key) + ',"label":' + element_json(variant_label(_BLANK))
_CALL_TAILS: dict[tuple[Tier, str, int], tuple[Classification | None, str]] = {}


def cna_call(gene: GeneCopyNumber) -> Call:
    return Call(
        key=f"cna:{gene.gene}", label=f"{gene.gene} {CNA_CALL_NAMES.get(gene.call, gene.call.value)}",
        tier=gene.tier.value if gene.tier else None, evidence=tuple(_ref(m) for m in gene.evidence),
        therapies=tuple(sorted({t for m in gene.evidence for t in m.evidence.therapies})),
    )  # fmt: skip


def somatic_interpretation(content: ReportContent) -> Interpretation:
    site = content.config.sample.tumor_site
    calls = [finding_call(f, site) for f in content.findings]
    calls += [cna_call(g) for g in content.altered_cna]
    return Interpretation(content.bundle, tuple(calls))


def somatic_input(content: ReportContent, variants: tuple[Variant, ...]) -> InterpretationInput:
    """The input of a somatic report: its content minus what the bundle decides."""
    return InterpretationInput(
        kind="somatic", variants=variants, interpretation=somatic_interpretation(content),
        content=_bare_content(content),
    )  # fmt: skip


def _bare_content(content: ReportContent) -> Any:
    bare_cna = tuple(replace(g, evidence=(), tier=None) for g in content.cna) if content.cna is not None else None
    return encode(replace(content, findings=(), cna=bare_cna, rows=None, tallied=None))


def write_streamed_input(out_dir: Path, content: ReportContent, variants: Iterable[str]) -> Path:
    """``write_input(out_dir, somatic_input(content, …))`` for a streamed report (``content.rows``
    set): its variants (read order) and its findings' calls (report order, ``finding_call``)
    come as element texts (``stream.element_json``) spilled while it classified them; the bytes
    are the same."""
    if content.rows is None:
        raise ValueError("write_streamed_input needs a streamed report (content.rows)")
    value = InterpretationInput(kind="somatic", variants=(), interpretation=Interpretation(content.bundle, ()),
                                content=_bare_content(content))  # fmt: skip
    calls = itertools.chain(content.rows.texts("call"), (element_json(cna_call(g)) for g in content.altered_cna))
    interpretation = Patched(value.interpretation, {"calls": EncodedArray(calls)})
    extra = {"schema": value.schema, "variants": EncodedArray(variants), "interpretation": interpretation}
    return write_json_gz_file(out_dir / FILE_NAME, value, extra)


# -- bytes ----------------------------------------------------------------------------------


def dumps(value: InterpretationInput) -> bytes:
    """Compact gzip'd JSON, the same bytes for the same input (no gzip time or name)."""
    buffer = io.BytesIO()
    write_json_gz(buffer, value, {"schema": value.schema})
    return buffer.getvalue()


def loads(data: bytes, *, source: str = FILE_NAME) -> InterpretationInput:
    """Parse a stored input; ``InputRejected`` (corrupt_tarball) names the file when it is
    damaged or of a layout this version does not read: retrying cannot help."""
    try:
        raw: Any = json.loads(gzip.decompress(data))
    except (OSError, EOFError, ValueError) as exc:
        raise InputRejected(ReasonCode.CORRUPT_TARBALL, f"{source} is not a readable interpretation input ({exc})",
                            file=source) from None  # fmt: skip
    schema = raw.get("schema", SCHEMA) if isinstance(raw, dict) else None
    if schema != SCHEMA:
        raise InputRejected(ReasonCode.CORRUPT_TARBALL,
                            f"{source} has interpretation layout {schema!r}; this oncodrop reads {SCHEMA}",
                            file=source)  # fmt: skip
    try:
        return decode_as(raw, InterpretationInput)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputRejected(ReasonCode.CORRUPT_TARBALL, f"{source} does not match layout {SCHEMA} ({exc})",
                            file=source) from None  # fmt: skip


def write_input(out_dir: Path, value: InterpretationInput) -> Path:
    """Write ``FILE_NAME`` streaming: the document is never one string in memory."""
    return write_json_gz_file(out_dir / FILE_NAME, value, {"schema": value.schema})
