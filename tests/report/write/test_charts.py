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


def test_genome_plot_draws_known_chromosomes_only_and_clamps_values() -> None:
    svg = str(charts.genome_segments_svg(
        [("1", 1, 100, 2.0, "neutral"), ("2", 1, 50, 40.0, "amplification"), ("GL000192.1", 1, 9, 2.0, "neutral")],
        [("1", 100), ("2", 50)], y_range=(0.0, 8.0), y_label="total copy number", title="CN",
    ))  # fmt: skip
    assert svg.count('height="4"') == 2 and "GL000192" not in svg
    assert '<title>2:1-50 40 (amplification)</title>' in svg
    amp = svg.split('<title>2:1-50')[0].rsplit("<rect", 1)[1]
    assert 'y="24.0"' in amp  # clamped to the top of the plot (8 copies), not drawn off-canvas


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
