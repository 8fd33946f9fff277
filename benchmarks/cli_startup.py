"""CLI start-up: ``oncodrop --help``, ``--version`` and ``status`` against a bare ``python -c pass``.

Each command runs ``--runs`` times, interleaved with the others (so a burst of load elsewhere
hits all of them alike); per run the child's CPU time (user + system, from ``os.wait4``) and
its wall time are taken. Prints the medians and each one's ratio to ``python -c pass``.
``--src DIR`` runs the oncodrop found in DIR (e.g. an older checkout's ``src``) instead of
the one this script sits in, to compare before and after.

Bytecode: an installed package has its ``.pyc`` files (pip compiles them); a shell with
``PYTHONDONTWRITEBYTECODE=1`` and a venv installed without them would time the compiler
instead. The children get a private ``PYTHONPYCACHEPREFIX`` (warmed by one untimed run of
every command) and bytecode writing on, so they start as an installed oncodrop does.

    python benchmarks/cli_startup.py --runs 21
    python benchmarks/cli_startup.py --runs 21 --src ../main/src
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_once(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--src", type=Path, default=HERE.parent / "src", help="the oncodrop source tree to time")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="oncodrop-cli-bench-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(args.src.resolve()), "PYTHONPYCACHEPREFIX": f"{tmp}/pycache"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        db = f"sqlite:///{tmp}/ledger.db"
        # a ledger with its schema (status reads, it does not create)
        subprocess.run([py, "-c", f"from oncodrop.ledger import Ledger; Ledger.open({db!r}).close()"],
                       env=env, check=True)  # fmt: skip
        commands = {
            "python -c pass": [py, "-c", "pass"],
            "oncodrop --help": [py, "-m", "oncodrop", "--help"],
            "oncodrop --version": [py, "-m", "oncodrop", "--version"],
            "oncodrop status --help": [py, "-m", "oncodrop", "status", "--help"],
            "oncodrop status (empty ledger)": [py, "-m", "oncodrop", "status", "--db", db],
        }
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        wall: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():  # warm-up: writes the bytecode cache
            run_once(argv, env, tmp)
        for _ in range(args.runs):
            for name, argv in commands.items():
                c, w = run_once(argv, env, tmp)
                cpu[name].append(c)
                wall[name].append(w)
    base_cpu = statistics.median(cpu["python -c pass"])
    base_wall = statistics.median(wall["python -c pass"])
    print(f"{args.runs} runs each, src {args.src.resolve()}, {py}")
    print("| command | CPU median | × python -c pass | wall median | × python -c pass |")
    print("|---|---|---|---|---|")
    for name in commands:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        print(f"| `{name}` | {c * 1000:.0f} ms | {c / base_cpu:.1f}× | {w * 1000:.0f} ms | {w / base_wall:.1f}× |")


if __name__ == "__main__":
    main()
