"""A minimal BGZF writer that keeps its own ``.gzi`` index.

htslib reads bgzipped FASTA through BGZF blocks plus a ``.gzi`` block index. The demo genome
is mostly ``N``: a block of identical lines compresses to identical bytes, so this writer lets
the caller reuse one compressed block thousands of times instead of deflating gigabytes. Real
downloads still go through ``pysam`` (see ``genome.py``).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

MAX_BLOCK = 0xFF00  # bgzip's uncompressed block size
EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def compress_block(data: bytes, level: int = 6) -> bytes:
    """One complete BGZF block holding ``data`` (at most 65280 bytes)."""
    if len(data) > MAX_BLOCK:
        raise ValueError(f"BGZF block payload of {len(data)} bytes exceeds {MAX_BLOCK}")
    deflater = zlib.compressobj(level, zlib.DEFLATED, -15)
    payload = deflater.compress(data) + deflater.flush()
    size = len(payload) + 26  # 18-byte header + 8-byte trailer
    header = struct.pack(
        "<4BI2BH2BHH", 31, 139, 8, 4, 0, 0, 255, 6, 66, 67, 2, size - 1
    )
    return (
        header + payload + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))
    )


class BgzfWriter:
    """Append whole blocks; remembers (compressed, uncompressed) offsets for the .gzi."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()/__exit__
        self.compressed_offset = 0
        self.uncompressed_offset = 0
        self._index: list[tuple[int, int]] = []

    def write(self, data: bytes, block: bytes | None = None) -> None:
        """Write ``data`` as one block; pass ``block`` when it is already compressed."""
        if self.compressed_offset:
            self._index.append((self.compressed_offset, self.uncompressed_offset))
        raw = block if block is not None else compress_block(data)
        self._fh.write(raw)
        self.compressed_offset += len(raw)
        self.uncompressed_offset += len(data)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.write(EOF_BLOCK)
            self._fh.close()

    def write_gzi(self, path: Path) -> None:
        """The htslib ``.gzi`` layout: entry count, then (compressed, uncompressed) uint64 pairs."""
        with open(path, "wb") as fh:
            fh.write(struct.pack("<Q", len(self._index)))
            fh.writelines(struct.pack("<QQ", *pair) for pair in self._index)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
