"""Which reporter handles which kind of sample. The real PCGR/CPSR adapter plugs in here."""

from __future__ import annotations

from oncodrop.report.protocol import Reporter


def default_reporters() -> dict[str, Reporter]:
    """Our own engines: somatic for ``-somatic`` tarballs, germline for ``-normal``."""
    # lazy: the science stack (numpy, scipy, pysam) loads in the job fork server, not in `serve`
    from oncodrop.report.engine import SomaticReporter

    reporters: dict[str, Reporter] = {"somatic": SomaticReporter()}
    try:
        from oncodrop.report.germline.engine import GermlineReporter
    except ModuleNotFoundError:  # pragma: no cover - germline engine not installed
        return reporters
    reporters["normal"] = GermlineReporter()
    return reporters
