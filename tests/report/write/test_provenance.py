"""provenance.json: checksums, config, versions and timings; names, never private paths."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from oncodrop.report.write.provenance import (
    describe_input,
    software_versions,
    write_provenance,
)


def test_input_is_described_by_name_size_and_sha256(tmp_path: Path) -> None:
    vcf = tmp_path / "private" / "tumour.vcf.gz"
    vcf.parent.mkdir()
    vcf.write_bytes(b"##fileformat=VCFv4.2\n")
    described = describe_input("vcf", vcf)
    assert described.name == "tumour.vcf.gz" and described.bytes == 21
    assert described.sha256 == hashlib.sha256(b"##fileformat=VCFv4.2\n").hexdigest()


def test_provenance_records_everything_but_paths(tmp_path: Path) -> None:
    vcf = tmp_path / "tumour.vcf"
    vcf.write_text("x")
    path = write_provenance(
        tmp_path, reporter="oncodrop-somatic", sample_id="S1", bundle={"name": "demo"},
        config={"assay": {"target_size_mb": 34.0}}, inputs=(describe_input("vcf", vcf),),
        versions=software_versions(), outputs={"report.html": "ab"}, timings={"read": 0.123456},
    )  # fmt: skip
    doc = json.loads(path.read_text())
    assert doc["inputs"][0]["name"] == "tumour.vcf" and str(tmp_path) not in path.read_text()
    assert doc["config_sha256"] == hashlib.sha256(b'{"assay":{"target_size_mb":34.0}}').hexdigest()
    assert doc["timings"] == {"read": 0.1235}
    assert {"oncodrop", "pysam", "python"} <= set(doc["versions"])
