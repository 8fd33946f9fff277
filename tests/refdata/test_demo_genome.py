from __future__ import annotations

from pathlib import Path

import pysam

from oncodrop.demo.genome import Window, windows_around, write_demo_fasta


def test_windows_are_padded_clipped_and_merged() -> None:
    windows = windows_around(
        [("7", 100, 200), ("7", 60_000, 60_100), ("MT", 10, 20)], flank=50_000
    )
    assert windows == (Window("7", 1, 110_100), Window("MT", 1, 16_569))


def test_written_fasta_is_readable_by_htslib_with_patched_bases(tmp_path: Path) -> None:
    windows = windows_around(
        [("7", 140_453_100, 140_453_200), ("22", 29_091_856, 29_091_857)], flank=70_000
    )
    patches = {("7", 140_453_136): "A", ("22", 29_091_856): "AG"}
    fasta_path, fai, gzi = write_demo_fasta(tmp_path / "g.fa.gz", windows, patches)
    assert fai.is_file() and gzi.is_file()
    fasta = pysam.FastaFile(str(fasta_path))
    assert tuple(fasta.references) == ("7", "22")
    assert fasta.get_reference_length("7") == 159_138_663
    assert fasta.fetch("7", 140_453_135, 140_453_136) == "A"
    assert fasta.fetch("22", 29_091_855, 29_091_857) == "AG"
    window = fasta.fetch("7", 140_400_000, 140_500_000)  # crosses BGZF block boundaries
    assert len(window) == 100_000 and set(window) <= set("ACGT")
    assert fasta.fetch("7", 159_138_600, 159_138_663) == "N" * 63  # the short last line


def test_same_inputs_give_identical_bytes(tmp_path: Path) -> None:
    windows = windows_around([("17", 7_571_720, 7_590_856)])
    first, _, _ = write_demo_fasta(
        tmp_path / "a.fa.gz", windows, {("17", 7_578_406): "C"}
    )
    second, _, _ = write_demo_fasta(
        tmp_path / "b.fa.gz", windows, {("17", 7_578_406): "C"}
    )
    assert first.read_bytes() == second.read_bytes()
