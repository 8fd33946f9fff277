"""``oncodrop config show | docs``: the effective settings (secrets redacted) and their reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from oncodrop.cli import main
from oncodrop.cli.common import config_option, load_settings

DOCS_BEGIN = "<!-- BEGIN oncodrop config docs -->"
DOCS_END = "<!-- END oncodrop config docs -->"


@main.group()
def config() -> None:
    """Inspect oncodrop's settings (CLI > ONCODROP_* env > TOML file > defaults)."""


@config.command("show")
@config_option()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML.")
def show(config_file: Path | None, as_json: bool) -> None:
    """Print every setting's effective value, as TOML with each one's env variable(s) in a
    comment; secret URLs show only their host."""
    data = load_settings(config_file, configure_logs=False).redacted_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo("\n".join(_toml_lines(data, _env_comments())))


@config.command("docs")
def docs() -> None:
    """Print the Markdown reference of every setting (the table in docs/settings.md)."""
    click.echo("\n".join(reference_lines()))


def _env_comments() -> dict[str, str]:
    from oncodrop.settings import field_docs  # lazy, as every settings import here: CLI start-up

    return {doc.path: ", ".join(doc.env) for doc in field_docs()}


def _toml_lines(data: dict[str, Any], env: dict[str, str], table: str = "") -> list[str]:
    """Flat keys first, then one ``[table]`` per nested mapping; ``None`` as a comment."""
    lines = []
    nested = {}
    for key, value in data.items():
        path = f"{table}.{key}" if table else key
        if isinstance(value, dict):
            nested[key] = value
        elif value is None:
            lines.append(f"# {key} = (not set)  # {env.get(path, '')}")
        else:
            lines.append(f"{key} = {json.dumps(value)}  # {env.get(path, '')}")
    for key, value in nested.items():
        name = f"{table}.{key}" if table else key
        lines += ["", f"[{name}]", *_toml_lines(value, env, name)]
    return lines


def reference_lines() -> list[str]:
    """One Markdown table per area: setting, env variable(s), default, meaning."""
    from oncodrop.settings import field_docs

    lines = [DOCS_BEGIN]
    area = None
    for doc in field_docs():
        head = doc.path.rpartition(".")[0] or "top level"
        if head != area:
            area = head
            title = "Top level (the service)" if head == "top level" else f"`[{head}]`"
            lines += ["", f"### {title}", "", "| setting | env | default | meaning |", "|---|---|---|---|"]
        env = "<br>".join(f"`{name}`" for name in doc.env)
        default = "" if doc.default in (None, (), "") else f"`{_plain(doc.default)}`"
        lines.append(f"| `{doc.path}` | {env} | {default} | {doc.description} |")
    return [*lines, "", DOCS_END]


def _plain(value: Any) -> str:
    if isinstance(value, tuple):
        return json.dumps(list(value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
