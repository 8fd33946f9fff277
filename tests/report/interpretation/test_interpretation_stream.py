"""The streamed interpretation input is the same JSON text ``json.dumps`` made of the whole
document, on a real report (TCGA breast calls after VEP, ``conftest.brca``), and the
re-interpreter's reader still loads it."""

from __future__ import annotations

import gzip
import io
import json

from oncodrop.report.interpretation.codec import encode
from oncodrop.report.interpretation.snapshot import (
    FILE_NAME,
    SCHEMA,
    Call,
    EvidenceRef,
    Interpretation,
    InterpretationInput,
    dumps,
    loads,
)
from oncodrop.report.interpretation.stream import iter_json, write_json_gz
from oncodrop.report.protocol import ReportResult
from oncodrop.report.write.content import BundleInfo


def _whole(value: InterpretationInput) -> str:
    """What the writer made before it streamed: one ``json.dumps`` of the whole input."""
    return json.dumps({**encode(value), "schema": value.schema}, separators=(",", ":"), sort_keys=True)


def test_streamed_input_of_a_real_report_is_the_json_dumps_text(brca: ReportResult) -> None:
    written = (brca.out_dir / FILE_NAME).read_bytes()
    stored = loads(written)
    assert len(stored.variants) > 100 and stored.interpretation.calls
    text = gzip.decompress(written).decode("utf-8")
    assert text == _whole(stored)
    assert "".join(iter_json(stored, {"schema": stored.schema})) == text


def test_dumps_gives_the_same_bytes_each_time_and_loads_reads_them_back(brca: ReportResult) -> None:
    stored = loads((brca.out_dir / FILE_NAME).read_bytes())
    data = dumps(stored)
    assert data == dumps(stored)
    assert data[4:8] == b"\0\0\0\0"  # no time in the gzip header
    assert loads(data) == stored


def test_defaults_empty_sequences_and_non_ascii_text_match_json_dumps() -> None:
    bundle = BundleInfo(name="demo", version="1", demo=True, label="démo ★", manifest_sha256="ab")
    calls = (
        Call(key="7:1:A>T", label="BRAF p.V600E", tier="1",
             evidence=(EvidenceRef("EID1", "A", "Predictive", "Sensitivity", "Mélanome", ("Dabrafenib",)),)),
        Call(key="cna:ERBB2", label="ERBB2 amplification"),  # every optional field at its default
    )  # fmt: skip
    for variants_calls in (calls, ()):
        value = InterpretationInput(kind="somatic", variants=(), content={"b": [1, 2.5, None], "a": "\u2603"},
                                    interpretation=Interpretation(bundle, variants_calls))  # fmt: skip
        buffer = io.BytesIO()
        write_json_gz(buffer, value, {"schema": SCHEMA})
        assert gzip.decompress(buffer.getvalue()).decode("utf-8") == _whole(value)
        assert loads(buffer.getvalue()) == value
