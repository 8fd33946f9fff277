"""Pharmacogenomic section: ClinVar drug-response alleles the person carries in CPIC genes.

Known answer: DPYD c.1905+1G>A (*2A, rs3918290) is NC_000001.10:g.97915614C>T on GRCh37 and
ClinVar lists it as "drug response" for "Fluorouracil response", reviewed by expert panel
(ClinVar RCV000030868, HGVS list; dbSNP rs3918290). The other rows are fixtures: a Benign
DPYD entry (not a drug response: not listed) and a drug-response entry the person lacks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.refdata.bundle import GeneLocus
from oncodrop.report.germline import GermlineReporter
from oncodrop.report.germline.pgx import CPIC_GENES
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import SampleConfig

from .conftest import ClinvarRow

GRCH37_GENES = (  # Ensembl GRCh37 spans, rounded outward
    GeneLocus("DPYD", "1", 97543000, 98387000, "-", "ENSG00000188641"),
    GeneLocus("BRCA1", "17", 41196000, 41278000, "-", "ENSG00000012048"),
)
DPYD_2A = ClinvarRow("1", 97915614, "C", "T", "drug_response", "reviewed_by_expert_panel",
                     "Fluorouracil_response", "DPYD")  # fmt: skip
CLINVAR = (
    DPYD_2A,
    ClinvarRow("1", 97547947, "T", "C", "Benign", "criteria_provided,_single_submitter", "not_specified", "DPYD"),
    ClinvarRow("1", 98348885, "G", "A", "drug_response", "reviewed_by_expert_panel", "Fluorouracil_response", "DPYD"),
)


def _v(pos: int, ref: str, alt: str, gt: str, term: str = "intron_variant") -> Variant:
    csq = Consequence(gene="DPYD", terms=(term,), impact="MODIFIER", transcript="ENST00000370192")
    return Variant("1", pos, ref, alt, depth=40, vaf=0.5 if gt == "0/1" else 1.0, genotype=gt, consequence=csq)


def _run(tmp_path: Path, bundle: Path) -> dict:
    vcf = write_synthetic_vcf(tmp_path / "normal.vcf.gz", (
        _v(97915614, "C", "T", "0/1", "splice_donor_variant"),  # *2A, heterozygous
        _v(97547947, "T", "C", "1/1", "synonymous_variant"),  # ClinVar Benign: not a drug response
        _v(97600000, "A", "G", "0/1"),  # not in ClinVar
    ), samples=("NORMAL",), build="grch37")  # fmt: skip
    out = tmp_path / "out"
    GermlineReporter().run(ReportRequest(vcf=vcf, config=SampleConfig(), bundle=bundle, out_dir=out,
                                         kind="normal", sample_id="P1"))  # fmt: skip
    return json.loads((out / "P1.summary.json").read_text())


def test_dpyd_2a_is_reported_with_its_drugs_and_only_drug_response_entries_are(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    bundle = make_bundle(build="grch37", genes=GRCH37_GENES, clinvar=CLINVAR)
    pgx = _run(tmp_path, bundle)["pharmacogenomics"]
    assert pgx["genes_assessed"] == ["DPYD"]
    assert [(f["gene"], f["key"], f["zygosity"]) for f in pgx["findings"]] == [("DPYD", "1:97915614:C>T", "heterozygous")]
    finding = pgx["findings"][0]
    assert (finding["significance"], finding["stars"], finding["conditions"]) == ("drug response", 3, ["Fluorouracil response"])
    assert finding["drugs"] == CPIC_GENES["DPYD"][0] == "fluorouracil, capecitabine"
    assert pgx["note"] == "not assessed (not in the bundle's gene model): NUDT15, TPMT, UGT1A1"
    html = (tmp_path / "out" / "report.html").read_text()
    section = html.split('<section id="pgx">')[1].split("</section>")[0]
    assert "1:97915614:C&gt;T" in section and "drug response (3★)" in section and "fluorouracil, capecitabine" in section
    assert "97547947" not in section  # the Benign entry is no drug response


def test_without_clinvar_or_gene_spans_the_section_says_it_was_not_assessed(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    no_clinvar = make_bundle("a", build="grch37", genes=GRCH37_GENES, clinvar=None)
    pgx = _run(tmp_path / "a", no_clinvar)["pharmacogenomics"]
    assert pgx["findings"] == [] and pgx["note"] == "not assessed: the bundle holds no ClinVar VCF for this build"
    no_genes = make_bundle("b", build="grch37", genes=GRCH37_GENES[1:], clinvar=CLINVAR)
    pgx = _run(tmp_path / "b", no_genes)["pharmacogenomics"]
    assert pgx["findings"] == [] and pgx["note"].startswith("not assessed: the bundle's gene model lacks DPYD")
