"""``oncodrop report``: run the reporter on one VCF outside the service (parse, call, print)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import click

from oncodrop.cli import main
from oncodrop.domain.kind import SampleKind
from oncodrop.errors import BundleError, ConfigError, InputRejected
from oncodrop.intake.config import load_config
from oncodrop.report.protocol import ReportRequest
from oncodrop.report.registry import default_reporters

KINDS: tuple[SampleKind, ...] = ("somatic", "normal")  # -somatic and -normal tarballs

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def default_sample_id(vcf: Path) -> str:
    """``T001-BRCA.grch37.vcf.gz`` → ``T001-BRCA.grch37``."""
    name = vcf.name
    for suffix in (".vcf.gz", ".vcf.bgz", ".vcf"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return vcf.stem


def _rejection_text(exc: InputRejected) -> str:
    r = exc.rejection
    where = ", ".join(
        part for part in (
            r.file and f"file {r.file}", r.line and f"line {r.line}", r.field and f"field {r.field}",
        ) if part
    )  # fmt: skip
    return f"input rejected [{r.reason_code}]" + (f" ({where})" if where else "") + f": {r.message}"


@main.command("report")
@click.option("--vcf", required=True, type=_FILE, envvar="ONCODROP_REPORT_VCF",
              help="Somatic VCF (bgzipped or plain). Env ONCODROP_REPORT_VCF.")
@click.option("--config", "config_path", required=True, type=_FILE, envvar="ONCODROP_REPORT_CONFIG",
              help="Sample config TOML (ours or PCGR 0.5–0.9). Env ONCODROP_REPORT_CONFIG.")
@click.option("--cna", type=_FILE, default=None, envvar="ONCODROP_REPORT_CNA",
              help="Copy-number segments (PCGR 2.x or 0.x TSV). Env ONCODROP_REPORT_CNA.")
@click.option("--bundle", required=True, envvar="ONCODROP_BUNDLE",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Reference bundle folder. Env ONCODROP_BUNDLE.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              envvar="ONCODROP_REPORT_OUT", help="Output folder (created). Env ONCODROP_REPORT_OUT.")
@click.option("--sample-id", default=None, envvar="ONCODROP_REPORT_SAMPLE_ID",
              help="Sample id for file names; default: the config's, else the VCF name.")
@click.option("--kind", type=click.Choice(KINDS), default="somatic", show_default=True,
              envvar="ONCODROP_REPORT_KIND", help="somatic (tumour) or normal (germline) reporter.")
def report(
    vcf: Path,
    config_path: Path,
    cna: Path | None,
    bundle: Path,
    out_dir: Path,
    sample_id: str | None,
    kind: str,
) -> None:
    """Write report.html, tiers TSV, MAF, summary JSON, XLSX and provenance.json to --out."""
    reporters = default_reporters()
    if kind not in reporters:
        raise click.ClickException(f"no {kind} reporter is installed (available: {', '.join(sorted(reporters))})")
    try:
        config = load_config(config_path, sample_id_default=default_sample_id(vcf))
        request = ReportRequest(
            vcf=vcf, config=config, bundle=bundle, out_dir=out_dir, kind=cast(SampleKind, kind),
            sample_id=sample_id or config.sample.id or default_sample_id(vcf), cna=cna,
        )  # fmt: skip
        start = time.perf_counter()
        result = reporters[kind].run(request)
    except InputRejected as exc:
        raise click.ClickException(_rejection_text(exc)) from None
    except (BundleError, ConfigError) as exc:
        raise click.ClickException(exc.message) from None
    click.echo(result.headline.summary_line)
    for path in result.files:
        click.echo(f"  {path}")
    click.echo(f"done in {time.perf_counter() - start:.1f} s ({result.reporter})")
