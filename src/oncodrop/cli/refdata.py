"""``oncodrop refdata build|verify``: thin wrappers over ``oncodrop.refdata``.

Every option can also come from an ``ONCODROP_REFDATA_*`` variable (multi-valued ones
space-separated).
"""

from __future__ import annotations

from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.errors import OncodropError


@main.group("refdata")
def refdata() -> None:
    """Build and check reference bundles (knowledge, ClinVar, signatures, genome)."""


@refdata.command("build")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    envvar="ONCODROP_REFDATA_OUT",
    help="new folder for the bundle",
)
@click.option(
    "--demo",
    is_flag=True,
    envvar="ONCODROP_REFDATA_DEMO",
    help="offline demo bundle from committed tables (GRCh37)",
)
@click.option(
    "--build",
    "builds",
    multiple=True,
    type=click.Choice(["grch37", "grch38"]),
    default=("grch38",),
    envvar="ONCODROP_REFDATA_BUILDS",
    show_default=True,
    help="genome build(s) to include",
)
@click.option(
    "--source-url",
    "source_urls",
    multiple=True,
    metavar="NAME=URL",
    envvar="ONCODROP_REFDATA_SOURCE_URLS",
    help="replace a source URL ({build}, {label}, {version} are filled in)",
)
@click.option(
    "--skip",
    "skip",
    multiple=True,
    metavar="NAME",
    envvar="ONCODROP_REFDATA_SKIP",
    help="leave out an optional source",
)
@click.option(
    "--name",
    default="oncodrop",
    envvar="ONCODROP_REFDATA_NAME",
    show_default=True,
    help="bundle name in the manifest",
)
@click.option(
    "--version",
    "version",
    default="",
    envvar="ONCODROP_REFDATA_VERSION",
    help="bundle version (default: today's date)",
)
@click.option(
    "--panelapp",
    "panelapp",
    multiple=True,
    metavar="ID[:NAME]",
    help="add Genomics England PanelApp panel ID as germline panel NAME (default panelapp_ID)",
)
@click.option(
    "--panelapp-url",
    default=None,
    envvar="ONCODROP_REFDATA_PANELAPP_URL",
    help="PanelApp API base (…/api/v1)",
)
def build(out: Path, demo: bool, builds: tuple[str, ...], source_urls: tuple[str, ...],
          skip: tuple[str, ...], name: str, version: str, panelapp: tuple[str, ...],
          panelapp_url: str | None) -> None:  # fmt: skip
    """Download and compile the public sources into a bundle at --out (or --demo offline)."""
    from oncodrop.demo.bundle import build_demo_bundle
    from oncodrop.refdata.build import BuildOptions, build_bundle
    from oncodrop.refdata.sources import parse_overrides

    try:
        if demo:
            path = build_demo_bundle(out)
            click.echo(f"demo bundle (not for clinical use) at {path}")
            return
        options = BuildOptions(
            out=out,
            builds=tuple(builds),  # type: ignore[arg-type]
            overrides=parse_overrides(source_urls),
            skip=frozenset(skip),
            name=name,
            version=version,
            panelapp=tuple(_panel_spec(spec) for spec in panelapp),
            **({"panelapp_url": panelapp_url} if panelapp_url else {}),
        )
        result = build_bundle(options, progress=lambda msg: click.echo(msg, err=True))
    except OncodropError as exc:
        raise click.ClickException(exc.message) from exc
    report = result.civic
    click.echo(
        f"bundle at {result.path}: {report.items_written} evidence items from "
        f"{report.rows_read} CIViC rows, {len(result.downloads)} files downloaded"
    )


@refdata.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
def verify(path: Path) -> None:
    """Check every file of the bundle at PATH against its manifest sha256."""
    from oncodrop.refdata.bundle import Bundle

    try:
        bundle = Bundle.open(path, verify=True)
    except OncodropError as exc:
        raise click.ClickException(exc.message) from exc
    demo = " (demo, not for clinical use)" if bundle.demo else ""
    click.echo(
        f"ok: {bundle.name} {bundle.version}{demo}, {len(bundle.manifest['files'])} files verified"
    )


def _panel_spec(spec: str) -> tuple[int, str]:
    """``243`` or ``243:hereditary_breast`` -> (243, name)."""
    panel_id, _, name = spec.partition(":")
    if not panel_id.isdigit():
        raise click.BadParameter(f"{spec!r}: expected a PanelApp panel id, e.g. 243 or 243:breast_ovarian",
                                 param_hint="--panelapp")  # fmt: skip
    return int(panel_id), name or f"panelapp_{panel_id}"
