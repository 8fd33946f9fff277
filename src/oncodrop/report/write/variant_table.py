"""The all-variants table of ``report.html``: one compact JSON payload the page sorts, filters
and paginates client-side.

Columns are listed once; each row is an array, its consequence, oncogenicity and gene role
coded by index into the column's distinct values (few, repeated), trailing empty cells
dropped, so 100,000 variants cost ~60 bytes each. A streamed report renders each finding's row
text as it classifies it (``table_row_json``, spilled) and codes them when the page is written
(``coded_table``); a report in memory does both at once (``variant_table``). The payload is the
same text as one ``json.dumps`` of the coded rows (a test holds it so).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import cast

from markupsafe import Markup

from oncodrop.domain.classification import Finding, Tier
from oncodrop.report.write import links

MAX_TABLE_ROWS = 150_000
PAGE_SIZE = 100
TABLE_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    # (label, type, coded) in the order of each JSON row; type drives client-side sorting;
    # coded columns hold an index into the column's list of distinct values (few, repeated)
    ("Variant", "locus", False),
    ("Gene", "text", False),
    ("Consequence", "text", True),
    ("Protein", "text", False),
    ("Tier", "text", False),
    ("Oncogenicity", "text", True),
    ("VAF", "num", False),
    ("Depth", "num", False),
    ("Gene role", "text", True),
    ("Population AF", "num", False),
    ("dbSNP", "link", False),
    ("COSMIC", "link", False),
)
LINK_COLUMNS = {"dbSNP": links.URLS["dbSNP"], "COSMIC": links.URLS["COSMIC"]}
"""Address templates the page fills with a link column's id (``{id}``), so rows carry ids only."""


@dataclass(frozen=True, slots=True)
class VariantTable:
    """The all-variants table payload: rows as arrays, consequence terms coded by index."""

    json: Markup
    shown: int
    total: int


def table_row(f: Finding) -> list[object]:
    """One finding's row of the all-variants table before coding: ``[key, gene, consequence,
    hgvsp, tier, oncogenicity, vaf, depth, gene role, population AF, dbSNP id, COSMIC id]``."""
    v, csq = f.variant, f.variant.consequence
    return [
        v.key,
        (csq.gene if csq else None) or "",
        v.consequence_term,
        (csq.hgvsp if csq else None) or "",
        f.tier.value,
        f.oncogenicity.label if f.oncogenicity else "",
        None if v.vaf is None else round(v.vaf, 3),
        v.depth,
        f.gene_role or "",
        None if v.population_af is None else float(f"{v.population_af:.3g}"),
        v.dbsnp or "",
        v.cosmic or "",
    ]


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_CODED = tuple(i for i, (_, _, coded) in enumerate(TABLE_COLUMNS) if coded)
_PIECE = "\x00"  # never in JSON text: control characters are escaped there
if _CODED != (2, 5, 8) or len(TABLE_COLUMNS) != 12:
    raise AssertionError("table_row_json writes the pieces of 12 columns coded at 2, 5 and 8")


def _cell(value: object) -> str:
    """One cell as JSON text, as ``_json`` writes it, without its per-call set-up."""
    kind = value.__class__
    if kind is str:
        return encode_basestring(cast(str, value))
    if value is None:
        return "null"
    if kind is float:
        if math.isnan(value):  # type: ignore[arg-type]
            return "NaN"
        return "Infinity" if value == math.inf else "-Infinity" if value == -math.inf else float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    return _json(value)


def table_row_json(f: Finding) -> str:
    """``table_row`` as the text ``coded_table`` reads (a streamed report spills its rows so):
    the JSON of the cells between the coded ones, and of each coded cell, joined by ``_PIECE``;
    the cells after the last coded one without their trailing empties (``coded_table``).
    Written from the finding in one text, as ``_cell`` writes each of ``table_row``'s cells
    (this runs once a variant; a test holds the two equal)."""
    v, csq, o = f.variant, f.variant.consequence, f.oncogenicity
    text = encode_basestring
    if csq is not None:
        gene, hgvsp = text(csq.gene or ""), text(csq.hgvsp or "")
    else:
        gene = hgvsp = '""'
    vaf, depth, af, dbsnp, cosmic = v.vaf, v.depth, v.population_af, v.dbsnp or "", v.cosmic or ""
    af_cell = "null" if af is None else _cell(float(f"{af:.3g}"))
    if cosmic:  # the last cells, trailing empties dropped
        tail = f"{af_cell},{text(dbsnp)},{text(cosmic)}"
    elif dbsnp:
        tail = f"{af_cell},{text(dbsnp)}"
    else:
        tail = "" if af is None else af_cell
    return (  # the pieces of _CODED == (2, 5, 8)
        f"{text(v.key)},{gene}\x00{text(v.consequence_term)}\x00{hgvsp},{_TIER_JSON[f.tier]}"
        f"\x00{_NO_LABEL if o is None else text(o.label)}\x00{'null' if vaf is None else _cell(round(vaf, 3))},"
        f"{'null' if depth is None else _cell(depth)}\x00{text(f.gene_role or '')}\x00{tail}"
    )


_TIER_JSON = {tier: _cell(tier.value) for tier in Tier}  # (``Tier.value`` is a slow enum property)
_NO_LABEL = _cell("")


def variant_table(findings: Sequence[Finding], limit: int = MAX_TABLE_ROWS) -> VariantTable:
    """The table of the first ``limit`` findings (``coded_table``)."""
    return coded_table((table_row_json(f) for f in findings[:limit]), len(findings))


def coded_table(row_texts: Iterable[str], total: int) -> VariantTable:
    """Compact rows ``[key, gene, consequence#, hgvsp, tier, oncogenicity#, vaf, depth,
    gene role#, population AF, dbSNP id, COSMIC id]`` (``#``: coded) from ``table_row_json``'s
    texts, trailing empty cells dropped (a coded column is never empty, so at most AF and the
    ids go). The payload is the same text as one ``json.dumps`` of it; each row's is put
    together from its pieces, a coded cell's JSON decoded only the first time it is seen."""
    codes: tuple[dict[str, int], ...] = tuple({} for _ in _CODED)
    seen: tuple[dict[str, str], ...] = tuple({} for _ in _CODED)  # a coded cell's JSON -> its code's text

    def code(k: int, cell: str) -> str:
        text = seen[k][cell] = str(codes[k].setdefault(str(json.loads(cell)), len(codes[k])))
        return text

    consequences, oncogenicities, roles = seen
    chunks: list[str] = []  # rows joined 10,000 at a time: few objects for 150,000 rows
    rows: list[str] = []
    shown = 0
    for text in row_texts:
        # the pieces around _CODED == (2, 5, 8); only the last (the cells after the last coded
        # one) can be empty
        head, consequence, middle, oncogenicity, counts, role, tail = text.split(_PIECE)
        c1 = consequences.get(consequence) or code(0, consequence)
        c2 = oncogenicities.get(oncogenicity) or code(1, oncogenicity)
        c3 = roles.get(role) or code(2, role)
        rows.append(f"[{head},{c1},{middle},{c2},{counts},{c3},{tail}]" if tail else
                    f"[{head},{c1},{middle},{c2},{counts},{c3}]")  # fmt: skip
        shown += 1
        if len(rows) == 10_000:
            chunks.append(",".join(rows))
            rows.clear()
    chunks.append(",".join(rows))
    coded = dict(zip(_CODED, codes, strict=True))
    columns = [
        {"label": label, "type": kind, **({"codes": list(coded[i])} if is_coded else {}),
         **({"url": LINK_COLUMNS[label]} if kind == "link" else {})}
        for i, (label, kind, is_coded) in enumerate(TABLE_COLUMNS)
    ]  # fmt: skip
    # one join, the chunks then dropped: at 150,000 rows (~8 MB of text) chained ``+`` held
    # four copies at once, the peak of a whole-genome report's memory
    text = "".join(['{"columns":', _json(columns), ',"rows":[', ",".join([c for c in chunks if c]),
                    '],"pageSize":', _json(PAGE_SIZE), "}"])  # fmt: skip
    chunks.clear()
    return VariantTable(json=Markup(text.replace("<", "\\u003c")), shown=shown, total=total)
