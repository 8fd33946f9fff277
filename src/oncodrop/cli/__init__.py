"""The ``oncodrop`` command: parses options and calls into the package; no logic lives here.

Subcommands live in sibling modules and register themselves on ``main`` when imported.
"""

from __future__ import annotations

import importlib

import click

from oncodrop import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oncodrop")
def main() -> None:
    """Drop a tumour VCF tarball in a bucket, get a cancer genome report back."""


_SUBCOMMAND_MODULES = ("report", "refdata", "service", "config", "demo", "cloud", "batch", "web")

for _name in _SUBCOMMAND_MODULES:
    try:
        importlib.import_module(f"oncodrop.cli.{_name}")
    except ModuleNotFoundError as exc:  # a subcommand module not written yet
        if exc.name != f"oncodrop.cli.{_name}":
            raise
