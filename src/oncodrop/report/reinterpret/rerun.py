"""Re-run the bundle-dependent steps of a report from its stored interpretation input.

Evidence matching, tiers and oncogenicity (somatic; copy-number calls re-matched too), ClinVar
and ACMG classes (germline), against a bundle opened once for a whole batch (``Knowledge``
caches its evidence index, ClinVar handle and ClinVar residues). The VCF is never read again:
variants, metrics and copy-number calls come from the stored input, unchanged.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field, replace

from oncodrop.domain.copynumber import CnaCall
from oncodrop.domain.genome import Build
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import bundle_info, classify_variants
from oncodrop.report.germline import findings as germline_findings
from oncodrop.report.germline.clinvar import ClinvarDb, ResidueIndex
from oncodrop.report.germline.keep import germline_interpretation
from oncodrop.report.germline.regions import PanelRegions, panel_regions
from oncodrop.report.germline.write.content import GermlineContent
from oncodrop.report.interpretation.codec import decode_as
from oncodrop.report.interpretation.snapshot import (
    Interpretation,
    InterpretationInput,
    somatic_interpretation,
)
from oncodrop.report.matching import EvidenceIndex, match_cna
from oncodrop.report.oncogenic_lookups import HotspotIndex, OncogenicResidues
from oncodrop.report.tiers import assign_cna_tier
from oncodrop.report.write.content import ReportContent


@dataclass
class Knowledge:
    """One bundle, opened once for many samples; ``close`` releases its ClinVar handles."""

    bundle: Bundle
    _indexes: dict[Build, EvidenceIndex] = field(default_factory=dict)
    _somatic: tuple[HotspotIndex, OncogenicResidues] | None = None
    _clinvar: dict[Build, ClinvarDb | None] = field(default_factory=dict)
    _residues: dict[tuple[Build, tuple[str, ...]], ResidueIndex] = field(default_factory=dict)
    _stack: ExitStack = field(default_factory=ExitStack)

    def index(self, build: Build) -> EvidenceIndex:
        if build not in self._indexes:
            self._indexes[build] = EvidenceIndex.build(self.bundle.evidence(), build)
        return self._indexes[build]

    def somatic(self) -> tuple[HotspotIndex, OncogenicResidues]:
        """The bundle's hotspot index and oncogenic residues (built once)."""
        if self._somatic is None:
            self._somatic = (HotspotIndex.build(self.bundle.hotspots()), OncogenicResidues.build(self.bundle.evidence()))
        return self._somatic

    def clinvar(self, build: Build) -> ClinvarDb | None:
        if build not in self._clinvar:
            path = self.bundle.clinvar(build)
            self._clinvar[build] = self._stack.enter_context(ClinvarDb(path)) if path else None
        return self._clinvar[build]

    def residues(self, build: Build, regions: PanelRegions, symbols: tuple[str, ...]) -> ResidueIndex:
        db = self.clinvar(build)
        if db is None:
            return ResidueIndex.unavailable()
        key = (build, symbols)
        if key not in self._residues:
            self._residues[key] = germline_findings.clinvar_residues(self.bundle, build, regions, db)
        return self._residues[key]

    def close(self) -> None:
        self._stack.close()


@dataclass(frozen=True, slots=True)
class Reinterpreted:
    """The new interpretation, and the full report content it belongs to."""

    interpretation: Interpretation
    somatic: ReportContent | None = None
    germline: GermlineContent | None = None


def reinterpret(stored: InterpretationInput, knowledge: Knowledge) -> Reinterpreted:
    if stored.kind == "normal":
        return reinterpret_germline(stored, knowledge)
    return reinterpret_somatic(stored, knowledge)


def reinterpret_somatic(stored: InterpretationInput, knowledge: Knowledge) -> Reinterpreted:
    """Findings (match, oncogenicity, tier) and tiered CNA calls against ``knowledge``."""
    content = decode_as(stored.content, ReportContent)
    bundle, site = knowledge.bundle, content.config.sample.tumor_site
    index = knowledge.index(content.build)
    hotspots, residues = knowledge.somatic()
    findings = classify_variants(stored.variants, bundle, index, site, hotspots=hotspots, residues=residues)
    cna = None
    if content.cna is not None:
        cna = tuple(
            g if g.call is CnaCall.NEUTRAL
            else replace(g, evidence=(m := match_cna(g.gene, g.call, index)), tier=assign_cna_tier(m, site)[0])
            for g in content.cna
        )  # fmt: skip
    new = replace(content, findings=findings, cna=cna, bundle=bundle_info(bundle))
    return Reinterpreted(somatic_interpretation(new), somatic=new)


def reinterpret_germline(stored: InterpretationInput, knowledge: Knowledge) -> Reinterpreted:
    """ClinVar records, ACMG points and final classes of the stored panel variants."""
    content = decode_as(stored.content, GermlineContent)
    bundle, build, panel = knowledge.bundle, content.build, content.panel
    symbols = tuple(sorted(panel.all_symbols))
    regions = panel_regions(bundle.genes(build), symbols)
    db = knowledge.clinvar(build)
    residues = knowledge.residues(build, regions, symbols)
    findings = germline_findings.classify_variants(
        stored.variants, panel=panel, regions=regions, clinvar=db, residues=residues,
        hotspots=germline_findings.hotspot_codons(bundle.hotspots()),
        population_data=content.read_stats.population_data,
    )  # fmt: skip
    new = replace(content, findings=findings, bundle=bundle_info(bundle), clinvar_available=db is not None,
                  residues_available=residues.available)  # fmt: skip
    return Reinterpreted(germline_interpretation(new), germline=new)
