"""ClinVar exact-allele look-up through the index (rows: fixture values in ClinVar's layout)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from oncodrop.domain.variant import Variant
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.germline.clinvar import ClinvarDb, PathogenicResidue, ResidueIndex
from oncodrop.report.germline.findings import clinvar_residues
from oncodrop.report.germline.model import GermlineClass
from oncodrop.report.germline.regions import panel_regions

from .conftest import GRCH38_GENES, ClinvarRow

TP53_CSQ = "T|missense_variant|MODERATE|TP53|ENST00000269305|c.524G>A|ENSP00000269305:p.Arg175His|175"
ROWS = (
    ClinvarRow("17", 7675088, "C", "T", "Pathogenic", "reviewed_by_expert_panel", "Li-Fraumeni_syndrome",
               "TP53", "12374", csq=TP53_CSQ),
    ClinvarRow("13", 32340300, "GT", "G", "Likely_pathogenic", "criteria_provided,_single_submitter",
               "Hereditary_breast_ovarian_cancer_syndrome|Fanconi_anemia", "BRCA2", "51000"),
    ClinvarRow("22", 29091856, "AG", "A", "Benign", "criteria_provided,_single_submitter", gene="CHEK2"),
)


def test_exact_allele_matches_with_significance_stars_and_conditions(make_bundle: Callable[..., Path]) -> None:
    bundle = Bundle.open(make_bundle(clinvar=ROWS))
    with ClinvarDb(bundle.clinvar("grch38")) as db:  # type: ignore[arg-type]
        brca2 = db.lookup(Variant("13", 32340300, "GT", "G"))
        assert brca2 is not None
        assert (brca2.germline_class, brca2.stars, brca2.variation_id) == (GermlineClass.LIKELY_PATHOGENIC, 1, "51000")
        assert brca2.conditions == ("Hereditary breast ovarian cancer syndrome", "Fanconi anemia")
        assert brca2.review_status == "criteria provided, single submitter"
        assert db.lookup(Variant("13", 32340300, "GT", "T")) is None  # same position, other allele
        assert db.lookup(Variant("13", 32340301, "T", "G")) is None
        assert db.lookup(Variant("Y", 100, "A", "G")) is None  # contig absent from ClinVar


def test_clinvar_pathogenic_missense_residues_come_from_its_annotation(make_bundle: Callable[..., Path]) -> None:
    bundle = Bundle.open(make_bundle(clinvar=ROWS))
    regions = panel_regions(GRCH38_GENES, ["TP53", "BRCA2"])
    with ClinvarDb(bundle.clinvar("grch38")) as db:  # type: ignore[arg-type]
        residues = clinvar_residues(bundle, "grch38", regions, db)
    assert residues.available
    assert residues.at("TP53", 175) == (
        PathogenicResidue("TP53", 175, "p.R175H", "17:7675088:C>T", "Pathogenic"),)
    assert residues.at("BRCA2", 1982) == ()  # a frameshift is no missense residue


def test_without_protein_data_or_gene_model_ps1_and_pm5_are_unavailable(make_bundle: Callable[..., Path]) -> None:
    rows = tuple(ClinvarRow(r.chrom, r.pos, r.ref, r.alt, r.clnsig, r.revstat) for r in ROWS)
    bundle = Bundle.open(make_bundle(clinvar=rows))
    with ClinvarDb(bundle.clinvar("grch38")) as db:  # type: ignore[arg-type]
        residues = clinvar_residues(bundle, "grch38", panel_regions(GRCH38_GENES, ["TP53"]), db)
    assert residues == ResidueIndex.unavailable()
