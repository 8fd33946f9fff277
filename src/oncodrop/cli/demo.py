"""``oncodrop demo``: the embedded end-to-end flow on generated samples."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from oncodrop.cli import main


@main.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the bucket, ledger, bundle and reports here (default: a temporary folder).")
@click.option("--workers", type=int, default=2, show_default=True, help="Local worker processes.")
@click.option("--timeout", "timeout_s", type=float, default=300, show_default=True,
              help="Give up when samples are not terminal after this many seconds.")
def demo(workdir: Path | None, workers: int, timeout_s: float) -> None:  # fmt: skip
    """Build a demo bundle, drop demo tarballs, run the service until all are terminal."""
    from oncodrop.demo.run import run_demo
    from oncodrop.logs import configure_logging

    configure_logging("WARNING")
    sys.exit(run_demo(workdir, workers=workers, timeout_s=timeout_s))
