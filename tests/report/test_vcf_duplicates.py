"""The reader's duplicate check gives a set's answers while holding only one position's keys."""

from __future__ import annotations

import random

from oncodrop.report.vcf.duplicates import KeptKeys


def _answers(alleles: list[tuple[str, int, str, str]]) -> tuple[list[bool], list[bool]]:
    """(KeptKeys says new, a plain set says new) for each allele, keeping every new one."""
    kept, seen = KeptKeys(), set()
    ours, theirs = [], []
    for chrom, pos, ref, alt in alleles:
        key = kept.new(chrom, pos, ref, alt)
        ours.append(key is not None)
        if key is not None:
            kept.add(key, chrom, pos, ref, alt)
        plain = f"{chrom}:{pos}:{ref}>{alt}"
        theirs.append(plain not in seen)
        seen.add(plain)
    return ours, theirs


def _alleles(rng: random.Random, n: int) -> list[tuple[str, int, str, str]]:
    sites = sorted(
        {(rng.choice("12X"), rng.randrange(1, 60)) for _ in range(n)}, key=lambda s: ("12X".index(s[0]), s[1])
    )
    return [(c, p, "A", rng.choice("CGT")) for c, p in sites for _ in range(rng.randrange(1, 4))]


def test_a_sorted_file_repeats_only_at_the_position_read() -> None:
    alleles = _alleles(random.Random(1), 80)
    ours, theirs = _answers(alleles)
    assert ours == theirs and not all(theirs)  # repeats at one position were caught


def test_a_record_out_of_order_falls_back_to_every_kept_key() -> None:
    rng = random.Random(2)
    alleles = _alleles(rng, 80)
    for _ in range(5):  # shuffled files, and repeats far behind the position being read
        shuffled = alleles + rng.sample(alleles, 20)
        rng.shuffle(shuffled)
        ours, theirs = _answers(shuffled)
        assert ours == theirs
    ours, theirs = _answers([("1", 5, "A", "C"), ("2", 1, "A", "C"), ("1", 5, "A", "C")])  # contig revisited
    assert ours == theirs == [True, True, False]
