"""Which reporter handles which kind of sample: our engines, or PCGR/CPSR when a sample's
config asks for them (``[reporter] backend = "pcgr"``) and they are installed."""

from __future__ import annotations

from oncodrop.report.protocol import Reporter, ReportRequest, ReportResult
from oncodrop.settings import PcgrSettings


class ConfiguredReporter:
    """Our engine for a kind of sample, unless the sample config asks for the pcgr backend."""

    def __init__(self, own: Reporter, external: Reporter) -> None:
        self.own = own
        self.external = external
        self.name = own.name

    def run(self, request: ReportRequest) -> ReportResult:
        chosen = self.external if request.config.reporter.backend == "pcgr" else self.own
        return chosen.run(request)


def default_reporters(pcgr: PcgrSettings | None = None) -> dict[str, Reporter]:
    """Our own engines: somatic for ``-somatic`` tarballs, germline for ``-normal``; each
    hands a sample to PCGR (somatic) or CPSR (normal) when its config asks for it."""
    # lazy: the science stack (numpy, scipy, pysam) loads in the job fork server, not in `serve`
    from oncodrop.report.backends.pcgr import CPSR, PCGR, ExternalReporter
    from oncodrop.report.engine import SomaticReporter

    settings = pcgr or PcgrSettings()
    reporters: dict[str, Reporter] = {
        "somatic": ConfiguredReporter(SomaticReporter(), ExternalReporter(PCGR, settings)),
    }
    try:
        from oncodrop.report.germline.engine import GermlineReporter
    except ModuleNotFoundError:  # pragma: no cover - germline engine not installed
        return reporters
    reporters["normal"] = ConfiguredReporter(GermlineReporter(), ExternalReporter(CPSR, settings))
    return reporters
