"""Unannotated normal VCFs: bcftools csq on the panel records with the bundle's gene model, or
an unannotated report that says what it could not evaluate."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pysam

from oncodrop.refdata.bundle import GeneLocus, PanelGene
from oncodrop.report.germline import GermlineReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import SampleConfig, SampleSection

XPC = "bcftools-csq/XPC_ENST00000285021"
DRAGEN = "germline/grch38.seqc2-hcc1395bl.dragen-germline.predisposition-genes.vcf.gz"


def add_gene_model(bundle: Path, folder: Path) -> None:
    """genome/grch38/genes.gff3.gz + genome.fa.gz(.fai,.gzi) from a bcftools test slice."""
    genome = bundle / "genome" / "grch38"
    with (folder / "ENST00000285021.gff").open("rb") as src, gzip.open(genome / "genes.gff3.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    pysam.tabix_compress(str(folder / "ENST00000285021.fa"), str(genome / "genome.fa.gz"), force=True)
    pysam.faidx(str(genome / "genome.fa.gz"))


def test_unannotated_vcf_is_annotated_with_bcftools_csq_and_scored(
    testdata: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    folder = testdata / XPC
    bundle = make_bundle(genes=(GeneLocus("XPC", "3", 21, 33495, "-", "ENSG00000154767"),),
                         panels={"cpsr_default": (PanelGene("XPC", "LoF", "AR"),)}, clinvar=None)
    add_gene_model(bundle, folder)
    config = SampleConfig(sample=SampleSection(genome_build="grch38"))
    out = tmp_path / "out"
    GermlineReporter().run(ReportRequest(vcf=folder / "stop-gained-inframe-indel.vcf", config=config,
                                         bundle=bundle, out_dir=out, kind="normal", sample_id="P1"))
    summary = json.loads((out / "P1.summary.json").read_text())
    assert summary["counts"]["annotation_source"] == "bcftools-csq"
    rows = (out / "P1.germline.tsv").read_text().splitlines()
    assert len(rows) == 2
    row = dict(zip(rows[0].split("\t"), rows[1].split("\t"), strict=True))
    assert (row["gene"], row["pos"], row["ref"], row["alt"]) == ("XPC", "13461", "CTCTTTA", "C")
    assert "stop_gained" in row["consequence"].split("&")
    assert row["acmg_criteria"] == "PVS1(+8)" and row["final_class"] == "Likely pathogenic"  # 8 points: LP


def test_unannotated_vcf_without_gene_model_is_reported_by_locus_with_a_note(
    testdata: Path, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    GermlineReporter().run(ReportRequest(vcf=testdata / DRAGEN, config=SampleConfig(), bundle=make_bundle(),
                                         out_dir=out, kind="normal", sample_id="P1"))
    summary = json.loads((out / "P1.summary.json").read_text())
    assert summary["counts"]["annotation_source"] == "none"
    assert any("no consequence annotation" in note for note in summary["notes"])
    genes = {line.split("\t")[4] for line in (out / "P1.germline.tsv").read_text().splitlines()[1:]}
    assert {"BRCA1", "BRCA2", "TP53", "MLH1"} <= genes <= {"BRCA1", "BRCA2", "TP53", "MLH1", "KRAS"}
    # the same label as the somatic outputs: not_annotated in the TSV, the JSON and the HTML
    rows = list(csv.DictReader((out / "P1.germline.tsv").read_text().splitlines(), delimiter="\t"))
    assert {r["consequence"] for r in rows} == {"not_annotated"}
    listed = [f for group in ("pathogenic", "vus", "secondary") for f in summary[group]]
    assert listed and {f["consequence"] for f in listed} == {"not_annotated"}
    html = (out / "report.html").read_text()
    assert "<td>not_annotated</td>" in html and "unannotated</td>" not in html
