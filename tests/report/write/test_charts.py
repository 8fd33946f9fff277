"""Inline SVG charts: right counts in the right bins, escaped labels, no data handled."""

from __future__ import annotations

import html
from pathlib import Path

from oncodrop.report.write import charts


def test_histogram_bins_clamp_out_of_range_values_into_end_bins() -> None:
    bins = charts.histogram_bins([0.0, 0.05, 0.5, 0.99, 1.0, 7.0, -1.0], 0.0, 1.0, 10)
    assert [c for *_, c in bins] == [3, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins[0][:2] == (0.0, 0.1)


def test_histogram_draws_one_bar_per_bin_and_names_the_axis() -> None:
    svg = str(charts.histogram_svg([10, 20, 30], lo=0, hi=100, n_bins=25, title="Depth", x_label="reads"))
    assert svg.startswith("<svg") and svg.count("<rect") == 25 and ">reads</text>" in svg


def test_labels_are_escaped() -> None:
    svg = str(charts.exposure_bars_svg(["<b>S&1</b>"], [0.5], [0.4], [0.6], title="t"))
    assert "<b>" not in svg and "&lt;b&gt;S&amp;1&lt;/b&gt;" in svg


def test_empty_inputs_give_a_placeholder_that_says_why() -> None:
    assert "no values" in str(charts.histogram_svg([], lo=0, hi=1, n_bins=5, title="VAF", x_label="v"))
    assert "no SNVs" in str(charts.spectrum_svg([], [], title="Spectrum"))
    assert "nothing to show" in str(charts.exposure_bars_svg([], [], [], [], title="Sig"))


def _segment(svg: str, locus: str) -> str:
    """The ``<rect …>`` opening tag drawn for the segment whose tooltip starts with ``locus``."""
    return svg.split(f"<title>{locus}")[0].rsplit("<rect", 1)[1]


def _attr(tag: str, name: str) -> float:
    return float(tag.split(f'{name}="', 1)[1].split('"', 1)[0])


def test_genome_plot_draws_known_chromosomes_only_and_clamps_values() -> None:
    svg = str(charts.genome_segments_svg(
        [("1", 1, 100, 2.0, "neutral"), ("2", 1, 50, 40.0, "amplification"), ("GL000192.1", 1, 9, 2.0, "neutral")],
        [("1", 100), ("2", 50)], y_range=(0.0, 8.0), y_label="total copy number", title="CN",
    ))  # fmt: skip
    assert svg.count("data-value=") == 2 and "GL000192" not in svg
    assert '<title>2:1-50 40 (amplification)</title>' in svg
    assert _attr(_segment(svg, "2:1-50"), "y") == 26 - 2.5  # clamped to the top of the plot, not off-canvas


def test_log_axis_draws_cn_24_above_cn_8_and_labels_true_copies() -> None:
    lengths = [("1", 249_000_000), ("2", 243_000_000)]
    segments = [("1", 1, 120_000_000, 2.0, "neutral"), ("1", 150_000_000, 150_040_000, 24.0, "amplification"),
                ("2", 1, 90_000_000, 8.0, "amplification"), ("2", 100_000_000, 101_000_000, 0.0, "homdel")]  # fmt: skip
    svg = str(charts.genome_segments_svg(segments, lengths, y_range=(0.0, 32.0), y_label="total copy number",
                                         title="CN", log_scale=True))  # fmt: skip
    ys = {locus: _attr(_segment(svg, locus), "y") for locus in
          ("1:1-120000000", "1:150000000-150040000", "2:1-90000000", "2:100000000-101000000")}  # fmt: skip
    assert ys["1:150000000-150040000"] < ys["2:1-90000000"] < ys["1:1-120000000"] < ys["2:100000000-101000000"]
    assert ys["1:150000000-150040000"] > 26 - 2.5  # 24 is below the top (32): not capped
    assert "<title>1:150000000-150040000 24 (amplification)</title>" in svg
    ticks = [t.split(">")[1] for t in svg.split('text-anchor="end" font-family="inherit" font-size="11"')[1:]]
    assert [t.split("<")[0] for t in ticks] == ["0", "1", "2", "4", "8", "16", "32"]
    assert "(log scale)" in svg
    # a 40 kb focal amplification is 0.09 px at this scale: drawn at the minimum readable width
    assert _attr(_segment(svg, "1:150000000-150040000"), "width") == charts.MIN_SEGMENT_PX


def test_histogram_bin_labels_never_repeat() -> None:
    svg = str(charts.histogram_svg([0.12, 0.17, 0.55], lo=0.0, hi=1.0, n_bins=20, title="VAF", x_label="v"))
    labels = [t.split(":")[0] for t in svg.split("<title>")[2:]]
    assert len(labels) == 20 and len(set(labels)) == 20
    assert labels[3] == "0.15–0.20" and labels[2] == "0.10–0.15"
    depth = str(charts.histogram_svg([10.0], lo=0.0, hi=100.0, n_bins=25, title="D", x_label="d"))
    assert "<title>0–4: 0</title>" in depth and "<title>8–12: 1</title>" in depth
    assert charts.edge_decimals(1 / 3) == 3


def _bar(svg: str, context: str) -> tuple[int, str]:
    """(position on the axis, tooltip) of the bar drawn for ``context``."""
    svg = html.unescape(svg)  # the markup escapes ">" in names
    bars = svg.split("<rect")[1:]
    drawn = [b for b in bars if "data-context=" in b]
    for i, b in enumerate(drawn):
        if f'data-context="{context}"' in b:
            return i, b.split("<title>", 1)[1].split("</title>", 1)[0]
    raise AssertionError(f"no bar for {context}")


def test_sbs96_bars_follow_the_canonical_axis_whatever_the_file_order() -> None:
    cosmic = Path(__file__).parents[3] / "src/oncodrop/demo/data/COSMIC_v3.4_SBS_GRCh38.txt"
    file_order = [line.split("\t", 1)[0] for line in cosmic.read_text().splitlines()[1:]]
    assert file_order[:2] == ["A[C>A]A", "A[C>A]C"] and file_order[4] == "A[C>G]A"  # 5'-base order
    counts = [0] * 96
    counts[file_order.index("T[C>T]A")] = 7  # APOBEC TCA
    counts[file_order.index("T[C>G]T")] = 3
    svg = str(charts.spectrum_svg(file_order, counts, title="SBS96"))
    axis = charts.sbs96_axis()
    assert [c[2:5] for c in axis[::16]] == ["C>A", "C>G", "C>T", "T>A", "T>C", "T>G"]
    assert all(len({c[2:5] for c in axis[i:i + 16]}) == 1 for i in range(0, 96, 16))
    position, tooltip = _bar(svg, "T[C>T]A")
    assert tooltip == "T[C>T]A: 7" and 32 <= position < 48  # under the C>T band
    assert _bar(svg, "T[C>G]T") == (31, "T[C>G]T: 3")
    assert _bar(svg, "A[T>C]A")[1] == "A[T>C]A: 0"
    assert svg.count("data-context=") == 96
