"""The germline reporter: the one short place where the germline steps are composed.

panel → regions → read (index or stream; annotate if needed) → ClinVar + ACMG criteria →
class → write. Implements the ``Reporter`` protocol as ``oncodrop-germline``, so the pipeline
routes every ``-normal`` tarball here. Same inputs + same bundle → same findings, whether the
VCF is indexed or not and whether it spells chromosomes ``chr1`` or ``1``.
"""

from __future__ import annotations

from contextlib import nullcontext

from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import bundle_info
from oncodrop.report.germline.clinvar import ClinvarDb, ResidueIndex
from oncodrop.report.germline.findings import (
    classify_variants,
    clinvar_residues,
    hotspot_codons,
)
from oncodrop.report.germline.keep import germline_input
from oncodrop.report.germline.panels import GenePanel, select_panel
from oncodrop.report.germline.pgx import pharmacogenomics
from oncodrop.report.germline.read import (
    header_facts,
    read_panel_variants,
    require_build,
)
from oncodrop.report.germline.regions import PanelRegions, panel_regions
from oncodrop.report.germline.write.content import GermlineContent, GermlineReadStats
from oncodrop.report.germline.write.files import write_germline_files
from oncodrop.report.interpretation.snapshot import write_input
from oncodrop.report.metrics.concordance import check_reference
from oncodrop.report.protocol import ReportRequest, ReportResult
from oncodrop.report.write.provenance import describe_input, software_versions
from oncodrop.timing import StepClock

REPORTER_NAME = "oncodrop-germline"


def _regions(bundle: Bundle, build: str, panel: GenePanel) -> PanelRegions:
    regions = panel_regions(bundle.genes(build), panel.all_symbols)
    if not regions.loci:
        raise InputRejected(
            ReasonCode.BAD_CONFIG,
            f"none of the genes of panel {panel.name} ({', '.join(sorted(panel.symbols)[:8])}…) "
            f"is in the gene model of bundle {bundle.name} {bundle.version} for {build}; check "
            "the gene symbols in [germline] genes (HGNC symbols, e.g. BRCA1)",
            field="germline.genes" if panel.source == "sample config" else "germline.panel",
        )
    return regions


def _notes(panel: GenePanel, regions: PanelRegions, annotation: str, residues: ResidueIndex,
           clinvar: bool, gene_model: bool = True) -> tuple[str, ...]:
    notes = []
    if regions.missing:
        notes.append(f"{len(regions.missing)} panel gene(s) are not in the bundle's gene model and "
                     f"were not read: {', '.join(regions.missing)}")
    if annotation == "none":
        notes.append("The VCF has no consequence annotation and the bundle no gene model: "
                     "consequence-based criteria (PVS1, PM1, PM4, PM5, PS1, BP1, BP7) were not "
                     "evaluated; annotate with VEP, snpEff or bcftools csq for a full report")
    elif not gene_model:
        notes.append("The bundle has no gene model (GFF3): PVS1's NMD and protein-share questions were "
                     "answered from the annotation's exon numbers only, with the weaker strength where "
                     "they cannot decide")
    if not clinvar:
        notes.append("The bundle holds no ClinVar VCF for this build: classes come from ACMG points only")
    elif not residues.available:
        notes.append("ClinVar alleles carry no protein change and the bundle has no gene model: "
                     "PS1 and PM5 were not evaluated")
    if panel.secondary:
        notes.append(f"Secondary findings requested: {len(panel.secondary)} ACMG SF genes outside "
                     "the panel were also read")
    return tuple(notes)  # fmt: skip


class GermlineReporter:
    """Our own CPSR-class germline predisposition reporter (``Reporter`` protocol)."""

    name = REPORTER_NAME

    def run(self, request: ReportRequest) -> ReportResult:
        clock = StepClock()
        config = request.config
        bundle = Bundle.open(request.bundle)
        request.out_dir.mkdir(parents=True, exist_ok=True)
        with clock.step("panel"):
            facts = header_facts(request.vcf)
            build = require_build(facts, config, request.vcf.name)
            panel = select_panel(bundle, config.germline)
            regions = _regions(bundle, build, panel)
        with clock.step("read"):
            read = read_panel_variants(request.vcf, facts, config, bundle, regions.regions)
            reference = check_reference(read.variants, bundle, read.build, request.vcf.name,
                                        facts.build_evidence)  # fmt: skip
        clinvar_path = bundle.clinvar(read.build)
        with ClinvarDb(clinvar_path) if clinvar_path else nullcontext() as db:
            with clock.step("clinvar"):
                residues = clinvar_residues(bundle, read.build, regions, db) if db else ResidueIndex.unavailable()
            with clock.step("classify"):
                findings = classify_variants(
                    read.variants, panel=panel, regions=regions, clinvar=db, residues=residues,
                    hotspots=hotspot_codons(bundle.hotspots()), population_data=read.population_data,
                    transcripts=bundle.transcripts(read.build),
                )  # fmt: skip
            with clock.step("pgx"):
                pgx = pharmacogenomics(request.vcf, config, bundle, read.build, db)
        content = GermlineContent(
            sample_id=request.sample_id,
            build=read.build,
            config=config,
            bundle=bundle_info(bundle),
            panel=panel,
            missing_genes=regions.missing,
            read_stats=GermlineReadStats(
                sample=read.sample, sample_reason=read.sample_reason,
                annotation_source=read.annotation_source, population_data=read.population_data,
                used_index=read.used_index, alleles_read=read.alleles_read, filtered=read.filtered,
                regions=len(regions.loci), region_bases=regions.total_bases,
            ),
            findings=findings,
            clinvar_available=clinvar_path is not None,
            residues_available=residues.available,
            notes=(*_notes(panel, regions, read.annotation_source, residues, clinvar_path is not None,
                           bundle.gff3(read.build) is not None),
                   *(() if reference.trusted else (f"Reference mismatch: {reference.sentence}",))),
            inputs=(describe_input("vcf", request.vcf),),
            versions=software_versions(),
            reporter=self.name,
            pgx=pgx,
        )
        with clock.step("write"):
            files, headline = write_germline_files(content, request.out_dir, bundle.describe(), clock.timings)
            kept = write_input(request.out_dir, germline_input(content, read.variants))
        files = tuple(sorted((*files, kept)))
        return ReportResult(request.out_dir, files, headline, self.name, dict(clock.timings))
