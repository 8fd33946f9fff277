"""Benchmark: the somatic reporter on a 100,000-variant VEP-annotated VCF (whole-genome scale).

Generates a seeded synthetic GRCh37 VCF with ``oncodrop.demo.synth.write_synthetic_vcf``
(positions inside the demo genome's sequenced windows, REF read from its FASTA so signatures and
kataegis are computed for real; a few known hotspots so Tier I/II exist), builds the demo
bundle, then runs ``SomaticReporter`` in a fresh child process per run and reports wall time,
the child's peak RSS (``os.wait4`` rusage) and the size of ``report.html``.
Targets on the 2-core machine: <= 30 s, <= 1.5 GB, HTML <= 10 MB.

    .venv/bin/python benchmarks/reporter.py [--variants 100000] [--runs 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pysam
from synthvcf import CONSEQUENCES  # benchmarks/ is the script's folder: on sys.path

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.refdata.bundle import Bundle

TARGET_S, TARGET_RSS_MB, TARGET_HTML_MB = 30.0, 1500.0, 10.0
HOTSPOTS = (("BRAF", "7", 140453136, "A", "T", "p.V600E", 600),
            ("KRAS", "12", 25398284, "C", "T", "p.G12D", 12),
            ("PIK3CA", "3", 178952085, "A", "G", "p.H1047R", 1047))  # fmt: skip
AMINO = "ACDEFGHIKLMNPQRSTVWY"


@dataclass(frozen=True, slots=True)
class RunResult:
    wall_s: float
    peak_rss_mb: float
    html_mb: float
    timings: dict[str, float]


def synthetic_variants(bundle: Bundle, n: int, seed: int = 7) -> list[Variant]:
    """``n`` variants with real (demo-genome) REF bases, 85 % SNVs, seeded."""
    rng = random.Random(seed)
    genes = bundle.genes("grch37")
    with pysam.FastaFile(str(bundle.fasta("grch37"))) as fasta:  # the demo genome's real windows
        windows = {g.symbol: (max(1, g.start - 40_000), fasta.fetch(g.chrom, max(0, g.start - 40_001), g.end + 40_001).upper()) for g in genes}
    terms = [t for t, _, w in CONSEQUENCES for _ in range(w)]
    impact = {t: i for t, i, _ in CONSEQUENCES}
    seen: set[tuple[str, int]] = set()
    out: list[Variant] = []
    while len(out) < n - len(HOTSPOTS):
        gene = rng.choice(genes)
        first, sequence = windows[gene.symbol]
        offset = rng.randrange(len(sequence) - 1)
        pos, ref = first + offset, sequence[offset : offset + 2]
        if (gene.chrom, pos) in seen or len(ref) < 2 or "N" in ref:
            continue
        seen.add((gene.chrom, pos))
        roll = rng.random()
        if roll < 0.85:
            variant_ref, alt = ref[0], rng.choice([b for b in "ACGT" if b != ref[0]])
        elif roll < 0.93:
            variant_ref, alt = ref[0], ref[0] + rng.choice("ACGT")
        else:
            variant_ref, alt = ref, ref[0]
        term = rng.choice(terms)
        codon = rng.randint(1, 1500)
        hgvsp = f"p.{rng.choice(AMINO)}{codon}{rng.choice(AMINO)}" if term == "missense_variant" else None
        csq = Consequence(gene.symbol if term != "intergenic_variant" else None, (term,), impact[term],
                          transcript=f"ENST{rng.randint(10**10, 10**11)}", hgvsp=hgvsp,
                          protein_position=codon if hgvsp else None, source="VEP")  # fmt: skip
        depth = rng.randint(20, 400)
        vaf = round(rng.betavariate(2, 6), 3)
        out.append(Variant(gene.chrom, pos, variant_ref, alt, depth=depth, vaf=vaf,
                           alt_depth=max(1, round(depth * vaf)), consequence=csq))  # fmt: skip
    for gene, chrom, pos, ref, alt, hgvsp, codon in HOTSPOTS:
        csq = Consequence(gene, ("missense_variant",), "MODERATE", hgvsp=hgvsp, protein_position=codon, source="VEP")
        out.append(Variant(chrom, pos, ref, alt, depth=200, alt_depth=60, vaf=0.3, consequence=csq))
    return out


def child(vcf: Path, bundle: Path, out: Path) -> None:
    """Run the reporter once and print its step timings as JSON (the parent measures RSS)."""
    from oncodrop.report.engine import SomaticReporter
    from oncodrop.report.protocol import ReportRequest
    from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

    config = SampleConfig(sample=SampleSection(tumor_site="Skin"), assay=AssaySection(type="WGS", target_size_mb=2800))
    result = SomaticReporter().run(ReportRequest(vcf=vcf, config=config, bundle=bundle, out_dir=out, sample_id="BENCH"))
    print(json.dumps({"timings": result.timings, "summary": result.headline.summary_line}))


def run_once(vcf: Path, bundle: Path, out: Path) -> RunResult:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(vcf), str(bundle), str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"reporter run failed with exit code {proc.returncode}")
    report = json.loads(stdout.strip().splitlines()[-1])
    print(f"  {report['summary']}", file=sys.stderr)
    return RunResult(wall, usage.ru_maxrss / 1024, (out / "report.html").stat().st_size / 1e6, report["timings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/oncodrop-bench-reporter"))
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    bundle_path = build_demo_bundle(args.workdir / "bundle")
    vcf = args.workdir / f"synthetic-{args.variants}.vcf.gz"
    start = time.perf_counter()
    write_synthetic_vcf(vcf, synthetic_variants(Bundle.open(bundle_path), args.variants), build="grch37")
    print(f"generated {vcf.name} ({vcf.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)  # fmt: skip
    results = []
    for i in range(args.runs):
        r = run_once(vcf, bundle_path, args.workdir / f"out{i}")
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r.timings.items())
        print(f"run {i + 1}: {r.wall_s:.1f} s, peak RSS {r.peak_rss_mb:.0f} MB, HTML {r.html_mb:.2f} MB ({steps})")
        results.append(r)
    wall = statistics.median(r.wall_s for r in results)
    rss = statistics.median(r.peak_rss_mb for r in results)
    html = statistics.median(r.html_mb for r in results)
    ok = wall <= TARGET_S and rss <= TARGET_RSS_MB and html <= TARGET_HTML_MB
    print(f"median of {args.runs}: {wall:.1f} s, {rss:.0f} MB, HTML {html:.2f} MB "
          f"({'within' if ok else 'OUTSIDE'} targets {TARGET_S:.0f} s / {TARGET_RSS_MB:.0f} MB / "
          f"{TARGET_HTML_MB:.0f} MB) on {platform.machine()} with {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip


if __name__ == "__main__":
    main()
