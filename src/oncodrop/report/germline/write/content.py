"""What a finished germline report says, as one frozen value every writer renders.

The engine computes; the writers only format, so HTML, TSV, JSON and XLSX cannot disagree.
Findings are already in report order (class P → B, then genomic position).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from oncodrop.domain.genome import Build
from oncodrop.domain.headline import Headline
from oncodrop.report.germline.model import GermlineClass, GermlineFinding
from oncodrop.report.germline.panels import GenePanel
from oncodrop.report.germline.pgx import PgxReport
from oncodrop.report.write.content import BundleInfo, InputFile
from oncodrop.sampleconfig import SampleConfig


@dataclass(frozen=True, slots=True)
class GermlineReadStats:
    """How the panel regions of the VCF were read."""

    sample: str | None
    sample_reason: str
    annotation_source: str
    population_data: bool
    used_index: bool
    alleles_read: int
    filtered: int
    regions: int
    region_bases: int


@dataclass(frozen=True, slots=True)
class GermlineContent:
    """Everything a germline report shows."""

    sample_id: str
    build: Build
    config: SampleConfig
    bundle: BundleInfo
    panel: GenePanel
    missing_genes: tuple[str, ...]  # panel genes absent from the bundle's gene model
    read_stats: GermlineReadStats
    findings: tuple[GermlineFinding, ...]
    clinvar_available: bool
    residues_available: bool  # PS1/PM5 could be evaluated
    notes: tuple[str, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    versions: tuple[tuple[str, str], ...] = ()
    reporter: str = "oncodrop-germline"
    pgx: PgxReport | None = None  # pharmacogenomic section; None: not run

    def of_class(self, *classes: GermlineClass) -> tuple[GermlineFinding, ...]:
        return tuple(f for f in self.findings if f.final_class in classes)

    @property
    def pathogenic(self) -> tuple[GermlineFinding, ...]:
        """P and LP findings in panel genes (secondary findings are listed apart)."""
        return tuple(f for f in self.findings if f.final_class.is_pathogenic and f.origin == "panel")

    @property
    def pathogenic_only(self) -> tuple[GermlineFinding, ...]:
        """Pathogenic (P) findings in panel genes: their own card section, apart from LP."""
        return tuple(f for f in self.pathogenic if f.final_class is GermlineClass.PATHOGENIC)

    @property
    def likely_pathogenic(self) -> tuple[GermlineFinding, ...]:
        """Likely pathogenic (LP) findings in panel genes."""
        return tuple(f for f in self.pathogenic if f.final_class is GermlineClass.LIKELY_PATHOGENIC)

    @property
    def secondary(self) -> tuple[GermlineFinding, ...]:
        """P and LP findings in ACMG secondary-finding genes (only when opted in)."""
        return tuple(f for f in self.findings if f.final_class.is_pathogenic and f.origin == "secondary")

    @property
    def vus(self) -> tuple[GermlineFinding, ...]:
        return tuple(f for f in self.findings if f.final_class is GermlineClass.VUS and f.origin == "panel")

    @property
    def class_counts(self) -> dict[str, int]:
        counts = Counter(f.final_class.code for f in self.findings)
        return {c.code: counts.get(c.code, 0) for c in GermlineClass}


def _genes(findings: tuple[GermlineFinding, ...]) -> str:
    genes = ", ".join(dict.fromkeys(f.gene for f in findings))
    return f" ({genes})" if genes else ""


def germline_headline(content: GermlineContent) -> Headline:
    """What a notification says: P, LP and VUS counts apart, and the P and LP genes."""
    pathogenic, likely, vus = content.pathogenic_only, content.likely_pathogenic, content.vus
    line = f"Germline: {len(pathogenic)} pathogenic{_genes(pathogenic)}"
    line += f"; {len(likely)} likely pathogenic{_genes(likely)}"
    line += f"; {len(vus)} VUS in {len(content.panel.genes)} panel genes ({content.panel.name})"
    if content.secondary:
        line += f"; {len(content.secondary)} secondary finding(s)"
    if content.bundle.demo:
        line += f" [{content.bundle.label}]"
    return Headline(pathogenic=len(pathogenic), likely_pathogenic=len(likely), vus=len(vus), summary_line=line)
