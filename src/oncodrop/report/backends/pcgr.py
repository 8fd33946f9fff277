"""PCGR (tumour) and CPSR (normal) as an optional reporter backend.

A sample config asks for them with ``[reporter] backend = "pcgr"``. Where ``pcgr``/``cpsr`` is
on PATH, oncodrop runs it with the sample's settings mapped to its command line
(``pcgr_arguments``/``cpsr_arguments``: rules as data), keeps every file it writes under
``{out}/pcgr/`` (or ``cpsr/``), and adds its own ``provenance.json`` (inputs with checksums,
the tool's version and path, the mapped settings and command with private paths reduced to
names, timings). The headline is read from PCGR 2.x's ``*.snv_indel_ann.tsv.gz``
(``ACTIONABILITY_TIER``) and ``*.tmb.tsv`` (``tmb_estimate``) when present. Neither tool is
installable here (conda/Docker with a ~20 GB data bundle): the wiring is tested against a
recorded output folder, not a real run. Settings PCGR has and we do not map are listed in
docs/config.md.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oncodrop.domain.headline import Headline
from oncodrop.errors import ConfigError, InputRejected, ReasonCode, TransientError
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.report.write.provenance import describe_input
from oncodrop.sampleconfig import TUMOR_SITES, SampleConfig
from oncodrop.settings import PcgrSettings
from oncodrop.timing import StepClock

PCGR_SITE_CODES: dict[str | None, int] = {None: 0, **{site: i for i, site in enumerate(TUMOR_SITES, start=1)}}
"""Our tumour site -> PCGR ``--tumor_site`` code (0 = Any; PCGR's own 1-30 order)."""
STDERR_LINES = 3
_NUMBER = re.compile(r"\d{4,}")  # positions in a tool's stderr are patient data: masked


@dataclass(frozen=True, slots=True)
class Tool:
    name: str  # "pcgr" | "cpsr"
    kind: str  # the sample kind it reports


PCGR = Tool("pcgr", "somatic")
CPSR = Tool("cpsr", "normal")


def pcgr_arguments(request: ReportRequest, settings: PcgrSettings, out: Path) -> list[str]:
    """PCGR 2.x command line for the sample (the mapping of our config, one flag per setting)."""
    c: SampleConfig = request.config
    a = c.allelic_support
    args = [*_common(request, settings, out),
            "--tumor_site", str(PCGR_SITE_CODES[c.sample.tumor_site]),
            "--assay", c.assay.type,
            "--effective_target_size_mb", f"{c.assay.target_size_mb:g}",
            "--tmb_display", c.tmb.display,
            "--estimate_tmb"]  # fmt: skip
    if c.msi.enabled:
        args.append("--estimate_msi")
    if c.signatures.enabled:
        args.append("--estimate_signatures")
    if c.tumor.purity is not None:
        args += ["--tumor_purity", f"{c.tumor.purity:g}"]
    if c.tumor.ploidy is not None:
        args += ["--tumor_ploidy", f"{c.tumor.ploidy:g}"]
    for flag, value in (("--tumor_dp_tag", a.tumor_dp_tag), ("--tumor_af_tag", a.tumor_af_tag),
                        ("--tumor_dp_min", a.tumor_dp_min), ("--tumor_af_min", a.tumor_af_min)):  # fmt: skip
        if value not in (None, "", 0, 0.0):
            args += [flag, str(value)]
    if request.cna is not None:
        args += ["--input_cna", str(request.cna), "--n_copy_gain", str(c.cna.amplification_min_cn)]
    return args


def cpsr_arguments(request: ReportRequest, settings: PcgrSettings, out: Path) -> list[str]:
    """CPSR 2.x command line: panel 0 (CPSR's exploratory cancer predisposition panel)."""
    args = [*_common(request, settings, out), "--panel_id", "0"]
    if request.config.germline.secondary_findings:
        args.append("--secondary_findings")
    return args


def _common(request: ReportRequest, settings: PcgrSettings, out: Path) -> list[str]:
    build = request.config.sample.genome_build
    if build is None:
        raise InputRejected(ReasonCode.UNKNOWN_BUILD, "PCGR/CPSR need the build: set sample.genome_build "
                            '= "grch37" or "grch38" in the sample config', field="sample.genome_build")  # fmt: skip
    if settings.refdata_dir is None or settings.vep_dir is None:
        raise ConfigError("[pcgr] refdata_dir and vep_dir must be set (ONCODROP_PCGR__REFDATA_DIR, "
                          "ONCODROP_PCGR__VEP_DIR) for samples that ask for the pcgr backend")  # fmt: skip
    return ["--input_vcf", str(request.vcf), "--refdata_dir", str(settings.refdata_dir),
            "--vep_dir", str(settings.vep_dir), "--output_dir", str(out),
            "--genome_assembly", build, "--sample_id", request.sample_id]  # fmt: skip


class ExternalReporter:
    """Runs ``pcgr`` or ``cpsr`` (``Reporter`` protocol) and packs its output with ours."""

    def __init__(self, tool: Tool, settings: PcgrSettings) -> None:
        self.tool = tool
        self.name = tool.name
        self.settings = settings

    def run(self, request: ReportRequest) -> ReportResult:
        exe = shutil.which(self.tool.name)
        if exe is None:
            raise InputRejected(
                ReasonCode.BAD_CONFIG,
                f"the sample config asks for reporter backend \"pcgr\" but `{self.tool.name}` is not "
                "installed on this worker; remove [reporter] backend (oncodrop's own reporter runs) "
                "or ask the operator to install PCGR/CPSR",
                field="reporter.backend",
            )
        clock = StepClock()
        out = request.out_dir / self.tool.name
        out.mkdir(parents=True, exist_ok=True)
        build = pcgr_arguments if self.tool is PCGR else cpsr_arguments
        args = build(request, self.settings, out)
        with clock.step(self.tool.name):
            version = _version(exe)
            _run([exe, *args], self.settings.timeout_s, self.tool.name)
        files = tuple(sorted(p for p in out.rglob("*") if p.is_file()))
        if not files:
            raise TransientError(f"{self.tool.name} exited 0 but wrote nothing to its output folder")
        headline = headline_from_pcgr(out) if self.tool is PCGR else Headline(summary_line="CPSR report")
        provenance = request.out_dir / "provenance.json"
        provenance.write_text(json.dumps({
            "reporter": self.tool.name,
            "tool": {"name": self.tool.name, "version": version, "path": exe},
            "command": [self.tool.name, *_redacted(args)],
            "mapped_from": request.config.model_dump(mode="json", exclude={"notes"}),
            "inputs": [_input(request.vcf, "vcf"), *([_input(request.cna, "cna")] if request.cna else [])],
            "outputs": [p.relative_to(request.out_dir).as_posix() for p in files],
            "headline": headline.model_dump(mode="json"),
            "timings": clock.timings,
        }, indent=2, sort_keys=True) + "\n", encoding="utf-8")  # fmt: skip
        return ReportResult(request.out_dir, (*files, provenance), headline, self.tool.name, dict(clock.timings))


def _input(path: Path, role: str) -> dict[str, object]:
    d = describe_input(role, path)
    return {"role": d.role, "name": d.name, "sha256": d.sha256, "bytes": d.bytes}


def _redacted(args: Sequence[str]) -> list[str]:
    """Paths reduced to their names: provenance travels with the report, private paths do not."""
    return [Path(a).name if "/" in a else a for a in args]


def _version(exe: str) -> str:
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60, check=False)
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def _run(command: list[str], timeout_s: float, name: str) -> None:
    """Run the tool; a failure names the command, its status and its (masked) stderr tail."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise TransientError(f"{name} ran longer than [pcgr] timeout_s = {timeout_s:g} s and was stopped") from None
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-STDERR_LINES:])
        raise TransientError(f"{name} failed (exit status {done.returncode}): {_NUMBER.sub('<n>', tail)}")


def headline_from_pcgr(out: Path) -> Headline:
    """Tier I/II counts and TMB from PCGR 2.x's tables, when it wrote them."""
    tiers: dict[str, int] = {}
    for path in out.glob("*.snv_indel_ann.tsv.gz"):
        with gzip.open(path, "rt", newline="") as fh:
            for row in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
                tier = (row.get("ACTIONABILITY_TIER") or "").strip()
                tiers[tier] = tiers.get(tier, 0) + 1
    tmb: float | None = None
    for path in out.glob("*.tmb.tsv"):
        with path.open(newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                try:
                    tmb = float(row.get("tmb_estimate", ""))
                except ValueError:
                    continue
    tier1, tier2 = tiers.get("1", 0), tiers.get("2", 0)
    line = f"PCGR: Tier I: {tier1}; Tier II: {tier2}" + (f"; TMB {tmb:g} mut/Mb" if tmb is not None else "")
    return Headline(tier1=tier1, tier2=tier2, tmb=tmb, summary_line=line)
