"""The change report of one re-interpretation: ``changes.json``, ``changes.html`` and the
updated full report (``report/``, the same writers as the original) with its new
interpretation input, all in one folder the runtime packs as
``{…}-reinterpretation-{bundle_version}.tar.gz``."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from oncodrop.refdata.bundle import Bundle
from oncodrop.report.germline.write.files import write_germline_files
from oncodrop.report.interpretation.codec import encode
from oncodrop.report.interpretation.snapshot import InterpretationInput, write_input
from oncodrop.report.protocol import ReportRequest
from oncodrop.report.reinterpret.diff import Change
from oncodrop.report.reinterpret.rerun import Reinterpreted
from oncodrop.report.write.files import write_report_files

SCHEMA = "oncodrop.reinterpretation/1"
JSON_NAME = "changes.json"
HTML_NAME = "changes.html"
REPORT_DIR = "report"


def change_summary(stored: InterpretationInput, new: Reinterpreted, changes: Sequence[Change],
                   meaningful: Sequence[tuple[Change, str]]) -> dict[str, Any]:  # fmt: skip
    """``changes.json``: both bundles, every change with its evidence, the announced ones."""
    old_b, new_b = stored.interpretation.bundle, new.interpretation.bundle
    return {
        "schema": SCHEMA,
        "kind": stored.kind,
        "from_bundle": {"name": old_b.name, "version": old_b.version, "manifest_sha256": old_b.manifest_sha256},
        "to_bundle": {"name": new_b.name, "version": new_b.version, "manifest_sha256": new_b.manifest_sha256},
        "changes": [encode(c) for c in changes],
        "meaningful": [{"key": c.key, "label": c.label, "kind": c.kind.value, "before": c.before,
                        "after": c.after, "rule": rule} for c, rule in meaningful],
        "counts": {"changes": len(changes), "meaningful": len(meaningful),
                   "calls_changed": len({c.key for c in changes})},
    }


def write_change_report(out_dir: Path, stored: InterpretationInput, new: Reinterpreted, bundle: Bundle,
                        summary: dict[str, Any]) -> tuple[Path, ...]:  # fmt: skip
    """Write the change report and the updated full report into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / JSON_NAME, out_dir / HTML_NAME]
    paths[0].write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    paths[1].write_text(change_html(summary), encoding="utf-8")
    report = out_dir / REPORT_DIR
    report.mkdir()
    described = bundle.describe()
    if new.somatic is not None:
        content = new.somatic
        request = ReportRequest(vcf=Path("stored-input"), config=content.config, bundle=bundle.path, out_dir=report,
                                kind="somatic", sample_id=content.sample_id)  # fmt: skip
        write_report_files(content, request, described, {})
    elif new.germline is not None:
        write_germline_files(new.germline, report, described, {})
    renewed = replace(stored, interpretation=new.interpretation)
    paths.append(write_input(report, renewed))
    return tuple(paths)


_KIND_WORDS = {
    "tier": "tier", "therapy_gained": "therapy gained", "therapy_lost": "therapy lost",
    "oncogenicity": "oncogenicity", "evidence_added": "evidence added", "evidence_retired": "evidence retired",
    "germline_class": "germline class", "clinvar": "ClinVar", "acmg": "ACMG points",
}  # fmt: skip


def change_html(summary: dict[str, Any]) -> str:
    """A self-contained page: the bundles, then one row per change with its evidence."""
    e = html.escape
    rows = []
    announced = {(m["key"], m["kind"], m["before"], m["after"]) for m in summary["meaningful"]}
    for c in summary["changes"]:
        flag = (c["key"], c["kind"], c.get("before"), c.get("after")) in announced
        evidence = "<br>".join(
            e(f"{x['evidence_id']} level {x['level']} {x['evidence_type']} ({x['significance']}) "
              f"{x['disease']}" + (f": {', '.join(x.get('therapies', ()))}" if x.get("therapies") else ""))
            for x in c.get("evidence", ())
        )  # fmt: skip
        rows.append(
            f"<tr class=\"{'meaningful' if flag else ''}\"><td>{e(c['label'])}<br><small>{e(c['key'])}</small></td>"
            f"<td>{e(_KIND_WORDS.get(c['kind'], c['kind']))}</td><td>{e(str(c.get('before') or '–'))}</td>"
            f"<td>{e(str(c.get('after') or '–'))}</td><td>{evidence}<br><small>{e(c.get('reason', ''))}</small></td></tr>"
        )  # fmt: skip
    old, new = summary["from_bundle"], summary["to_bundle"]
    body = "\n".join(rows) or '<tr><td colspan="5">No change.</td></tr>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Re-interpretation {e(new['version'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.4em;vertical-align:top}}tr.meaningful{{background:#fff3cd}}</style></head>
<body><h1>Re-interpretation</h1>
<p>From bundle {e(old['name'])} {e(old['version'])} to {e(new['name'])} {e(new['version'])}:
{summary['counts']['changes']} change(s), {summary['counts']['meaningful']} clinically meaningful (highlighted).</p>
<table><thead><tr><th>variant</th><th>change</th><th>before</th><th>after</th><th>evidence and reason</th></tr></thead>
<tbody>
{body}
</tbody></table><p>The updated full report is in <code>{REPORT_DIR}/</code>.</p></body></html>
"""
