"""``oncodrop config show``: print the effective settings (secrets redacted) and where they come from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from oncodrop.cli import main
from oncodrop.errors import ConfigError
from oncodrop.settings import Settings


@main.group()
def config() -> None:
    """Inspect oncodrop's settings (CLI > ONCODROP_* env > TOML file > defaults)."""


@config.command("show")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="ONCODROP_CONFIG",
    help="TOML settings file (env ONCODROP_CONFIG).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML-style lines.")
def show(config_file: Path | None, as_json: bool) -> None:
    """Print the effective settings; secret URLs show only their host."""
    try:
        settings = Settings.load(config_file)
    except ConfigError as exc:
        raise click.ClickException(exc.message) from None
    data = settings.redacted_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo("\n".join(_toml_lines(data)))


def _toml_lines(data: dict[str, Any], table: str = "") -> list[str]:
    """Render flat keys first, then one ``[table]`` per nested mapping; ``None`` as a comment."""
    lines = []
    nested = {}
    for key, value in sorted(data.items()):
        if isinstance(value, dict):
            nested[key] = value
        elif value is None:
            lines.append(f"# {key} = (not set)")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    for key, value in nested.items():
        name = f"{table}.{key}" if table else key
        lines += ["", f"[{name}]", *_toml_lines(value, name)]
    return lines
