"""Turn the panel variants into classified germline findings (the science, composed).

For each variant: its reported gene, genotype QC, exact ClinVar match, the ACMG criteria it
meets, their points and the final class. ``clinvar_residues`` gathers the ClinVar pathogenic
missense residues inside the panel regions (annotating ClinVar's records with the bundle gene
model when ClinVar's VCF carries no consequences) for PS1/PM5.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from oncodrop.domain.genome import CHROMOSOME_ORDER, Build
from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError, InputRejected
from oncodrop.refdata.bundle import Bundle, Hotspot
from oncodrop.report.annotation.bcftools_csq import annotate_with_bcftools_csq
from oncodrop.report.annotation.gene_model import bundle_gene_model
from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.germline import acmg
from oncodrop.report.germline.clinvar import (
    ClinvarDb,
    ResidueIndex,
    pathogenic_residues,
)
from oncodrop.report.germline.criteria import (
    TRUNCATION_DRIVEN_GENES,
    EvidenceContext,
    evaluate,
)
from oncodrop.report.germline.model import GeneOrigin, GermlineFinding
from oncodrop.report.germline.panels import GenePanel
from oncodrop.report.germline.qc import genotype_qc
from oncodrop.report.germline.read import header_facts
from oncodrop.report.germline.regions import PanelRegions, subset_vcf
from oncodrop.report.vcf import read_variants
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

_CLINVAR_READ = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))
_CHROM_RANK = {c: i for i, c in enumerate(CHROMOSOME_ORDER)}


def clinvar_residues(bundle: Bundle, build: Build, regions: PanelRegions, db: ClinvarDb) -> ResidueIndex:
    """ClinVar P/LP missense residues in the panel; ``unavailable`` without protein data."""
    path = db.path
    gff3, fasta = bundle.gff3(build), bundle.fasta(build)
    try:
        if header_facts(path).annotation is not None:
            annotated = read_variants(path, _CLINVAR_READ, mode="somatic", regions=regions.regions)
            return ResidueIndex.build(pathogenic_residues(annotated.variants, db))
        if gff3 is None or fasta is None:
            return ResidueIndex.unavailable()
        with tempfile.TemporaryDirectory(prefix="oncodrop-clinvar-") as work:
            subset = subset_vcf(path, regions.regions, Path(work) / "clinvar.panel.vcf.gz")
            out = annotate_with_bcftools_csq(subset, gff3, fasta, out_dir=Path(work))
            with bundle_gene_model(bundle, build, fasta) as model:
                annotated = read_variants(out, _CLINVAR_READ, mode="somatic", transcripts=model)
    except InputRejected as exc:  # the bundle's file, not the user's: not an input problem
        raise BundleError(f"bundle ClinVar VCF {path.name} cannot be read ({exc.message}); "
                          "rebuild the bundle") from None
    return ResidueIndex.build(pathogenic_residues(annotated.variants, db))


def reported_gene(variant: Variant, panel: GenePanel, regions: PanelRegions) -> str | None:
    """The annotated gene when it is a panel gene, else the panel gene whose span holds it."""
    symbols = panel.all_symbols
    if variant.gene in symbols:
        return variant.gene
    for symbol in regions.genes_at(variant.chrom, variant.pos):
        if symbol in symbols:
            return symbol
    return None


def hotspot_codons(hotspots: Iterable[Hotspot]) -> frozenset[tuple[str, int]]:
    return frozenset((h.gene, h.codon) for h in hotspots)


def classify_variants(
    variants: Sequence[Variant],
    *,
    panel: GenePanel,
    regions: PanelRegions,
    clinvar: ClinvarDb | None,
    residues: ResidueIndex,
    hotspots: frozenset[tuple[str, int]],
    population_data: bool,
    transcripts: Mapping[str, TranscriptFacts] | None = None,
) -> tuple[GermlineFinding, ...]:
    """Every variant of a reported gene as a finding, most pathogenic first, then by locus.

    ``transcripts``: the bundle gene model's transcripts (PVS1 reads the annotated
    transcript's exons and CDS from it; None: exon numbers from the annotation only)."""
    findings = []
    for v in variants:
        gene = reported_gene(v, panel, regions)
        if gene is None:
            continue
        codon = v.consequence.protein_position if v.consequence else None
        ctx = EvidenceContext(
            gene=gene,
            mechanism=panel.mechanism(gene),
            hotspot=codon is not None and (gene, codon) in hotspots,
            clinvar_residues=residues.at(gene, codon) if codon is not None else (),
            population_data=population_data,
            truncation_driven=gene in TRUNCATION_DRIVEN_GENES,
            transcript=model_transcript(v, transcripts),
        )
        points = acmg.classify(evaluate(v, ctx))
        record = clinvar.lookup(v) if clinvar is not None else None
        final, source, reason = acmg.final_class(points, record)
        origin: GeneOrigin = "panel" if gene in panel.symbols else "secondary"
        findings.append(GermlineFinding(v, gene, origin, genotype_qc(v), record, points, final, source, reason))
    return tuple(sorted(findings, key=finding_order))


def model_transcript(v: Variant, transcripts: Mapping[str, TranscriptFacts] | None) -> TranscriptFacts | None:
    """The gene model's record of the variant's annotated transcript (version suffix ignored:
    VEP writes ``ENST00000380152.7``, an Ensembl GFF3 ``ENST00000380152``)."""
    tid = v.consequence.transcript if v.consequence else None
    if not transcripts or not tid:
        return None
    return transcripts.get(tid) or transcripts.get(tid.split(".", 1)[0])


def finding_order(f: GermlineFinding) -> tuple[int, int, str, int, str]:
    v = f.variant
    return (f.final_class.rank, _CHROM_RANK.get(v.chrom, 99), v.chrom, v.pos, f"{v.ref}>{v.alt}")
