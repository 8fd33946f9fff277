"""The ``bcftools csq`` wrapper (``annotate_with_bcftools_csq``) against bare ``bcftools csq``.

Input: seeded synthetic unannotated SNVs over the real BRCA1 locus (GRCh37, GENCODE 19 gene
model and hs37d5 sequence from ``../shared/testdata/realref``), REF read from the FASTA, one
unphased tumour column, bgzipped. *Bare* is ``bcftools csq -p a -l -s - -O z`` on that file
(pysam's bcftools, run in a forked child, so no interpreter start is counted on either side);
*wrapper* is the whole call the reporter makes (header read, phase check of the sample, csq,
tabix index). Runs alternate, wall time of each, median per size.

    python benchmarks/csq_wrapper.py --runs 5
    python benchmarks/csq_wrapper.py --runs 5 --src ../main/src   # an older checkout's wrapper
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REALREF = HERE.parent.parent / "shared" / "testdata" / "realref" / "grch37"
GFF3 = REALREF / "grch37.brca1.gencode19-as-ensembl.gff3.gz"
FASTA = REALREF / "grch37.chr17.brca1-region.fa.gz"
LOCUS = ("17", 41_196_312, 41_277_500)  # BRCA1, as the gene model spans it


def write_vcf(path: Path, variants: int, seed: int = 7) -> Path:
    """``variants`` SNVs over the locus, sorted, REF from the FASTA; bgzipped with pysam."""
    import pysam

    rng = random.Random(seed)
    chrom, start, end = LOCUS
    with pysam.FastaFile(str(FASTA)) as fa:
        sequence = fa.fetch(chrom, start - 1, end).upper()
    positions = sorted(rng.randrange(start, end) for _ in range(variants))
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID={chrom},length=81195210>",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR"]  # fmt: skip
    for pos in positions:
        ref = sequence[pos - start]
        if ref not in "ACGT":
            continue
        alt = rng.choice([b for b in "ACGT" if b != ref])
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t.\tGT\t0/1")
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    return path


def bare_csq(vcf: Path, out: Path) -> None:
    """``bcftools csq`` alone, in a forked child (pysam's bcftools keeps state between calls)."""
    import pysam.bcftools

    pid = os.fork()
    if pid == 0:  # pragma: no cover
        code = 1
        try:
            pysam.bcftools.csq("-f", str(FASTA), "-g", str(GFF3), "-p", "a", "-l", "-s", "-", "-O", "z",
                               "-o", str(out), str(vcf), catch_stdout=False)  # fmt: skip
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("bare bcftools csq failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--src", type=Path, default=HERE.parent / "src", help="the oncodrop source tree to time")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq

    print(f"src {args.src.resolve()}, {args.runs} runs per size")
    print("| variants | bare bcftools csq (median) | wrapper (median) | wrapper / bare |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="oncodrop-csq-bench-") as tmp:
        for size in args.sizes:
            vcf = write_vcf(Path(tmp) / f"snv{size}.vcf.gz", size)
            bare: list[float] = []
            wrapped: list[float] = []
            for run in range(args.runs):
                start = time.perf_counter()
                bare_csq(vcf, Path(tmp) / f"bare{run}.vcf.gz")
                bare.append(time.perf_counter() - start)
                start = time.perf_counter()
                annotate_with_bcftools_csq(vcf, GFF3, FASTA, out_dir=Path(tmp) / f"w{size}-{run}", sample="TUMOR")
                wrapped.append(time.perf_counter() - start)
            b, w = statistics.median(bare), statistics.median(wrapped)
            print(f"| {size:,} | {b:.2f} s | {w:.2f} s | {w / b:.2f}× |")


if __name__ == "__main__":
    main()
