"""Rows spilled per tier in any order come back in report order (tier, karyotypic position,
REF>ALT), as ``finding_sort_key`` orders findings."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from oncodrop.domain.classification import Tier
from oncodrop.report.write import spill as spill_module
from oncodrop.report.write.order import TIER_ORDER, allele_key, genomic_sort_key
from oncodrop.report.write.spill import RowPieces, RowSpill


def _row(tier: Tier, chrom: str, pos: int, ref: str, alt: str) -> RowPieces:
    text = f"{tier.value}\t{chrom}\t{pos}\t{ref}\t{alt}\n"
    return RowPieces(tsv=text, maf="m" + text, call=f'"{chrom}:{pos}"', table="[1]", maf_start=pos + len(ref) - 1)


def test_rows_come_back_in_report_order_whatever_order_they_were_added(tmp_path: Path) -> None:
    rng = random.Random(3)
    chroms = ("1", "2", "10", "X", "MT", "GL000220.1")
    rows = {(rng.choice(tuple(Tier)), rng.choice(chroms), rng.randrange(1, 300), "A", rng.choice(("C", "G", "TT", "T")))
            for _ in range(400)}  # fmt: skip
    rows |= {(Tier.IV, "2", 7, "A", alt) for alt in ("T", "G", "C")}  # a tie at one position
    added = list(rows)
    rng.shuffle(added)
    spill = RowSpill(tmp_path)
    for tier, chrom, pos, ref, alt in added:
        spill.add(tier, chrom, pos, allele_key(ref, alt), _row(tier, chrom, pos, ref, alt))
    spilled = spill.finish()

    expected = sorted(added, key=lambda r: (TIER_ORDER[r[0]], genomic_sort_key(r[1], r[2]), allele_key(r[3], r[4])))
    assert spilled.count == len(expected)
    assert list(spilled.texts("tsv")) == [_row(*r).tsv for r in expected]
    assert list(spilled.texts("maf", limit=10)) == [_row(*r).maf for r in expected[:10]]
    assert list(spilled.positions()) == [(r[1], r[2]) for r in expected]
    assert list(spilled.maf_positions()) == [(r[1], r[2] + len(r[3]) - 1) for r in expected]


def test_rows_added_in_report_order_are_read_straight_through(tmp_path: Path) -> None:
    spill = RowSpill(tmp_path)
    for pos in (5, 9, 12):
        spill.add(Tier.III, "1", pos, "A>T", _row(Tier.III, "1", pos, "A", "T"))
    spilled = spill.finish()
    assert spilled.tiers[0].order is None and spilled.tiers[0].offsets is None  # no index kept
    assert [t.split("\t")[2] for t in spilled.texts("tsv")] == ["5", "9", "12"]


def test_rows_with_characters_beyond_ascii_come_back_whole(tmp_path: Path) -> None:
    """Record lengths are in bytes: a row with multi-byte characters must not shift the next."""
    spill = RowSpill(tmp_path)
    wide = RowPieces(tsv="Ménière\tß\n", maf="m\n", call='"naïve"', table='["é"]', maf_start=7)
    spill.add(Tier.IV, "1", 7, "C>T", _row(Tier.IV, "1", 7, "C", "T"))  # an ASCII row, then out of order
    spill.add(Tier.IV, "1", 5, "A>G", wide)
    spill.add(Tier.IV, "1", 3, "G>A", _row(Tier.IV, "1", 3, "G", "A"))
    spilled = spill.finish()
    assert list(spilled.texts("tsv")) == [_row(Tier.IV, "1", 3, "G", "A").tsv, wide.tsv, _row(Tier.IV, "1", 7, "C", "T").tsv]
    assert list(spilled.texts("call")) == ['"1:3"', '"naïve"', '"1:7"']
    assert list(spilled.texts("table")) == ["[1]", '["é"]', "[1]"]


def test_a_tier_in_order_for_a_while_then_not_is_sorted_whole(tmp_path: Path) -> None:
    # in report order over two contigs and a tie at one position (kept as contig runs), then a
    # record of an earlier contig: every contig number is kept from there on, the tier sorted
    added = [("1", 5, "A", "C"), ("1", 5, "A", "G"), ("1", 9, "A", "T"), ("2", 3, "A", "T"), ("1", 7, "A", "T"),
             ("X", 1, "A", "T")]  # fmt: skip
    spill = RowSpill(tmp_path)
    for chrom, pos, ref, alt in added:
        spill.add(Tier.IV, chrom, pos, allele_key(ref, alt), _row(Tier.IV, chrom, pos, ref, alt))
    in_order = [("1", 2, "A", "T"), ("1", 2, "A", "T"), ("1", 4, "A", "T"), ("X", 1, "A", "T"), ("MT", 1, "A", "T")]
    for chrom, pos, ref, alt in in_order:
        spill.add(Tier.III, chrom, pos, allele_key(ref, alt), _row(Tier.III, chrom, pos, ref, alt))
    spilled = spill.finish()

    third, fourth = spilled.tiers
    assert third.order is None and third.chrom is None and len(third.runs) == 3
    assert fourth.order is not None and fourth.chrom is not None
    expected = in_order + sorted(added, key=lambda r: (genomic_sort_key(r[0], r[1]), allele_key(r[2], r[3])))
    assert list(spilled.positions()) == [(r[0], r[1]) for r in expected]
    assert list(spilled.maf_positions()) == [(r[0], r[1]) for r in expected]
    assert [tuple(t.split("\t")[1:3]) for t in spilled.texts("tsv")] == [(r[0], str(r[1])) for r in expected]


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_rows_in_report_order_are_cut_right_whatever_the_read_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """A tier in report order is read a chunk at a time: records (some longer than a chunk,
    some with multi-byte characters) cut across chunks come back whole, and a limit stops early."""
    monkeypatch.setattr(spill_module, "_CHUNK", chunk)
    rows = [_row(Tier.III, "1", pos, "A", "T") for pos in range(1, 40)]
    rows[5] = rows[5]._replace(tsv="x" * 300 + "\n", call='"naïve ★"')
    spill = RowSpill(tmp_path)
    for pos, row in enumerate(rows, start=1):
        spill.add(Tier.III, "1", pos, "A>T", row)
    spilled = spill.finish()
    assert spilled.tiers[0].offsets is None
    for piece in ("tsv", "maf", "call", "table"):
        assert list(spilled.texts(piece)) == [getattr(r, piece) for r in rows]
    assert list(spilled.texts("call", limit=7)) == [r.call for r in rows[:7]]
