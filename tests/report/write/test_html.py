"""report.html: self-contained, escaped, bounded in size, says what the content says."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from oncodrop.domain.classification import Finding, Tier
from oncodrop.report.write import html as html_module
from oncodrop.report.write.content import ReportContent
from oncodrop.report.write.html import ACTIONABLE_SHOWN, render_html, report_environment
from oncodrop.report.write.links import URLS
from oncodrop.report.write.summary import headline
from oncodrop.report.write.variant_table import (
    LINK_COLUMNS,
    MAX_TABLE_ROWS,
    PAGE_SIZE,
    TABLE_COLUMNS,
    table_row,
    variant_table,
)


def _html(content: ReportContent) -> str:
    return render_html(content, headline(content))


def _table_payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="variant-data">(.*?)</script>', html, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))


def test_report_has_every_section(content: ReportContent) -> None:
    html = _html(content)
    for section in ("headline", "actionable", "oncogenic", "variants", "cna", "signatures",
                    "kataegis", "qc", "settings", "methods"):
        assert f'<section id="{section}">' in html


def test_demo_bundle_label_is_shown_prominently(content: ReportContent) -> None:
    html = _html(content)
    assert 'id="demo-banner"' in html
    assert "demo, not for clinical use" in html
    real = replace(content, bundle=replace(content.bundle, demo=False, label="production"))
    assert 'id="demo-banner"' not in _html(real)


def test_actionable_variant_shows_drug_level_disease_and_pubmed_citation(content: ReportContent) -> None:
    html = _html(content)
    actionable = html[html.index('<section id="actionable">'):html.index('<section id="oncogenic">')]
    assert "BRAF p.V600E" in actionable
    assert "Dabrafenib + Trametinib" in actionable
    assert "<td>A</td>" in actionable and "Melanoma" in actionable
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/22663011/" rel="noreferrer">PMID:22663011</a>' in actionable
    assert "TP53" not in actionable  # Tier III is not actionable


def test_hostile_gene_name_is_escaped_in_html_and_in_table_json(content: ReportContent) -> None:
    html = _html(content)
    assert "<script>alert(1)</script>" not in html
    payload = _table_payload(html)
    assert any(row[1] == "<script>alert(1)</script>" for row in payload["rows"])
    data = html.split('id="variant-data">')[1].split("</script>")[0]
    assert "<" not in data


def test_page_loads_nothing_from_the_network(content: ReportContent) -> None:
    html = _html(content)
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', html)
    assert "default-src 'none'" in html
    external = set(re.findall(r'(?:src|href)="(https?://[^"/]+)', html))
    databases = {re.match(r"https://[^/]+", url).group(0) for url in URLS.values()}  # type: ignore[union-attr]
    assert external and external <= databases  # database links, fetched only on click


def test_variant_table_rows_are_compact_and_in_report_order(content: ReportContent) -> None:
    payload = _table_payload(_html(content))
    assert [c["label"] for c in payload["columns"]][:2] == ["Variant", "Gene"]
    assert [row[0] for row in payload["rows"]] == [f.variant.key for f in content.findings]
    assert [row[4] for row in payload["rows"]] == ["I", "III", "III", "IV"]
    terms = payload["columns"][2]["codes"]
    assert terms[payload["rows"][0][2]] == "missense_variant"
    assert terms[payload["rows"][3][2]] == "not_annotated"  # no consequence: never called intergenic
    labels = payload["columns"][5]["codes"]
    assert [labels[row[5]] for row in payload["rows"]] == ["Oncogenic", "Likely oncogenic", "", ""]


def test_table_is_capped_at_the_limit(content: ReportContent) -> None:
    table = variant_table(content.findings, limit=2)
    assert (table.shown, table.total) == (2, 4)
    assert len(json.loads(str(table.json))["rows"]) == 2
    assert variant_table(content.findings).shown == 4 < MAX_TABLE_ROWS


def test_five_thousand_variants_stay_under_three_megabytes(
    content: ReportContent, make_finding: Callable[..., Finding]
) -> None:
    many = tuple(
        make_finding(str(1 + i % 22), 1_000_000 + i * 37, "C", "T", f"GENE{i % 900}", f"p.R{i % 700}H",
                Tier.III if i % 10 == 0 else Tier.IV, vaf=(i % 97) / 100, depth=20 + i % 300)
        for i in range(5000)
    )  # fmt: skip
    html = _html(replace(content, findings=many))
    assert len(_table_payload(html)["rows"]) == 5000
    assert len(html.encode()) < 3_000_000


def test_same_content_renders_identical_text(content: ReportContent) -> None:
    assert _html(content) == _html(content)


def test_cna_section_lists_actionable_and_altered_genes_only(content: ReportContent) -> None:
    html = _html(content)
    cna = html[html.index('<section id="cna">'):html.index('<section id="signatures">')]
    assert "Trastuzumab" in cna and "ERBB2" in cna
    assert '<a href="https://civicdb.org/links/evidence_items/1" rel="noreferrer">EID1</a>' in cna
    assert "hetdel" in cna and "KRAS" not in cna
    assert "No copy-number segments" in _html(replace(content, cna=None))


def test_signature_section_has_exposure_bars_and_96_context_spectrum(content: ReportContent) -> None:
    html = _html(content)
    sig = html[html.index('<section id="signatures">'):html.index('<section id="kataegis">')]
    assert "SBS1" in sig and "SBS13" in sig
    assert sig.count('<title>A[C>A]A') + sig.count('<title>A[C&gt;A]A') == 1
    assert len(re.findall(r"<rect [^>]*><title>[ACGT]\[", sig)) == 96


def test_actionable_section_is_capped_with_a_note_for_huge_samples(
    content: ReportContent, make_finding: Callable[..., Finding]
) -> None:
    many = tuple(make_finding("5", 1000 + i, "C", "T", "APC", f"p.R{i}*", Tier.II) for i in range(ACTIONABLE_SHOWN + 5))
    html = _html(replace(content, findings=many))
    actionable = html[html.index('<section id="actionable">'):html.index('<section id="oncogenic">')]
    assert actionable.count('<div class="finding">') == ACTIONABLE_SHOWN
    assert f"{ACTIONABLE_SHOWN + 5} Tier I/II variants: the first {ACTIONABLE_SHOWN} are shown" in actionable
    assert len(_table_payload(html)["rows"]) == ACTIONABLE_SHOWN + 5


def test_table_rows_drop_trailing_empty_cells_and_keep_ids_where_present(content: ReportContent) -> None:
    braf = content.findings[0]
    with_ids = replace(braf, variant=replace(braf.variant, dbsnp="rs113488022", population_af=0.000123456))
    payload = json.loads(str(variant_table((with_ids, *content.findings[1:])).json))
    labels = [c["label"] for c in payload["columns"]]
    assert labels[8:] == ["Gene role", "Population AF", "dbSNP", "COSMIC"]
    assert payload["columns"][10]["url"] == "https://www.ncbi.nlm.nih.gov/snp/{id}"
    first, second = payload["rows"][:2]
    assert first[9:] == [0.000123, "rs113488022"]  # AF to 3 significant digits; no COSMIC cell
    assert len(second) == 9  # no AF, no ids: the row ends at the gene role code


def _dumped_table(findings: tuple[Finding, ...]) -> str:
    """The table payload as one ``json.dumps`` of the coded rows (what ``coded_table`` documents)."""
    codes: dict[int, dict[str, int]] = {i: {} for i, column in enumerate(TABLE_COLUMNS) if column[2]}
    rows = []
    for f in findings:
        row = table_row(f)
        for i, seen in codes.items():
            row[i] = seen.setdefault(str(row[i]), len(seen))
        while row[-1] is None or row[-1] == "":
            row.pop()
        rows.append(row)
    columns = [
        {"label": label, "type": kind, **({"codes": list(codes[i])} if coded else {}),
         **({"url": LINK_COLUMNS[label]} if kind == "link" else {})}
        for i, (label, kind, coded) in enumerate(TABLE_COLUMNS)
    ]  # fmt: skip
    text = json.dumps({"columns": columns, "rows": rows, "pageSize": PAGE_SIZE}, separators=(",", ":"),
                      ensure_ascii=False)  # fmt: skip
    return text.replace("<", "\\u003c")


def test_table_payload_is_one_json_dumps_of_the_coded_rows_whatever_the_cells_hold(
    content: ReportContent, make_finding: Callable[..., Finding]
) -> None:
    awkward = (
        make_finding("1", 10, "C", "T", 'GENE"quoted\\', "p.A1<b>&", Tier.III, term="missense_variant", vaf=0.123456),
        make_finding("2", 20, "C", "T", "ÄÖ€😀\x01\x1f\u2028", "p.\t\n", Tier.IV, term='odd"term\x00', vaf=0.5),
        make_finding("3", 30, "C", "T", None, None, Tier.IV, term='odd"term\x00', vaf=1e-300, depth=0),
        make_finding("4", 40, "C", "T", "G", "p.?", Tier.IV, term="None", vaf=0.5),
    )
    nan, inf = replace(awkward[1].variant, vaf=float("nan")), replace(awkward[3].variant, vaf=float("inf"))
    awkward = (awkward[0], replace(awkward[1], variant=nan), awkward[2], replace(awkward[3], variant=inf))
    braf = content.findings[0]
    with_ids = replace(braf, gene_role="oncogene", variant=replace(braf.variant, dbsnp="rs1", cosmic='COSV"1',
                                                                   population_af=0.000123456))  # fmt: skip
    no_af = replace(braf, variant=replace(braf.variant, cosmic="COSV2"))  # an empty cell before the last
    findings = (with_ids, *awkward, no_af, *content.findings)
    assert str(variant_table(findings).json) == _dumped_table(findings)


def test_compiled_page_is_kept_between_processes_only_where_python_keeps_bytecode(
    content: ReportContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert report_environment("oncodrop.report.write").bytecode_cache is None  # as in the image
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    page = html_module._page(content, headline(content), ())
    rendered = []
    for _ in range(2):  # a first process compiles and keeps the page, a second reads it back
        env = report_environment("oncodrop.report.write")
        env.filters.update(html_module._ENV.filters)
        rendered.append(env.get_template("report.html.j2").render(**page))
    kept = list((tmp_path / "oncodrop-templates").glob("__oncodrop_*.cache"))
    assert len(kept) == 1 and kept[0].stat().st_size > 10_000
    cache = env.bytecode_cache
    assert cache is not None
    source, filename, _ = env.loader.get_source(env, "report.html.j2")  # type: ignore[union-attr]
    assert cache.get_bucket(env, "report.html.j2", filename, source).code is not None
    assert rendered[0] == rendered[1] == _html(content)
    kept[0].write_bytes(b"not a template")  # damaged: compiled again, same page
    env = report_environment("oncodrop.report.write")
    env.filters.update(html_module._ENV.filters)
    assert env.get_template("report.html.j2").render(**page) == rendered[0]
