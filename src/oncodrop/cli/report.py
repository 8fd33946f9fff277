"""``oncodrop report``: run the reporter on one VCF outside the service (parse, call, print)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from oncodrop.cli import elapsed, main
from oncodrop.cli.common import click_errors, config_option, default, load_settings
from oncodrop.errors import BundleError, ConfigError, InputRejected, OncodropError

if TYPE_CHECKING:
    from oncodrop.domain.kind import SampleKind

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


def _error_text(exc: OncodropError) -> str:
    return _rejection_text(exc) if isinstance(exc, InputRejected) else exc.message


@main.command("report")
@click.option("--vcf", type=_FILE, help="The sample's VCF (bgzipped or plain): the tumour's calls with --kind "
              "somatic, the normal's (germline) calls with --kind normal; required. Setting report.vcf.")
@click.option("--config", "sample_config", type=_FILE,
              help="Sample config TOML (ours or PCGR 0.5–0.9); required. Setting report.sample_config.")
@click.option("--cna", type=_FILE, help="Copy-number segments (PCGR 2.x or 0.x TSV). Setting report.cna.")
@click.option("--bundle", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Reference bundle folder; required. Env ONCODROP_BUNDLE.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created); required. Setting report.out.")
@click.option("--sample-id", help="Sample id for file names; default: the config's, else the VCF name.")
@click.option("--kind", type=click.Choice(KINDS),
              help="somatic (tumour) or normal (germline) reporter." + default("report.kind", "somatic"))  # fmt: skip
@config_option("--settings")
def report(config_file: Path | None, vcf: Path | None, sample_config: Path | None, cna: Path | None,
           bundle: Path | None, out: Path | None, sample_id: str | None, kind: str | None) -> None:  # fmt: skip
    """Write report.html, tiers TSV, MAF, summary JSON, XLSX and provenance.json to --out.

    Every option is a setting (``[report]``, ``ONCODROP_REPORT__<FIELD>``); --settings FILE is the
    TOML settings file (--config is the sample's config here).
    """
    from oncodrop.intake.config import load_config  # lazy, as the reporters: CLI start-up
    from oncodrop.report.protocol import ReportRequest
    from oncodrop.report.registry import default_reporters

    settings = load_settings(config_file, configure_logs=False, bundle=bundle, report__vcf=vcf,
                             report__sample_config=sample_config, report__cna=cna, report__out=out,
                             report__sample_id=sample_id, report__kind=kind)  # fmt: skip
    options = settings.report
    reporters = default_reporters(settings.pcgr)
    if options.kind not in reporters:
        raise click.ClickException(f"no {options.kind} reporter is installed "
                                   f"(available: {', '.join(sorted(reporters))})")  # fmt: skip
    with click_errors(InputRejected, BundleError, ConfigError, message=_error_text):
        vcf_path: Path = settings.require("report.vcf", "--vcf")
        config = load_config(settings.require("report.sample_config", "--config"),
                             sample_id_default=default_sample_id(vcf_path))  # fmt: skip
        request = ReportRequest(
            vcf=vcf_path, config=config, bundle=settings.require("bundle", "--bundle"),
            out_dir=settings.require("report.out", "--out"), kind=options.kind,
            sample_id=options.sample_id or config.sample.id or default_sample_id(vcf_path), cna=options.cna,
            compress_rows_over=options.compress_rows_over,
        )  # fmt: skip
        start = time.perf_counter()
        result = reporters[options.kind].run(request)
        ran = time.perf_counter() - start
    click.echo(result.headline.summary_line)
    for path in result.files:
        click.echo(f"  {path}")
    # the whole command (imports, settings, config, report), as the user waited for it
    click.echo(f"done in {elapsed():.1f} s ({result.reporter}: {ran:.1f} s of it)")
