"""The long outputs' rows as the streamed report writes them, one text per finding
(``tier_line``, the MAF renderer, ``table_row_json``, ``finding_call_json``), are the cell
lists or values the other writers and the column tables use (``tier_row``, ``maf_cells``,
``table_row``, ``finding_call``) rendered the generic way: on real reports' findings (with
evidence, oncogenicity, hotspots, a matched normal) and on cells that need cleaning, quoting
or escaping."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from oncodrop.domain.classification import Classification, CriterionResult, Finding, Tier
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import classify_variants
from oncodrop.report.interpretation.elements import element_json
from oncodrop.report.interpretation.snapshot import finding_call, finding_call_json
from oncodrop.report.maf import maf_alleles, maf_cells, maf_line_renderer
from oncodrop.report.matching import EvidenceIndex
from oncodrop.report.vcf import read_variants
from oncodrop.report.write.tsv import _clean, tier_line, tier_row, tsv_prefix
from oncodrop.report.write.variant_table import table_row, table_row_json
from oncodrop.sampleconfig import SampleConfig, SampleSection


def _odd_findings(base: Finding) -> list[Finding]:
    """Findings whose cells are empty, odd or need cleaning, quoting or escaping."""
    v, csq = base.variant, base.variant.consequence
    assert csq is not None
    onc = Classification(
        "Likely oncogenic", 7.5, (CriterionResult("OS3", 4, "hotspot"), CriterionResult("OP1", 1, "x"))
    )
    bare = Variant("GL000192.1", 5, "AC", "A")
    odd = [
        replace(v, consequence=None, depth=None, vaf=None, alt_depth=None, population_af=0.000012345),
        replace(v, consequence=replace(csq, gene="GÈNE★", hgvsp='p."Q"1*', hgvsc="c.1\n2", all_effects=("a", "b"))),
        replace(v, dbsnp="rs1\t2", cosmic="COSV1", filters=("low\tqual", "q10"), filter_pass=False, vaf=1.0),
        replace(v, dbsnp="rs3", normal_depth=30, normal_vaf=0.0333333, population_af=0.5, vaf=0.1234567),
        replace(v, cosmic="COSV2", population_af=None, depth=0, vaf=float("nan")),
        replace(bare, alleles=("AC", "A", "ACC"), genotype="1/2", normal_genotype="0|0"),
        replace(bare, consequence=Consequence(None, (), impact="LOW")),
    ]
    return [
        *(replace(base, variant=x) for x in odd),
        replace(base, tier_reason="line one\nline\ttwo", oncogenicity=onc, gene_role="oncogene", hotspot=True),
        replace(base, tier=Tier.II, oncogenicity=None, gene_role="both"),
    ]


@pytest.fixture(scope="module")
def findings(testdata: Path, demo_bundle: Path) -> list[Finding]:
    """A real report's findings (TCGA breast calls after VEP, demo bundle), a tumour/normal
    sample's variants as findings, and the odd ones."""
    bundle = Bundle.open(demo_bundle)
    brca = read_variants(testdata / "pcgr/vep-annotated/tumor_sample.BRCA.vep85.vcf.gz", SampleConfig())
    index = EvidenceIndex.build(bundle.evidence(), brca.build)
    real = classify_variants(brca.variants, bundle, index, "Breast")
    paired = read_variants(testdata / "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz",
                           SampleConfig(sample=SampleSection(tumor_site="Breast")))  # fmt: skip
    assert paired.normal_sample and any(v.normal_genotype for v in paired.variants)
    base = next(f for f in real if f.evidence)
    return [*real, *(Finding(v, Tier.IV, "test") for v in paired.variants[:400]), *_odd_findings(base)]


def test_the_findings_hold_what_the_rows_tell_apart(findings: list[Finding]) -> None:
    assert sum(1 for f in findings if f.evidence) > 5
    assert {f.tier for f in findings} >= {Tier.I, Tier.II, Tier.III, Tier.IV}
    assert any(f.hotspot for f in findings) and any(f.gene_role for f in findings)
    assert any(f.oncogenicity and f.oncogenicity.criteria for f in findings)
    assert sum(1 for f in findings if f.variant.consequence is None) >= 2


def test_a_tiers_line_is_the_rows_cells_cleaned_and_tab_joined(findings: list[Finding]) -> None:
    prefix = tsv_prefix("S1")
    for f in findings:
        assert tier_line(prefix, f) == prefix + "\t".join(_clean(cell) for cell in tier_row(f)) + "\n", f
    # twice: the second time from the texts made once per distinct facts
    for f in findings:
        assert tier_line(prefix, f) == prefix + "\t".join(_clean(cell) for cell in tier_row(f)) + "\n", f


@pytest.mark.parametrize("normal", ["NORMAL", None])
def test_a_maf_line_is_what_the_csv_writer_makes_of_the_cells(findings: list[Finding], normal: str | None) -> None:
    render = maf_line_renderer("TUMOR", "grch38", normal)
    for f in findings:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter="\t", lineterminator="\n").writerow(
            maf_cells(f.variant, "TUMOR", "GRCh38", normal)
        )
        assert render(f.variant) == (buffer.getvalue(), maf_alleles(f.variant).start), f.variant


def _row_pieces(row: list[object]) -> str:
    """``table_row``'s cells as ``coded_table`` reads them, each by ``json.dumps``."""
    cell = lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    tail = row[9:]
    while tail and (tail[-1] is None or tail[-1] == ""):
        tail.pop()
    return (f"{cell(row[0])},{cell(row[1])}\x00{cell(row[2])}\x00{cell(row[3])},{cell(row[4])}\x00{cell(row[5])}"
            f"\x00{cell(row[6])},{cell(row[7])}\x00{cell(row[8])}\x00{','.join(map(cell, tail))}")  # fmt: skip


def test_a_table_rows_text_is_the_json_of_its_cells(findings: list[Finding]) -> None:
    for f in findings:
        assert table_row_json(f) == _row_pieces(table_row(f)), f


@pytest.mark.parametrize("site", ["Breast", None])
def test_a_calls_text_is_the_element_json_of_the_call(findings: list[Finding], site: str | None) -> None:
    for _ in range(2):  # the second time from the texts made once per distinct facts
        for f in findings:
            assert finding_call_json(f, site) == element_json(finding_call(f, site)), f
