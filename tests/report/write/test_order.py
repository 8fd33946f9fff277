"""``FirstInOrder`` keeps the first findings in report order whatever order they come in."""

from __future__ import annotations

import random

import pytest

from oncodrop.domain.classification import Finding, Tier
from oncodrop.domain.variant import Variant
from oncodrop.report.write.order import FirstInOrder, finding_sort_key


@pytest.mark.parametrize("limit", [0, 1, 2, 7, 50, 400])
@pytest.mark.parametrize("arrival", ["shuffled", "sorted", "reversed"])
def test_the_first_findings_in_report_order_are_kept(limit: int, arrival: str) -> None:
    rng = random.Random(limit)
    chroms = ("1", "2", "10", "X", "MT", "GL000220.1")
    variants = {(rng.choice(chroms), rng.randrange(1, 500), rng.choice("ACGT")) for _ in range(300)}
    findings = [Finding(Variant(chrom, pos, "N", alt), rng.choice(tuple(Tier)), "") for chrom, pos, alt in variants]
    ordered = sorted(findings, key=finding_sort_key)
    arriving = {"shuffled": rng.sample(findings, len(findings)), "sorted": ordered, "reversed": ordered[::-1]}[arrival]
    first = FirstInOrder(limit)
    for f in arriving:
        first.add(finding_sort_key(f), f)
    assert first.findings() == ordered[:limit]
