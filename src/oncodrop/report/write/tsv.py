"""``{sample}.tiers.tsv``: one row per reported variant, the table other tools read.

The column list is data (name → how to get it from a ``Finding``); the writer is one loop. Rows
come in report order (tier, then genomic position). Empty cells are empty strings, lists are
``;``-joined, numbers are plain decimals, so ``pandas.read_csv(sep="\\t")`` round-trips.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from oncodrop.domain.classification import Classification, Finding, Tier
from oncodrop.domain.consequences import NOT_ANNOTATED, labels
from oncodrop.report.write.content import ReportContent


def _num(x: float | None, digits: int = 4) -> str:
    if x is None:
        return ""
    return str(x) if isinstance(x, int) else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def _csq(f: Finding, attr: str) -> str:
    csq = f.variant.consequence
    value = getattr(csq, attr) if csq else None
    return "" if value is None else str(value)


def _unique(values: list[str]) -> str:
    return ";".join(dict.fromkeys(v for v in values if v))


_BLANKS = str.maketrans("\t\r\n", "   ")


def _clean(text: str) -> str:
    """A TSV cell never contains a tab or a line break."""
    return text.translate(_BLANKS)


TIER_COLUMNS: tuple[tuple[str, Callable[[Finding], str]], ...] = (
    ("chrom", lambda f: f.variant.chrom),
    ("pos", lambda f: str(f.variant.pos)),
    ("ref", lambda f: f.variant.ref),
    ("alt", lambda f: f.variant.alt),
    ("variant_class", lambda f: f.variant.variant_class),
    ("gene", lambda f: _csq(f, "gene")),
    ("consequence", lambda f: f.variant.consequence_terms),
    ("impact", lambda f: _csq(f, "impact")),
    ("transcript", lambda f: _csq(f, "transcript")),
    ("hgvsc", lambda f: _csq(f, "hgvsc")),
    ("hgvsp", lambda f: _csq(f, "hgvsp")),
    ("all_transcript_effects", lambda f: ";".join(f.variant.consequence.all_effects)
     if f.variant.consequence else ""),
    ("tier", lambda f: f.tier.value),
    ("tier_reason", lambda f: f.tier_reason),
    ("oncogenicity", lambda f: f.oncogenicity.label if f.oncogenicity else ""),
    ("oncogenicity_score", lambda f: _num(f.oncogenicity.score) if f.oncogenicity else ""),
    ("oncogenicity_codes", lambda f: _unique(
        [c.code for c in f.oncogenicity.criteria] if f.oncogenicity else [])),
    ("gene_role", lambda f: f.gene_role or ""),
    ("hotspot", lambda f: "yes" if f.hotspot else ""),
    ("therapies", lambda f: _unique([t for m in f.evidence for t in m.evidence.therapies])),
    ("evidence_ids", lambda f: _unique([m.evidence.evidence_id for m in f.evidence])),
    ("evidence_levels", lambda f: _unique(sorted(m.evidence.level for m in f.evidence))),
    ("depth", lambda f: _num(f.variant.depth)),
    ("alt_depth", lambda f: _num(f.variant.alt_depth)),
    ("vaf", lambda f: _num(f.variant.vaf)),
    ("normal_depth", lambda f: _num(f.variant.normal_depth)),
    ("normal_vaf", lambda f: _num(f.variant.normal_vaf)),
    ("population_af", lambda f: _num(f.variant.population_af, 6)),
    ("dbsnp", lambda f: f.variant.dbsnp or ""),
    ("cosmic", lambda f: f.variant.cosmic or ""),
    ("filter", lambda f: "PASS" if f.variant.filter_pass else ";".join(f.variant.filters)),
)


def tiers_tsv_name(sample_id: str) -> str:
    return f"{sample_id}.tiers.tsv"


def tier_row(f: Finding) -> list[str]:
    """The cells of ``TIER_COLUMNS`` for one finding, built in one call (the workbook's rows;
    ``TIER_COLUMNS`` says the same thing column by column, and a test holds them equal)."""
    v, c = f.variant, f.variant.consequence
    if c is not None:
        gene, impact = c.gene or "", c.impact or ""
        transcript, hgvsc, hgvsp = c.transcript or "", c.hgvsc or "", c.hgvsp or ""
        effects = ";".join(c.all_effects)
    else:
        gene = impact = transcript = hgvsc = hgvsp = effects = ""
    return [
        v.chrom, str(v.pos), v.ref, v.alt, v.variant_class, gene, v.consequence_terms, impact,
        transcript, hgvsc, hgvsp, effects, *_call_cells(f),
        _num(v.depth), _num(v.alt_depth), _num(v.vaf), _num(v.normal_depth), _num(v.normal_vaf),
        _num(v.population_af, 6), v.dbsnp or "", v.cosmic or "",
        "PASS" if v.filter_pass else ";".join(v.filters),
    ]  # fmt: skip


def _call_cells(f: Finding) -> tuple[str, ...]:
    """``tier`` to ``evidence_levels``: what the report concluded."""
    o, ev = f.oncogenicity, f.evidence
    if ev:
        therapies = _unique([t for m in ev for t in m.evidence.therapies])
        ids = _unique([m.evidence.evidence_id for m in ev])
        levels = _unique(sorted(m.evidence.level for m in ev))
    else:
        therapies = ids = levels = ""
    label, score, codes = _classification_cells(o) if o is not None else _NO_CLASSIFICATION
    return (_TIER_TEXT[f.tier], f.tier_reason, label, score, codes, f.gene_role or "", "yes" if f.hotspot else "",
            therapies, ids, levels)  # fmt: skip


_TIER_TEXT = {tier: tier.value for tier in Tier}  # (``Tier.value`` is a slow enum property)
_NO_CLASSIFICATION = ("", "", "")
_CLASSIFICATION_CELLS: dict[int, tuple[Classification, tuple[str, str, str]]] = {}


def _classification_cells(o: Classification) -> tuple[str, str, str]:
    """``oncogenicity``, ``oncogenicity_score``, ``oncogenicity_codes`` of a classification,
    made once per object (a report's findings share a few: ``classify_oncogenicity``)."""
    held = _CLASSIFICATION_CELLS.get(id(o))
    if held is not None and held[0] is o:
        return held[1]
    cells = (o.label, _num(o.score), _unique([k.code for k in o.criteria]))
    if len(_CLASSIFICATION_CELLS) >= 4096:
        _CLASSIFICATION_CELLS.clear()
    _CLASSIFICATION_CELLS[id(o)] = (o, cells)  # the object held: its id is not reused meanwhile
    return cells


_CALL_TEXTS: dict[tuple[Tier, str, int, str | None, bool], tuple[Classification | None, str]] = {}


def _call_text(f: Finding) -> str:
    """``_call_cells`` tab-joined. Findings without evidence share a few (every Tier IV intron
    variant of a gene without a role says the same): made once per distinct (tier, reason,
    oncogenicity object, gene role, hotspot)."""
    if f.evidence:
        return "\t".join(_call_cells(f))
    o = f.oncogenicity
    key = (f.tier, f.tier_reason, id(o), f.gene_role, f.hotspot)
    held = _CALL_TEXTS.get(key)
    if held is not None and held[0] is o:
        return held[1]
    text = "\t".join(_call_cells(f))
    if len(_CALL_TEXTS) >= 4096:
        _CALL_TEXTS.clear()
    _CALL_TEXTS[key] = (o, text)  # the object held: its id is not reused meanwhile
    return text


_TERMS_TEXT: dict[tuple[str, ...], str] = {}


def _terms_text(terms: tuple[str, ...]) -> str:
    """``Variant.consequence_terms`` of an annotated variant, made once per distinct terms."""
    text = _TERMS_TEXT.get(terms)
    if text is None:
        if len(_TERMS_TEXT) >= 4096:
            _TERMS_TEXT.clear()
        text = _TERMS_TEXT[terms] = labels(terms)
    return text


def write_tiers_tsv(content: ReportContent, out_dir: Path) -> Path:
    """Write ``{sample}.tiers.tsv`` with a header line and one row per finding."""
    path = out_dir / tiers_tsv_name(content.sample_id)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        write_tiers_rows(content, out)
    return path


def tsv_prefix(sample_id: str) -> str:
    """What every row starts with: the sample id cell."""
    return _clean(sample_id) + "\t"


def tier_line(prefix: str, f: Finding) -> str:
    """One finding's line of the tiers TSV, ``prefix`` (``tsv_prefix``) first, newline last:
    ``tier_row``'s cells tab-joined (a test holds them equal), written as one text (the
    streamed report's hot path: ~30 % less CPU than joining the list)."""
    v, c = f.variant, f.variant.consequence
    if c is not None:
        head = (
            f"{v.chrom}\t{v.pos}\t{v.ref}\t{v.alt}\t{v.variant_class}\t{c.gene or ''}\t{_terms_text(c.terms)}"
            f"\t{c.impact or ''}\t{c.transcript or ''}\t{c.hgvsc or ''}\t{c.hgvsp or ''}\t{';'.join(c.all_effects)}"
        )
    else:
        head = f"{v.chrom}\t{v.pos}\t{v.ref}\t{v.alt}\t{v.variant_class}\t\t{NOT_ANNOTATED}\t\t\t\t\t"
    depth, alt_depth, normal_depth = v.depth, v.alt_depth, v.normal_depth  # an int: as ``_num`` writes it
    line = (
        f"{head}\t{_call_text(f)}\t{depth if type(depth) is int else _num(depth)}\t"
        f"{alt_depth if type(alt_depth) is int else _num(alt_depth)}\t{_num(v.vaf)}\t"
        f"{normal_depth if type(normal_depth) is int else _num(normal_depth)}\t{_num(v.normal_vaf)}\t"
        f"{_num(v.population_af, 6)}\t"
        f"{v.dbsnp or ''}\t{v.cosmic or ''}\t{'PASS' if v.filter_pass else ';'.join(v.filters)}"
    )  # fmt: skip
    # no cell may hold a tab or line break, and the cells' own separators are tabs: clean
    # the cells, not the joined line (rare: one check of the line first)
    if "\r" in line or "\n" in line or line.count("\t") != _TABS:
        line = "\t".join(_clean(cell) for cell in tier_row(f))
    return prefix + line + "\n"


_TABS = len(TIER_COLUMNS) - 1


def write_tiers_rows(content: ReportContent, out: TextIO) -> None:
    """The header line and one row per finding, into a text handle (plain or bgzip'd file)."""
    out.write("sample_id\t" + "\t".join(name for name, _ in TIER_COLUMNS) + "\n")
    if content.rows is not None:  # a streamed report: its rows as rendered by ``tier_line``
        out.writelines(content.rows.texts("tsv"))
        return
    prefix = tsv_prefix(content.sample_id)
    out.writelines(tier_line(prefix, finding) for finding in content.findings)
