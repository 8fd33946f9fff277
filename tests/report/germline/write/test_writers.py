"""The writers agree: TSV, workbook, summary JSON and provenance of one synthetic report."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.report.germline.write.html import somatic_css

from ..test_engine import CLINVAR, SYNTHETIC, run


def test_workbook_variants_sheet_is_the_tsv_with_numbers_as_numbers(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    vcf = write_synthetic_vcf(tmp_path / "n.vcf.gz", SYNTHETIC, samples=("NORMAL",), build="grch38")
    out = tmp_path / "out"
    run(vcf, make_bundle(clinvar=CLINVAR), out)
    tsv = [line.split("\t") for line in (out / "P1.germline.tsv").read_text().splitlines()]
    with (out / "P1.xlsx").open("rb") as fh:
        book = load_workbook(fh, read_only=True)
        assert book.sheetnames == ["Summary", "Variants", "Criteria", "Panel"]
        sheet = [list(r) for r in book["Variants"].iter_rows(values_only=True)]
        criteria = [list(r) for r in book["Criteria"].iter_rows(values_only=True)]
        book.close()
    assert sheet[0] == tsv[0] and len(sheet) == len(tsv) == 5
    first = dict(zip(sheet[0], sheet[1], strict=True))
    assert (first["gene"], first["pos"], first["depth"], first["acmg_score"]) == ("BRCA2", 32340300, 40, 9)
    assert ["13:32340300:GT>G", "BRCA2", "PVS1", 8.0] == criteria[1][:4]


def test_workbook_bytes_are_the_same_for_the_same_report(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    # a re-interpretation redone after a crash must give the report it uploaded before
    vcf = write_synthetic_vcf(tmp_path / "n.vcf.gz", SYNTHETIC, samples=("NORMAL",), build="grch38")
    bundle = make_bundle(clinvar=CLINVAR)
    run(vcf, bundle, tmp_path / "a")
    run(vcf, bundle, tmp_path / "b")
    assert (tmp_path / "a" / "P1.xlsx").read_bytes() == (tmp_path / "b" / "P1.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a" / "P1.xlsx") as z:  # no "now" inside (equal above only within a second)
        assert {info.date_time[0] for info in z.infolist()} == {1980}
        assert "2000-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_provenance_holds_the_checksum_of_every_other_output(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    vcf = write_synthetic_vcf(tmp_path / "n.vcf.gz", SYNTHETIC, samples=("NORMAL",), build="grch38")
    out = tmp_path / "out"
    run(vcf, make_bundle(clinvar=CLINVAR), out)
    provenance = json.loads((out / "provenance.json").read_text())
    assert set(provenance["outputs"]) == {"P1.germline.tsv", "P1.summary.json", "P1.xlsx", "report.html"}
    for name, digest in provenance["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert provenance["inputs"][0]["name"] == "n.vcf.gz"
    summary = json.loads((out / "P1.summary.json").read_text())
    assert summary["files"] == sorted(provenance["outputs"])


def test_the_style_sheet_is_the_somatic_reports() -> None:
    css = somatic_css()
    assert ".finding" in css and "--t1:" in css and "<style>" not in css


def test_report_links_each_variant_to_clinvar_and_gnomad_and_sorts_every_table(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    vcf = write_synthetic_vcf(tmp_path / "n.vcf.gz", SYNTHETIC, samples=("NORMAL",), build="grch38")
    out = tmp_path / "out"
    run(vcf, make_bundle(clinvar=CLINVAR), out)
    html = (out / "report.html").read_text()
    table = html[html.index('<table id="variant-table" data-own-filter>'):]
    brca2 = table[table.index("13:32340300:GT&gt;G"):].split("</tr>")[0]
    assert 'href="https://www.ncbi.nlm.nih.gov/clinvar/variation/9322/"' in brca2
    assert 'href="https://gnomad.broadinstitute.org/variant/13-32340300-GT-G?dataset=gnomad_r4"' in brca2
    assert 'main table:not([data-js-table])' in html  # the shared sort/filter script is inlined
