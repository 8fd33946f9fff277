"""Benchmark: our signature refit against SigProfilerAssignment (SPA) on simulated catalogues.

Simulates catalogues from known mixtures of COSMIC v3.4 SBS signatures (multinomial noise),
fits them with ``oncodrop.report.metrics.signatures.fit_signatures`` and with SPA's
``cosmic_fit`` (same signature matrix passed as ``signature_database``), and reports, per
catalogue, the cosine similarity between the two exposure vectors and each one's cosine to
the truth. Target: median cosine(ours, SPA) >= 0.99.

SPA is large (~750 MB installed with its dependencies: SigProfilerMatrixGenerator, plotting,
torch-free but pandas/matplotlib/...); when it is not importable here, it is installed on
demand into a separate venv (default ``/tmp/oncodrop-spa-venv``, reused across runs) and
run there as a subprocess, so the project's venv never gets it.

    .venv/bin/python benchmarks/signatures_vs_spa.py [--venv DIR] [--mutations 500 2000 10000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import numpy as np

from oncodrop.report.metrics.refit import cosine
from oncodrop.report.metrics.signatures import (
    SignatureMatrix,
    fit_signatures,
    load_signature_matrix,
)

ROOT = Path(__file__).resolve().parents[1]
MATRIX = ROOT.parent / "shared/reference/pcgr/COSMIC_v3.4_SBS_GRCh38.txt"
MIXTURES: tuple[dict[str, float], ...] = (
    {"SBS1": 0.3, "SBS5": 0.4, "SBS2": 0.15, "SBS13": 0.15},
    {"SBS4": 0.6, "SBS5": 0.3, "SBS1": 0.1},
    {"SBS7a": 0.5, "SBS7b": 0.3, "SBS5": 0.2},
    {"SBS6": 0.5, "SBS1": 0.3, "SBS5": 0.2},
    {"SBS3": 0.5, "SBS5": 0.3, "SBS1": 0.2},
    {"SBS17b": 0.4, "SBS17a": 0.2, "SBS1": 0.2, "SBS18": 0.2},
    {"SBS10a": 0.5, "SBS10b": 0.3, "SBS28": 0.1, "SBS1": 0.1},
    {"SBS1": 0.5, "SBS5": 0.5},
)

SPA_CHILD = r"""
import inspect, sys
from SigProfilerAssignment import Analyzer
samples, output, database = sys.argv[1:4]
wanted = dict(input_type="matrix", context_type="96", signature_database=database, make_plots=False,
              sample_reconstruction_plots="none", verbose=False, exome=False, genome_build="GRCh38",
              cosmic_version=3.4, export_probabilities=False, make_decomposition_plots=False)
accepted = inspect.signature(Analyzer.cosmic_fit).parameters
Analyzer.cosmic_fit(samples, output, **{k: v for k, v in wanted.items() if k in accepted})
"""


def simulate(
    matrix: SignatureMatrix, sizes: list[int], seeds: int
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, truth fractions, catalogue counts) for every mixture x size x seed."""
    out = []
    for m, mixture in enumerate(MIXTURES):
        truth = np.array([mixture.get(n, 0.0) for n in matrix.names])
        for n in sizes:
            for seed in range(seeds):
                counts = np.random.default_rng(1000 * m + seed).multinomial(n, matrix.matrix @ truth)
                out.append((f"{'+'.join(mixture)}|n={n}|s={seed}", truth, counts.astype(float)))
    return out


def spa_python(venv_dir: Path) -> Path:
    """A python that can import SigProfilerAssignment: this one, or a venv installed on demand."""
    try:
        import SigProfilerAssignment  # noqa: F401

        return Path(sys.executable)
    except ImportError:
        pass
    python = venv_dir / "bin/python"
    if not python.exists():
        print(f"installing SigProfilerAssignment into {venv_dir} (~750 MB)...", flush=True)
        venv.create(venv_dir, with_pip=True)
    check = subprocess.run([python, "-c", "import SigProfilerAssignment"], capture_output=True, check=False)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "SigProfilerAssignment"], check=True)
    return python


def run_spa(
    python: Path, matrix: SignatureMatrix, catalogues: list[tuple[str, np.ndarray, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Exposure fractions per sample label, in ``matrix.names`` order."""
    with tempfile.TemporaryDirectory(prefix="spa-bench-") as tmp:
        work = Path(tmp)
        samples = work / "samples.txt"
        names = [f"S{i}" for i in range(len(catalogues))]
        lines = ["MutationType\t" + "\t".join(names)]
        for row, context in enumerate(matrix.contexts):
            lines.append(context + "\t" + "\t".join(str(int(c[2][row])) for c in catalogues))
        samples.write_text("\n".join(lines) + "\n")
        child = work / "child.py"
        child.write_text(SPA_CHILD)
        result = subprocess.run(
            [python, child, samples, work / "out", MATRIX], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"SigProfilerAssignment failed ({result.returncode}): {result.stderr[-2000:]}")
        activities = next((work / "out").rglob("Assignment_Solution_Activities.txt"))
        rows = [line.split("\t") for line in activities.read_text().splitlines()]
        header = rows[0][1:]
        fractions = {}
        for row in rows[1:]:
            values = dict(zip(header, (float(x) for x in row[1:]), strict=True))
            vec = np.array([values.get(n, 0.0) for n in matrix.names])
            fractions[catalogues[names.index(row[0])][0]] = vec / vec.sum() if vec.sum() else vec
        return fractions


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--venv", type=Path, default=Path("/tmp/oncodrop-spa-venv"))
    parser.add_argument("--mutations", type=int, nargs="+", default=[500, 2000, 10000])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    matrix = load_signature_matrix(MATRIX)
    catalogues = simulate(matrix, args.mutations, args.seeds)
    start = time.perf_counter()
    ours = {label: fit_signatures(counts, matrix, bootstrap=0) for label, _, counts in catalogues}
    ours_seconds = time.perf_counter() - start
    python = spa_python(args.venv)
    start = time.perf_counter()
    spa = run_spa(python, matrix, catalogues)
    spa_seconds = time.perf_counter() - start

    print(f"{'catalogue':58} {'ours~SPA':>8} {'ours~truth':>10} {'SPA~truth':>9} {'n_ours':>6} {'n_SPA':>5}")
    agreement, ours_truth, spa_truth = [], [], []
    for label, truth, _ in catalogues:
        mine = ours[label].fractions(matrix.names)
        theirs = spa[label]
        agreement.append(cosine(mine, theirs))
        ours_truth.append(cosine(mine, truth))
        spa_truth.append(cosine(theirs, truth))
        print(
            f"{label:58} {agreement[-1]:8.4f} {ours_truth[-1]:10.4f} {spa_truth[-1]:9.4f} "
            f"{np.count_nonzero(mine):6d} {np.count_nonzero(theirs):5d}"
        )
    print(
        f"\nmedian cosine ours~SPA {statistics.median(agreement):.4f} (min {min(agreement):.4f}); "
        f"ours~truth {statistics.median(ours_truth):.4f}; SPA~truth {statistics.median(spa_truth):.4f}; "
        f"{len(catalogues)} catalogues; ours {ours_seconds:.2f} s, SPA {spa_seconds:.1f} s (incl. start-up)"
    )
    for n in args.mutations:
        sel = [i for i, (label, _, _) in enumerate(catalogues) if label.split("|")[1] == f"n={n}"]
        print(
            f"  n={n}: median ours~SPA {statistics.median(agreement[i] for i in sel):.4f}, "
            f"ours~truth {statistics.median(ours_truth[i] for i in sel):.4f}, "
            f"SPA~truth {statistics.median(spa_truth[i] for i in sel):.4f}"
        )


if __name__ == "__main__":
    main()
