"""``oncodrop refdata build|verify``: thin wrappers over ``oncodrop.refdata``.

Every ``build`` option is a ``[refdata]`` setting (``ONCODROP_REFDATA__<FIELD>``, see
``oncodrop config show``); given, it overrides the environment and the ``--config`` file.
"""

from __future__ import annotations

from pathlib import Path

import click

from oncodrop.cli import main
from oncodrop.cli.common import click_errors, config_option, default, given, load_settings


@main.group("refdata")
def refdata() -> None:
    """Build and check reference bundles (knowledge, ClinVar, signatures, genome)."""


@refdata.command("build")
@config_option()
@click.option("--out", type=click.Path(path_type=Path), help="new folder for the bundle (required)")
@click.option("--demo", is_flag=True, default=None, help="offline demo bundle from committed tables (GRCh37)")
@click.option("--build", "builds", multiple=True, type=click.Choice(["grch37", "grch38"]),
              help="genome build(s) to include" + default("refdata.builds", "grch38"))  # fmt: skip
@click.option("--source-url", "source_urls", multiple=True, metavar="NAME=URL",
              help="replace a source URL ({build}, {label}, {version} are filled in)")  # fmt: skip
@click.option("--skip", "skip", multiple=True, metavar="NAME", help="leave out an optional source")
@click.option("--name", help="bundle name in the manifest" + default("refdata.name", "oncodrop"))
@click.option("--version", "version", help="bundle version (default: today's date)")
@click.option("--panelapp", "panelapp", multiple=True, metavar="ID[:NAME]",
              help="add Genomics England PanelApp panel ID as germline panel NAME (default panelapp_ID)")  # fmt: skip
@click.option("--panelapp-url", help="PanelApp API base (…/api/v1)"
              + default("refdata.panelapp_url", "https://panelapp.genomicsengland.co.uk/api/v1"))  # fmt: skip
def build(config_file: Path | None, out: Path | None, demo: bool | None, builds: tuple[str, ...],
          source_urls: tuple[str, ...], skip: tuple[str, ...], name: str | None, version: str | None,
          panelapp: tuple[str, ...], panelapp_url: str | None) -> None:  # fmt: skip
    """Download and compile the public sources into a bundle at --out (or --demo offline)."""
    from oncodrop.demo.bundle import build_demo_bundle
    from oncodrop.refdata.build import BuildOptions, build_bundle

    settings = load_settings(
        config_file, configure_logs=False, refdata__out=out, refdata__demo=demo, refdata__builds=given(builds),
        refdata__source_urls=given(source_urls), refdata__skip=given(skip), refdata__name=name,
        refdata__version=version, refdata__panelapp=given(panelapp), refdata__panelapp_url=panelapp_url,
    )  # fmt: skip
    with click_errors():
        if settings.refdata.demo:
            path = build_demo_bundle(settings.require("refdata.out", "--out DIR"))
            click.echo(f"demo bundle (not for clinical use) at {path}")
            return
        result = build_bundle(BuildOptions.from_settings(settings.refdata),
                              progress=lambda msg: click.echo(msg, err=True))  # fmt: skip
    report = result.civic
    click.echo(
        f"bundle at {result.path}: {report.items_written} evidence items from "
        f"{report.rows_read} CIViC rows, {len(result.downloads)} files downloaded"
    )


@refdata.command("verify")
@config_option()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--version", "version", help="the version the bundle must have (env ONCODROP_BUNDLE_VERSION)")
@click.option("--sha256", "sha256", help="the sha256 its manifest.json must have (env ONCODROP_BUNDLE_SHA256)")
def verify(config_file: Path | None, path: Path, version: str | None, sha256: str | None) -> None:
    """Check every file of the bundle at PATH against its manifest sha256 and, when a version or
    manifest sha256 is pinned (options, environment or --config), against the pin. Prints the
    manifest's sha256: the value a deployment pins."""
    from oncodrop.refdata.pin import deployment_pin, manifest_sha256, open_pinned

    settings = load_settings(config_file, configure_logs=False, bundle_version=version, bundle_sha256=sha256)
    pin = deployment_pin(settings)
    with click_errors():
        bundle = open_pinned(path, pin)
        digest = manifest_sha256(path)
    demo = " (demo, not for clinical use)" if bundle.demo else ""
    pinned = "" if pin.empty else ", matches the pin"
    click.echo(
        f"ok: {bundle.name} {bundle.version}{demo}, {len(bundle.manifest['files'])} files verified{pinned}; "
        f"manifest sha256 {digest}"
    )


@refdata.command("install")
@config_option()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", help="SQLAlchemy URL of the ledger (env ONCODROP_DB).")
@click.option("--no-current", is_flag=True, help="register the version without making it the current one")
def install(config_file: Path | None, path: Path, db: str | None, no_current: bool) -> None:
    """Verify the bundle at PATH and register its version in the ledger (the current one)."""
    from oncodrop.ledger import Ledger
    from oncodrop.service.reinterpret import install_bundle

    settings = load_settings(config_file, db=db)
    with click_errors():
        ledger = Ledger.open(settings.db)
        try:
            version = install_bundle(ledger, path, current=not no_current)
        finally:
            ledger.close()
    current = " (current)" if version.current else ""
    click.echo(f"installed {version.name} {version.version}{current} from {version.path}")
