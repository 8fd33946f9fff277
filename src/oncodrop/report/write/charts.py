"""Inline SVG charts, generated in Python so the report needs no JavaScript library, works
offline and prints (and converts to PDF) exactly as shown. Pure functions: data in, markup out;
every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

# COSMIC's conventional colours for the six SBS classes, in the order of the 96-context axis.
SBS_CLASS_COLOURS: tuple[tuple[str, str], ...] = (
    ("C>A", "#1ebff0"),
    ("C>G", "#050708"),
    ("C>T", "#e62725"),
    ("T>A", "#cbcacb"),
    ("T>C", "#a1cf64"),
    ("T>G", "#edc8c5"),
)
_BAR = "#2f5d8a"
_AXIS = "#555"
_FONT = 'font-family="inherit" font-size="11"'


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x % 1 else f"{int(x)}"


def edge_decimals(width: float) -> int:
    """Fewest decimals that write a bin width exactly (0.05 → 2, 0.1 → 1, 4 → 0), so adjacent
    bin edges never print alike; a width no short decimal writes gets enough to differ."""
    for decimals in range(4):
        if abs(round(width, decimals) - width) < 1e-9:
            return decimals
    return max(3, math.ceil(-math.log10(width)) + 1)


def bin_label(lo: float, hi: float, decimals: int) -> str:
    """``0.15–0.20``: both edges with the same decimals, so no two bins read alike."""
    return f"{lo:.{decimals}f}–{hi:.{decimals}f}"


def _svg(width: int, height: int, title: str, body: list[str], css_class: str = "chart") -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="{css_class}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def empty_chart(message: str, width: int = 480, height: int = 60) -> Markup:
    """A placeholder that says why there is no chart (no data, metric not computable)."""
    text = f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" {_FONT} fill="{_AXIS}">'
    return _svg(width, height, message, [text + f"{escape(message)}</text>"])


def bin_index(value: float, lo: float, step: float, n_bins: int) -> int:
    """The bin of ``value`` (bins of width ``step`` from ``lo``; outside values clamped)."""
    i = int((value - lo) / step) if step > 0 else 0
    return min(max(i, 0), n_bins - 1)


def histogram_bins(
    values: Sequence[float], lo: float, hi: float, n_bins: int
) -> tuple[tuple[float, float, int], ...]:
    """Equal-width bins over [lo, hi]; values outside are clamped into the end bins."""
    step = (hi - lo) / n_bins
    counts = [0] * n_bins
    for v in values:
        counts[bin_index(v, lo, step, n_bins)] += 1
    return tuple((lo + i * step, lo + (i + 1) * step, c) for i, c in enumerate(counts))


def histogram_svg(
    values: Sequence[float],
    *,
    lo: float,
    hi: float,
    n_bins: int,
    title: str,
    x_label: str,
    width: int = 480,
    height: int = 220,
) -> Markup:
    """Vertical-bar histogram with labelled x-axis ends and the tallest bar's count."""
    if not values:
        return empty_chart(f"{title}: no values")
    counts = [c for _, _, c in histogram_bins(values, lo, hi, n_bins)]
    return binned_histogram_svg(counts, any(v >= hi for v in values), lo=lo, hi=hi, title=title,
                                x_label=x_label, width=width, height=height)  # fmt: skip


def binned_histogram_svg(
    counts: Sequence[int],
    reaches_hi: bool,
    *,
    lo: float,
    hi: float,
    title: str,
    x_label: str,
    width: int = 480,
    height: int = 220,
) -> Markup:
    """``histogram_svg`` of values already counted into ``len(counts)`` bins over [lo, hi]
    (``bin_index``); ``reaches_hi``: some value was >= ``hi`` (the axis end reads ``≥hi``)."""
    if not any(counts):
        return empty_chart(f"{title}: no values")
    n_bins = len(counts)
    step = (hi - lo) / n_bins
    bins = tuple((lo + i * step, lo + (i + 1) * step, c) for i, c in enumerate(counts))
    decimals = edge_decimals((hi - lo) / n_bins)
    top = max(c for _, _, c in bins) or 1
    left, right, y0, y1 = 40, width - 10, 20, height - 40
    bar_w = (right - left) / n_bins
    body = [
        f'<line x1="{left}" y1="{y1}" x2="{right}" y2="{y1}" stroke="{_AXIS}"/>',
        f'<line x1="{left}" y1="{y0}" x2="{left}" y2="{y1}" stroke="{_AXIS}"/>',
        f'<text x="{left - 4}" y="{y0 + 4}" text-anchor="end" {_FONT}>{top}</text>',
        f'<text x="{left - 4}" y="{y1}" text-anchor="end" {_FONT}>0</text>',
    ]
    for i, (b_lo, b_hi, count) in enumerate(bins):
        h = (y1 - y0) * count / top
        x = left + i * bar_w
        body.append(
            f'<rect x="{x + 0.5:.1f}" y="{y1 - h:.1f}" width="{max(bar_w - 1, 0.5):.1f}" '
            f'height="{h:.1f}" fill="{_BAR}"><title>{bin_label(b_lo, b_hi, decimals)}: {count}</title>'
            "</rect>"
        )
    top_label = ("≥" if reaches_hi else "") + _fmt(hi)
    body += [
        f'<text x="{left}" y="{y1 + 14}" {_FONT}>{_fmt(lo)}</text>',
        f'<text x="{right}" y="{y1 + 14}" text-anchor="end" {_FONT}>{top_label}</text>',
        (f'<text x="{(left + right) / 2}" y="{height - 6}" text-anchor="middle" {_FONT}>'
         f"{escape(x_label)}</text>"),
    ]
    return _svg(width, height, title, body)


def exposure_bars_svg(
    names: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    title: str,
    width: int = 560,
) -> Markup:
    """Horizontal bars of fractions (0..1) with bootstrap-interval whiskers, one row per name."""
    if not names:
        return empty_chart(f"{title}: nothing to show")
    row, left, right, top = 22, 110, width - 60, 10
    height = top + row * len(names) + 30
    scale = right - left
    axis = f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + row * len(names)}" stroke="{_AXIS}"/>'
    body = [axis]
    for i, (name, v, lo, hi) in enumerate(zip(names, values, lows, highs, strict=True)):
        y = top + i * row
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {_FONT}>{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{scale * v:.1f}" height="{row - 8}" '
            f'fill="{_BAR}"><title>{escape(name)}: {v:.1%}</title></rect>'
            f'<text x="{left + scale * max(v, hi or 0) + 6:.1f}" y="{y + 15}" {_FONT}>'
            f"{v:.0%}</text>"
        )
        if lo is not None and hi is not None:
            ym = y + row / 2
            body.append(
                f'<line x1="{left + scale * lo:.1f}" y1="{ym}" x2="{left + scale * hi:.1f}" '
                f'y2="{ym}" stroke="#111" stroke-width="1.2"/>'
                f'<line x1="{left + scale * lo:.1f}" y1="{ym - 4}" x2="{left + scale * lo:.1f}" '
                f'y2="{ym + 4}" stroke="#111"/>'
                f'<line x1="{left + scale * hi:.1f}" y1="{ym - 4}" x2="{left + scale * hi:.1f}" '
                f'y2="{ym + 4}" stroke="#111"/>'
            )
    axis_y = top + row * len(names)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + scale * tick
        body.append(
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="{_AXIS}"/>'
            f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" {_FONT}>{tick:.0%}</text>'
        )
    return _svg(width, height, title, body)


SBS_BASES = "ACGT"


def sbs96_axis() -> tuple[str, ...]:
    """The 96 contexts in plotting order: the six classes of ``SBS_CLASS_COLOURS``, each with
    its 16 contexts by 5' base then 3' base (``A[C>A]A``, ``A[C>A]C`` … ``T[T>G]T``)."""
    return tuple(
        f"{five}[{cls}]{three}"
        for cls, _ in SBS_CLASS_COLOURS
        for five in SBS_BASES
        for three in SBS_BASES
    )


def spectrum_svg(
    contexts: Sequence[str], counts: Sequence[int], *, title: str, width: int = 760
) -> Markup:
    """The 96-trinucleotide SBS spectrum: bars coloured by substitution class, class bands on top.

    Bars are placed by context *name* on the canonical axis (``sbs96_axis``), so the plot is
    right whatever order the signature file lists its contexts in (COSMIC's files sort by
    5' base); each bar's tooltip names its context and count. Contexts that are not SBS96
    names are not drawn.
    """
    by_name = dict(zip(contexts, counts, strict=True))
    axis = sbs96_axis()
    values = [by_name.get(ctx, 0) for ctx in axis]
    if not contexts or sum(values) == 0:
        return empty_chart(f"{title}: no SNVs", width=width)
    left, right, y0, y1, height = 36, width - 6, 28, 170, 200
    top = max(values)
    bar_w = (right - left) / len(axis)
    body = [
        f'<line x1="{left}" y1="{y1}" x2="{right}" y2="{y1}" stroke="{_AXIS}"/>',
        f'<text x="{left - 4}" y="{y0 + 4}" text-anchor="end" {_FONT}>{_fmt(top)}</text>',
        f'<text x="{left - 4}" y="{y1}" text-anchor="end" {_FONT}>0</text>',
    ]
    for j, (cls, colour) in enumerate(SBS_CLASS_COLOURS):
        x = left + j * 16 * bar_w
        body.append(
            f'<rect x="{x:.1f}" y="4" width="{16 * bar_w - 2:.1f}" height="10" fill="{colour}"/>'
            f'<text x="{x + 8 * bar_w:.1f}" y="25" text-anchor="middle" {_FONT}>{cls}</text>'
        )
    for i, (ctx, count) in enumerate(zip(axis, values, strict=True)):
        h = (y1 - y0) * count / top
        body.append(
            f'<rect x="{left + i * bar_w + 0.5:.1f}" y="{y1 - h:.1f}" '
            f'width="{max(bar_w - 1, 0.5):.1f}" height="{h:.1f}" '
            f'fill="{SBS_CLASS_COLOURS[i // 16][1]}" data-context="{escape(ctx)}">'
            f"<title>{escape(ctx)}: {_fmt(count)}</title></rect>"
        )
    body.append(
        f'<text x="{(left + right) / 2}" y="{height - 8}" text-anchor="middle" {_FONT}>'
        "96 trinucleotide contexts (5′ base, substitution, 3′ base)</text>"
    )
    return _svg(width, height, title, body)


# Colour of a copy-number call on the genome plot; neutral segments are drawn grey.
CNA_COLOURS: dict[str, str] = {
    "amplification": "#b3261e", "gain": "#e58e26", "neutral": "#9aa5b1",
    "hetdel": "#6fa8dc", "homdel": "#1f4e9c",
}  # fmt: skip


MIN_SEGMENT_PX = 3.0
"""Narrowest a segment is drawn (a focal amplification of 40 kb is otherwise a 0.01 px sliver)."""


def copy_number_ticks(top: float) -> tuple[float, ...]:
    """Axis ticks for a log copy-number axis: 0, 1, 2, 4, 8 … up to ``top``."""
    ticks = [0.0]
    tick = 1.0
    while tick <= top:
        ticks.append(tick)
        tick *= 2
    return tuple(ticks)


def genome_segments_svg(
    segments: Sequence[tuple[str, int, int, float, str]],
    chromosome_lengths: Sequence[tuple[str, int]],
    *,
    y_range: tuple[float, float],
    y_label: str,
    title: str,
    log_scale: bool = False,
    width: int = 1100,
) -> Markup:
    """Genome-wide copy-number plot: one horizontal bar per segment ``(chrom, start, end,
    value, call)`` at its value, chromosomes side by side in proportion to their length.

    ``log_scale`` draws absolute copy numbers on a log2(1 + CN) axis labelled in copies, so
    CN 24 sits at 24 beside CN 2 without flattening the diploid range; values beyond
    ``y_range`` are drawn at its edge (the tooltip keeps the true value). Every segment is at
    least ``MIN_SEGMENT_PX`` wide."""
    if not segments:
        return empty_chart(f"{title}: no segments", width=width)
    left, right, y0, y1, height = 40, width - 8, 26, 186, 214
    lo, hi = y_range

    def axis(value: float) -> float:
        return math.log2(1 + max(value, 0.0)) if log_scale else value

    a_lo, a_hi = axis(lo), axis(hi)
    total = sum(length for _, length in chromosome_lengths)
    scale = (right - left) / total
    offsets: dict[str, float] = {}
    body = []
    x = float(left)
    for i, (chrom, length) in enumerate(chromosome_lengths):
        offsets[chrom] = x
        if i % 2:
            body.append(f'<rect x="{x:.1f}" y="{y0}" width="{length * scale:.1f}" height="{y1 - y0}" fill="#f3f5f7"/>')
        body.append(f'<text x="{x + length * scale / 2:.1f}" y="{y1 + 12}" text-anchor="middle" '
                    f'font-size="9">{escape(chrom)}</text>')  # fmt: skip
        x += length * scale

    def y_of(value: float) -> float:
        return y1 - (y1 - y0) * (min(max(axis(value), a_lo), a_hi) - a_lo) / (a_hi - a_lo)

    ticks = copy_number_ticks(hi) if log_scale else (lo, (lo + hi) / 2, hi)
    for tick in ticks:
        body.append(f'<text x="{left - 4}" y="{y_of(tick) + 4:.1f}" text-anchor="end" {_FONT}>{_fmt(tick)}</text>'
                    f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{right}" y2="{y_of(tick):.1f}" '
                    'stroke="#d9dee5" stroke-dasharray="2,3"/>')  # fmt: skip
    for chrom, start, end, value, call in segments:
        if chrom not in offsets:
            continue
        x0 = offsets[chrom] + start * scale
        seg_w = max((end - start) * scale, MIN_SEGMENT_PX)
        body.append(
            f'<rect x="{min(x0, right - seg_w):.1f}" y="{y_of(value) - 2.5:.1f}" width="{seg_w:.1f}" '
            f'height="5" fill="{CNA_COLOURS.get(call, _BAR)}" data-value="{_fmt(value)}">'
            f"<title>{escape(chrom)}:{start}-{end} {_fmt(value)} ({escape(call)})</title></rect>"
        )
    label = f"{y_label} (log scale)" if log_scale else y_label
    body.append(f'<text x="{(left + right) / 2}" y="{height - 4}" text-anchor="middle" {_FONT}>'
                f"{escape(label)} by chromosome</text>")  # fmt: skip
    for i, (call, colour) in enumerate(CNA_COLOURS.items()):
        lx = right - (len(CNA_COLOURS) - i) * 105
        body.append(f'<rect x="{lx}" y="6" width="14" height="8" fill="{colour}"/>'
                    f'<text x="{lx + 18}" y="14" {_FONT}>{call}</text>')  # fmt: skip
    return _svg(width, height, title, body, css_class="chart wide")
