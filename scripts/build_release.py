"""Build what the Ansible role installs: the oncodrop wheel, a lock file and their checksums.

    python scripts/build_release.py OUT_DIR [--extra postgres]

The lock pins every runtime dependency (and its dependencies) of the wheel to the version in
*this* Python environment, i.e. the versions the test suite ran with; a dependency missing here
is pinned to what pip resolves. ``SHA256SUMS`` lists the wheel and the lock.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = {"postgres": ["psycopg[binary]>=3.1"]}  # the ledger on PostgreSQL


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--extra", action="append", default=[], choices=sorted(EXTRAS))
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("oncodrop-*.whl"):
        old.unlink()
    _pip("wheel", "--no-deps", "-w", str(out), str(ROOT))
    wheel = next(out.glob("oncodrop-*.whl"))
    extra = [req for name in args.extra for req in EXTRAS[name]]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        _pip("install", "--dry-run", "--ignore-installed", "--report", str(report), str(wheel), *extra)
        resolved = {i["metadata"]["name"]: i["metadata"]["version"] for i in json.loads(report.read_text())["install"]}
    pins = []
    for name, version in sorted(resolved.items(), key=lambda kv: kv[0].lower()):
        if name.lower() == "oncodrop":
            continue
        try:
            version = metadata.version(name)  # what the tests ran with
        except metadata.PackageNotFoundError:
            pass
        pins.append(f"{name}=={version}")
    lock = out / "requirements.lock"
    lock.write_text("# oncodrop runtime dependencies, pinned (scripts/build_release.py)\n" + "\n".join(pins) + "\n")
    sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in (wheel, lock)]
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    print("\n".join(sums))
    return 0


if __name__ == "__main__":
    sys.exit(main())
