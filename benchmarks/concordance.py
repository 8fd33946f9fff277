"""Cost of the reference-concordance check (``report.metrics.concordance``) per report.

Compares REF alleles with a bgzipped FASTA: the 2052 real 1000 Genomes calls of the BRCA1 locus
against their real GRCh37 sequence (../shared/testdata/realref), and N synthetic SNVs spread over
the same locus (up to MAX_SITES, the most a report ever compares). Prints the median of --runs.

    PYTHONPATH=src python benchmarks/concordance.py [--sites 50000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import time
from pathlib import Path

from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.concordance import measure_concordance
from oncodrop.report.metrics.sequence import ReferenceGenome

REALREF = Path(__file__).resolve().parents[1] / ".." / "shared" / "testdata" / "realref" / "grch37"
START, END = 41196313, 41277500  # the real bases of the locus


def _median_s(variants: list[Variant], genome: ReferenceGenome, runs: int) -> tuple[float, str]:
    times, status = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        c = measure_concordance(variants, genome, "grch37")
        times.append(time.perf_counter() - t0)
        status = f"{c.status}, {c.checked} checked, {c.mismatched} mismatched"
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with ReferenceGenome.open(REALREF / "grch37.chr17.brca1-region.fa.gz") as genome:
        rng = random.Random(7)
        positions = sorted(rng.randrange(START, END) for _ in range(args.sites))
        synthetic = [Variant("17", p, genome.fetch("17", p - 1, p) or "N", "A") for p in positions]
        for label, variants in (("1000G BRCA1 calls", _real()), (f"{args.sites} synthetic SNVs", synthetic)):
            seconds, status = _median_s(variants, genome, args.runs)
            rate = len(variants) / seconds if seconds else float("inf")
            print(f"{label}: {len(variants)} sites, median {seconds:.3f} s ({rate:,.0f} sites/s) — {status}")


def _real() -> list[Variant]:
    out = []
    with gzip.open(REALREF / "grch37.brca1.1kg-phase3.HG00096-HG00099-HG00101.vcf.gz", "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            chrom, pos, _, ref, alts = line.split("\t", 5)[:5]
            out += [Variant(chrom, int(pos), ref, alt) for alt in alts.split(",") if not alt.startswith("<")]
    return out


if __name__ == "__main__":
    main()
