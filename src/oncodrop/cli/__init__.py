"""The ``oncodrop`` command: parses options and calls into the package; no logic lives here.

Subcommands live in sibling modules and register themselves on ``main`` when imported. They
are imported lazily (CLI start-up): ``oncodrop --help`` imports click and this module only,
and ``oncodrop status`` imports the module of ``status`` alone, not the reporter, the web
console or the cloud clients. ``COMMANDS`` says which module holds each command and carries
its one-line help for the command list (a test holds it equal to the command's own).
"""

from __future__ import annotations

import importlib
import time
from typing import Any, NamedTuple

import click

from oncodrop import __version__

_started = time.perf_counter()


class LazyCommand(NamedTuple):
    """Where a top-level command lives, and its line in ``oncodrop --help``."""

    module: str
    short_help: str
    hidden: bool = False  # run by the deployment (a job's command), not by people: not in --help


COMMANDS: dict[str, LazyCommand] = {
    "account": LazyCommand("web", "Local console accounts (browser login of the embedded console)."),
    "batch-job": LazyCommand("batch", "Run one sample inside an AWS Batch job (exit 0 once its outcome is in the ledger)."),
    "config": LazyCommand("config", "Inspect oncodrop's settings (CLI > ONCODROP_* env > TOML file > defaults)."),
    "demo": LazyCommand("demo", "Build a demo bundle, drop demo tarballs, run the service until all are terminal."),
    "lambda": LazyCommand("cloud", "The AWS Lambda that checks S3 uploads and forwards them to SQS."),
    "pack": LazyCommand("service", "Build a well-formed input tarball (checks names and the config first)."),
    "refdata": LazyCommand("refdata", "Build and check reference bundles (knowledge, ClinVar, signatures, genome)."),
    "reinterpret": LazyCommand("reinterpret", "Re-interpret past samples against the current bundle, once per (sample, bundle version)."),
    "reinterpret-job": LazyCommand("batch", "Drain one bundle version's re-interpretation queue inside an AWS Batch job.", hidden=True),
    "report": LazyCommand("report", "Write report.html, tiers TSV, MAF, summary JSON, XLSX and provenance.json to --out."),
    "serve": LazyCommand("service", "Watch the store (or an SQS queue), queue new tarballs and run them on workers."),
    "spot-prices": LazyCommand("cloud", "Recent spot prices per availability zone for one instance type (USD per hour)."),
    "status": LazyCommand("service", "Show every sample the ledger knows, newest first."),
    "submit": LazyCommand("service", "Validate tarballs locally (name, safety, manifest, config), then upload them."),
    "token": LazyCommand("web", "API tokens of the console (hashed at rest; the secret is shown once)."),
    "web": LazyCommand("web", "Run the console alone (dashboard, API, webhooks, metrics), e.g. beside separate workers."),
    "worker": LazyCommand("service", "Run workers only (no polling): drain the ledger's queue, or the Celery queue."),
}  # fmt: skip


def elapsed() -> float:
    """Seconds since this command started (its imports included), for "done in X s"."""
    return time.perf_counter() - _started


class LazyGroup(click.Group):
    """A group whose subcommands are imported when one is asked for, not at start-up."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        global _started
        _started = time.perf_counter()
        return super().main(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"oncodrop.cli.{COMMANDS[cmd_name].module}")
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``COMMANDS``, so ``--help`` imports no subcommand module."""
        rows = []
        width = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(width)))
            elif not COMMANDS[name].hidden:
                # a stand-in command, for click's own truncation of its help
                stand_in = click.Command(name, help=COMMANDS[name].short_help)
                rows.append((name, stand_in.get_short_help_str(width)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def load_all() -> dict[str, click.Command]:
    """Import every subcommand module and return the top-level commands (for tests and docs)."""
    ctx = click.Context(main)
    return {name: command for name in main.list_commands(ctx) if (command := main.get_command(ctx, name))}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oncodrop")
def main() -> None:
    """Drop a tumour VCF tarball in a bucket, get a cancer genome report back."""
