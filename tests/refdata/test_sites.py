from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from oncodrop.refdata.sites import PAN_CANCER, primary_site_for


@pytest.mark.parametrize(
    ("disease", "site"),
    [
        ("Melanoma", "Skin"),
        ("Skin Melanoma", "Skin"),
        ("Uveal Melanoma", "Eye"),
        ("Lung Non-small Cell Carcinoma", "Lung"),
        ("Colorectal Cancer", "Colon/Rectum"),
        ("Her2-receptor Positive Breast Cancer", "Breast"),
        ("B-lymphoblastic Leukemia/lymphoma", "Lymphoid"),
        ("Acute Myeloid Leukemia", "Myeloid"),
        ("Gastrointestinal Stromal Tumor", "Soft Tissue"),
        ("Cancer", PAN_CANCER),
        ("Solid Tumor", PAN_CANCER),
    ],
)
def test_civic_disease_maps_to_primary_site(disease: str, site: str) -> None:
    assert primary_site_for(disease) == site


def test_unknown_or_empty_terms_have_no_site() -> None:
    assert primary_site_for("") is None
    assert primary_site_for("Tuberous Sclerosis") is None


def test_rules_agree_with_pcgr_oncotree_for_every_civic_disease(
    testdata: Path, reference: Path
) -> None:
    """Where PCGR's phenotype table maps a CIViC DOID to a site, our rules give the same site."""
    oncotree: dict[str, set[str]] = {}
    with gzip.open(reference / "pcgr/oncotree_phenotypes.tsv.gz", "rt") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if fields[4].startswith("DOID:") and fields[2] != "NA":
                oncotree.setdefault(fields[4].removeprefix("DOID:"), set()).add(
                    fields[2]
                )
    diseases: set[tuple[str, str]] = set()
    with gzip.open(
        testdata / "civic/01-Aug-2024-ClinicalEvidenceSummaries.tsv.gz", "rt"
    ) as fh:
        next(fh)
        for line in fh:
            fields = line.split("\t")
            diseases.add((fields[2], fields[3]))
    compared = disagreements = 0
    for disease, doid in diseases:
        ours = primary_site_for(disease)
        if ours is not None and doid in oncotree:
            compared += 1
            disagreements += ours not in oncotree[doid]
    assert compared > 150
    assert disagreements == 0
