"""The seam between the pipeline and whatever produces a report (ours, or real PCGR/CPSR)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from oncodrop.domain.headline import Headline
from oncodrop.domain.kind import SampleKind
from oncodrop.sampleconfig import SampleConfig
from oncodrop.settings import DEFAULT_COMPRESS_ROWS_OVER  # ``[report] compress_rows_over``


@dataclass(frozen=True, slots=True)
class ReportRequest:
    vcf: Path
    config: SampleConfig
    bundle: Path
    out_dir: Path
    kind: SampleKind = "somatic"
    sample_id: str = "sample"
    cna: Path | None = None
    compress_rows_over: int = DEFAULT_COMPRESS_ROWS_OVER


@dataclass(frozen=True, slots=True)
class ReportResult:
    out_dir: Path
    files: tuple[Path, ...]
    headline: Headline
    reporter: str
    timings: dict[str, float] = field(default_factory=dict)


class Reporter(Protocol):
    """Turns one sample's VCF (+config, +CNA) into report files in ``out_dir``.

    Raises ``InputRejected`` for bad input (never retried), ``BundleError`` for an unusable
    bundle; anything else is treated as a transient failure by the pipeline.
    """

    name: str

    def run(self, request: ReportRequest) -> ReportResult: ...
