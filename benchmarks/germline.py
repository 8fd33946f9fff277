"""Benchmark: the germline reporter on a 5-million-variant indexed whole-genome normal VCF.

Generates (seeded) a GRCh38 single-sample germline VCF with VEP-style ``INFO/CSQ`` (gene symbol,
consequence, gnomAD AF) at whole-genome density (~1.6 variants/kb), bgzipped and tabix-indexed
with pysam, and a bundle with the curated 100-gene ``cpsr_default`` panel (synthetic gene spans
of 80 kb), the ACMG SF list and a synthetic ClinVar VCF (~20,000 records, some matching sample
alleles). Then runs ``GermlineReporter`` in a fresh child process per run and reports wall time
and the child's peak RSS (``os.wait4``). Targets on the 2-core machine: <= 60 s, <= 1.5 GB.
``--unindexed`` also times the streaming fallback (the same VCF without its index).

    .venv/bin/python benchmarks/germline.py [--variants 5000000] [--runs 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pysam

from oncodrop.domain.genome import CHROMOSOME_LENGTHS, Build
from oncodrop.refdata.assemble import CURATED, finish
from oncodrop.refdata.bundle import GeneLocus, Hotspot
from oncodrop.refdata.genes import write_genes
from oncodrop.refdata.knowledge import read_panel, write_hotspots, write_panel
from oncodrop.refdata.manifest import SourceRecord

TARGET_S, TARGET_RSS_MB = 60.0, 1500.0
BUILD: Build = "grch38"
GENE_SPAN = 80_000
CSQ_FIELDS = "Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSp|Protein_position|EXON|gnomADe_AF"
# (SO term, impact) inside gene spans and their weights: mostly intronic, as in a real genome.
GENIC: tuple[tuple[str, str, float], ...] = (
    ("intron_variant", "MODIFIER", 0.90), ("missense_variant", "MODERATE", 0.04),
    ("synonymous_variant", "LOW", 0.03), ("splice_region_variant", "LOW", 0.015),
    ("frameshift_variant", "HIGH", 0.005), ("stop_gained", "HIGH", 0.005),
    ("inframe_deletion", "MODERATE", 0.005),
)  # fmt: skip
BASES = np.array(list("ACGT"))


def panel_loci() -> tuple[GeneLocus, ...]:
    """Synthetic 80 kb spans for the curated panel genes, spread over the autosomes."""
    genes = read_panel(CURATED / "panels" / "cpsr_default.tsv")
    return tuple(
        GeneLocus(g.symbol, str(i % 22 + 1), 10_000_000 + (i // 22) * 15_000_000,
                  10_000_000 + (i // 22) * 15_000_000 + GENE_SPAN, "+", f"ENSG{i:011d}")
        for i, g in enumerate(genes)
    )  # fmt: skip


def write_vcf(path: Path, n: int, loci: tuple[GeneLocus, ...], seed: int) -> tuple[Path, list[str]]:
    """The sample VCF; returns it and the genic frameshift alleles (for ClinVar)."""
    rng = np.random.default_rng(seed)
    lengths = CHROMOSOME_LENGTHS[BUILD]
    chroms = [c for c in lengths if c not in ("Y", "MT")]
    total = sum(lengths[c] for c in chroms)
    spans: dict[str, list[GeneLocus]] = {}
    for g in loci:
        spans.setdefault(g.chrom, []).append(g)
    terms = np.array([t for t, _, _ in GENIC])
    impacts = {t: i for t, i, _ in GENIC}
    weights = np.array([w for _, _, w in GENIC])
    frameshifts: list[str] = []
    header = [
        "##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {CSQ_FIELDS}">',
        *(f"##contig=<ID=chr{c},length={lengths[c]}>" for c in chroms),
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tWGS_NORMAL",
    ]  # fmt: skip
    with pysam.BGZFile(str(path), "wb", index=None) as out:
        out.write(("\n".join(header) + "\n").encode())
        for chrom in chroms:
            k = round(n * lengths[chrom] / total)
            pos = np.unique(rng.integers(1, lengths[chrom] - 10, size=k))
            ref = BASES[rng.integers(0, 4, size=pos.size)]
            alt = BASES[(np.searchsorted(BASES, ref) + rng.integers(1, 4, size=pos.size)) % 4]
            het = rng.random(pos.size) < 0.6
            depth = rng.integers(20, 60, size=pos.size)
            af = np.round(rng.beta(0.3, 3, size=pos.size), 5)
            genic = np.zeros(pos.size, dtype=bool)
            symbol = np.full(pos.size, "", dtype=object)
            for g in spans.get(chrom, []):
                inside = (pos >= g.start) & (pos <= g.end)
                genic |= inside
                symbol[inside] = g.symbol
            term = np.where(genic, terms[rng.choice(len(terms), size=pos.size, p=weights)], "intergenic_variant")
            lines = []
            for i in range(pos.size):
                t, p, r, a = term[i], int(pos[i]), ref[i], alt[i]
                csq_alt, codon = a, (p % 900) + 1
                if t in ("frameshift_variant", "inframe_deletion"):
                    a = r + "AT" if t == "frameshift_variant" else r + "ATG"
                    csq_alt = a[1:]
                    if t == "frameshift_variant":
                        frameshifts.append(f"{chrom}\t{p}\t{r}\t{a}\t{symbol[i]}")
                hgvsp = f"ENSP0:p.Arg{codon}His" if t == "missense_variant" else ""
                impact = impacts.get(t, "MODIFIER")
                csq = f"{csq_alt}|{t}|{impact}|{symbol[i]}|ENST0|{hgvsp}|{codon if genic[i] else ''}||{af[i]}"
                d = int(depth[i])
                alt_reads = d // 2 if het[i] else d
                gt = "0/1" if het[i] else "1/1"
                lines.append(f"chr{chrom}\t{p}\t.\t{r}\t{a}\t50\tPASS\tCSQ={csq}\tGT:AD:DP:GQ\t{gt}:{d - alt_reads},{alt_reads}:{d}:99\n")
            out.write("".join(lines).encode())
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path, frameshifts


def write_bundle(root: Path, loci: tuple[GeneLocus, ...], frameshifts: list[str], seed: int) -> Path:
    """Panel, ACMG SF, hotspots, gene spans and a ClinVar VCF in the bundle layout."""
    shutil.rmtree(root, ignore_errors=True)
    knowledge = root / "knowledge"
    write_panel(knowledge / "panels" / "cpsr_default.tsv", read_panel(CURATED / "panels" / "cpsr_default.tsv"), "curated")
    (knowledge / "acmg_sf.tsv").parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CURATED / "acmg_sf.tsv", knowledge / "acmg_sf.tsv")
    write_hotspots(knowledge / "hotspots.tsv", [Hotspot("TP53", 175, None, 100)], "benchmark")
    write_genes(root / "genome" / BUILD / "genes.tsv", loci)
    rng = np.random.default_rng(seed + 1)
    records = []  # chrom, pos, ref, alt, significance, gene; half the sample's frameshifts are P
    for line in frameshifts[::2]:
        chrom, pos, ref, alt, gene = line.split("\t")
        records.append(f"{chrom}\t{pos}\t{ref}\t{alt}\tPathogenic\t{gene}")
    for g in loci:
        for p in np.sort(rng.integers(g.start, g.end, size=200)):
            records.append(f"{g.chrom}\t{int(p)}\tC\tT\tUncertain_significance\t{g.symbol}")
    order = {c: i for i, c in enumerate(CHROMOSOME_LENGTHS[BUILD])}
    records.sort(key=lambda r: (order[r.split("\t")[0]], int(r.split("\t")[1])))
    text = ["##fileformat=VCFv4.1", "##reference=GRCh38",
            *(f"##contig=<ID={c},length={n}>" for c, n in CHROMOSOME_LENGTHS[BUILD].items()),
            '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Germline classification">',
            '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="Review status">',
            '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]  # fmt: skip
    for i, r in enumerate(records):
        chrom, pos, ref, alt, sig, gene = r.split("\t")
        text.append(f"{chrom}\t{pos}\t{i + 1}\t{ref}\t{alt}\t.\t.\tCLNSIG={sig};"
                    f"CLNREVSTAT=criteria_provided,_single_submitter;GENEINFO={gene}:1")
    clinvar = root / "clinvar" / f"clinvar.{BUILD}.vcf.gz"
    clinvar.parent.mkdir(parents=True)
    with pysam.BGZFile(str(clinvar), "wb", index=None) as out:
        out.write(("\n".join(text) + "\n").encode())
    pysam.tabix_index(str(clinvar), preset="vcf", force=True)
    finish(root, name="germline-benchmark", version="1", builds=(BUILD,),
           sources={"synthetic": SourceRecord(version="1")}, source_of={"": "synthetic"})
    return root


def child(vcf: Path, bundle: Path, out: Path) -> None:
    """Run one report (in the child process) and print its headline as JSON."""
    from oncodrop.report.germline import GermlineReporter
    from oncodrop.report.protocol import ReportRequest
    from oncodrop.sampleconfig import SampleConfig

    result = GermlineReporter().run(ReportRequest(vcf=vcf, config=SampleConfig(), bundle=bundle,
                                                  out_dir=out, kind="normal", sample_id="WGS"))
    print(json.dumps({"pathogenic": result.headline.pathogenic, "vus": result.headline.vus,
                      "timings": result.timings}))


def timed_run(vcf: Path, bundle: Path, out: Path) -> tuple[float, float, dict[str, object]]:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(vcf), str(bundle), str(out)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"report failed with status {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, json.loads(stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/oncodrop-germline-bench"))
    parser.add_argument("--unindexed", action="store_true", help="also time the streaming fallback")
    parser.add_argument("--child", nargs=3, metavar=("VCF", "BUNDLE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*(Path(p) for p in args.child))
        return
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    vcf = work / f"wgs.{args.variants}.vcf.gz"
    loci = panel_loci()
    start = time.perf_counter()
    _, frameshifts = write_vcf(vcf, args.variants, loci, args.seed)
    generate = time.perf_counter() - start
    bundle = write_bundle(work / "bundle", loci, frameshifts, args.seed)
    print(f"generated {vcf.name} ({vcf.stat().st_size / 1e6:.0f} MB) in {generate:.0f} s")
    walls, rss = [], []
    for _ in range(args.runs):
        wall, peak, head = timed_run(vcf, bundle, work / "out")
        walls.append(wall)
        rss.append(peak)
        print(f"indexed: {wall:.2f} s, peak RSS {peak:.0f} MB, {head}")
    report = {"variants": args.variants, "machine": f"{platform.machine()} {os.cpu_count()} cores",
              "indexed_median_s": round(statistics.median(walls), 2), "indexed_max_rss_mb": round(max(rss)),
              "target_s": TARGET_S, "target_rss_mb": TARGET_RSS_MB}  # fmt: skip
    if args.unindexed:
        plain = work / "wgs.noindex.vcf.gz"
        shutil.copyfile(vcf, plain)
        wall, peak, head = timed_run(plain, bundle, work / "out-noindex")
        print(f"streaming (no index): {wall:.2f} s, peak RSS {peak:.0f} MB, {head}")
        report |= {"streaming_s": round(wall, 2), "streaming_rss_mb": round(peak)}
    print(json.dumps(report))
    ok = report["indexed_median_s"] <= TARGET_S and report["indexed_max_rss_mb"] <= TARGET_RSS_MB
    print("targets met" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
