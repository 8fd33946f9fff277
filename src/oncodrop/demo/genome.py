"""The demo bundle's synthetic GRCh37 genome: real contig lengths, mostly ``N``.

Demo VCFs are generated against this FASTA, so it only has to be self-consistent and cheap:
full-length GRCh37 contigs (coordinates stay real), seeded-random bases in windows of ±50 kb
around the demo genes and variant positions, and the REAL reference allele at every position the
demo knowledge names (CIViC evidence coordinates, ClinVar rows), e.g. BRAF 7:140453136 = A.
Everything else is ``N``. The same inputs always produce the same bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oncodrop.refdata.bgzf import BgzfWriter, compress_block

# GRCh37 primary assembly contig lengths (b37 naming, no "chr").
GRCH37_LENGTHS: dict[str, int] = {
    "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
    "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
    "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
    "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
    "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566, "MT": 16569,
}  # fmt: skip
LINE = 60
LINES_PER_BLOCK = (
    1070  # 1070 * 61 bytes = 65270 <= 65280: every all-N block is identical
)
BLOCK_BASES = LINE * LINES_PER_BLOCK
FLANK = 50_000
_ACGT = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class Window:
    """A 1-based inclusive stretch of seeded-random sequence."""

    chrom: str
    start: int
    end: int


def windows_around(
    spans: Iterable[tuple[str, int, int]], flank: int = FLANK
) -> tuple[Window, ...]:
    """Merge ``(chrom, start, end)`` spans padded by ``flank`` into disjoint windows."""
    by_chrom: dict[str, list[tuple[int, int]]] = {}
    for chrom, start, end in spans:
        length = GRCH37_LENGTHS[chrom]
        by_chrom.setdefault(chrom, []).append(
            (max(1, start - flank), min(length, end + flank))
        )
    merged: list[Window] = []
    for chrom, intervals in by_chrom.items():
        intervals.sort()
        lo, hi = intervals[0]
        for start, end in intervals[1:]:
            if start <= hi + 1:
                hi = max(hi, end)
            else:
                merged.append(Window(chrom, lo, hi))
                lo, hi = start, end
        merged.append(Window(chrom, lo, hi))
    return tuple(merged)


def write_demo_fasta(
    out: Path, windows: Iterable[Window], patches: Mapping[tuple[str, int], str]
) -> tuple[Path, Path, Path]:
    """Write ``out`` (bgzipped FASTA) plus ``.fai`` and ``.gzi``; ``patches`` maps
    (chrom, 1-based position) -> the real bases starting there. Returns the three paths."""
    by_chrom: dict[str, list[Window]] = {}
    for w in windows:
        by_chrom.setdefault(w.chrom, []).append(w)
    n_lines = (b"N" * LINE + b"\n") * LINES_PER_BLOCK
    n_block = compress_block(n_lines)
    fai_lines: list[str] = []
    with BgzfWriter(out) as writer:
        for chrom in sorted(by_chrom, key=_contig_rank):
            length = GRCH37_LENGTHS[chrom]
            sequences = {w: _window_bases(w) for w in by_chrom[chrom]}
            _apply_patches(chrom, sequences, patches)
            header = f">{chrom}\n".encode()
            writer.write(header)
            fai_lines.append(
                f"{chrom}\t{length}\t{writer.uncompressed_offset}\t{LINE}\t{LINE + 1}"
            )
            for block_start in range(0, length, BLOCK_BASES):  # 0-based
                block_end = min(length, block_start + BLOCK_BASES)
                overlapping = [
                    (w, s)
                    for w, s in sequences.items()
                    if w.start - 1 < block_end and w.end > block_start
                ]
                if not overlapping and block_end - block_start == BLOCK_BASES:
                    writer.write(n_lines, block=n_block)
                    continue
                bases = np.full(block_end - block_start, ord("N"), dtype=np.uint8)
                for w, seq in overlapping:
                    lo, hi = max(block_start, w.start - 1), min(block_end, w.end)
                    bases[lo - block_start : hi - block_start] = seq[
                        lo - (w.start - 1) : hi - (w.start - 1)
                    ]
                writer.write(_with_newlines(bases))
        gzi = out.with_name(out.name + ".gzi")
        writer.close()
        writer.write_gzi(gzi)
    fai = out.with_name(out.name + ".fai")
    fai.write_text("\n".join(fai_lines) + "\n", encoding="ascii")
    return out, fai, gzi


def _window_bases(window: Window) -> np.ndarray:
    seed = zlib.crc32(f"{window.chrom}:{window.start}-{window.end}".encode())
    rng = np.random.default_rng(seed)
    return _ACGT[rng.integers(0, 4, size=window.end - window.start + 1)]


def _apply_patches(
    chrom: str,
    sequences: dict[Window, np.ndarray],
    patches: Mapping[tuple[str, int], str],
) -> None:
    for (p_chrom, pos), bases in patches.items():
        if p_chrom != chrom:
            continue
        window = next(
            (w for w in sequences if w.start <= pos and pos + len(bases) - 1 <= w.end),
            None,
        )
        if window is None:
            raise ValueError(f"patch {chrom}:{pos} lies outside every demo window")
        offset = pos - window.start
        sequences[window][offset : offset + len(bases)] = np.frombuffer(
            bases.upper().encode(), np.uint8
        )


def _with_newlines(bases: np.ndarray) -> bytes:
    """Lay out bases as 60-column lines (the last one may be short)."""
    full, rest = divmod(len(bases), LINE)
    grid = np.full((full, LINE + 1), ord("\n"), dtype=np.uint8)
    grid[:, :LINE] = bases[: full * LINE].reshape(full, LINE)
    tail = bases[full * LINE :].tobytes() + b"\n" if rest else b""
    return grid.tobytes() + tail


def _contig_rank(chrom: str) -> int:
    return list(GRCH37_LENGTHS).index(chrom)
