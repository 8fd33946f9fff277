"""Benchmark: the somatic reader alone (``open_variants``, every variant consumed) against the
pysam read floor of the same VCF (``report_vs_read.floor``), paired runs in fresh children.

The reporter's ``read`` step also holds the interpretation input's encoding and the metric
inputs (``collect``, ``metrics.inputs``); this isolates the VCF reading, CSQ parsing and
allelic support that ``report.vcf`` and ``report.annotation`` own. CPU is user + system of the
child (``os.wait4``) minus its imports, as the child reports them.

    .venv/bin/python benchmarks/vcf_read.py VCF [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def read(vcf: Path) -> dict[str, object]:
    start = time.process_time()
    from oncodrop.report.vcf import open_variants
    from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

    config = SampleConfig(sample=SampleSection(tumor_site="Skin"), assay=AssaySection(type="WGS", target_size_mb=2800))
    imported = time.process_time() - start
    n = 0
    with open_variants(vcf, config, mode="somatic") as stream:
        for _ in stream.variants:
            n += 1
        kept = stream.counts().kept
    return {"variants": n, "kept": kept, "read_cpu_s": time.process_time() - start - imported}


def _child(kind: str, vcf: Path) -> tuple[float, dict[str, object]]:
    proc = subprocess.Popen([sys.executable, __file__, str(vcf), "--child", kind], stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {kind} failed")
    return usage.ru_utime + usage.ru_stime, json.loads(stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vcf", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=("floor", "read"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from report_vs_read import floor

        print(json.dumps(floor(args.vcf) if args.child == "floor" else read(args.vcf)))
        return
    floors, reads = [], []
    for i in range(args.runs):
        floor_cpu, _ = _child("floor", args.vcf)
        _, out = _child("read", args.vcf)
        floors.append(floor_cpu)
        reads.append(float(out["read_cpu_s"]))  # type: ignore[arg-type]
        print(f"run {i + 1}: floor {floor_cpu:.2f} s CPU (whole child); read {reads[-1]:.2f} s CPU "
              f"(after imports), {out['variants']} variants", file=sys.stderr)  # fmt: skip
    print(json.dumps({"vcf": args.vcf.name, "runs": args.runs, "floor_cpu_s": statistics.median(floors),
                      "read_cpu_s": statistics.median(reads), "load": os.getloadavg()}))  # fmt: skip


if __name__ == "__main__":
    main()
