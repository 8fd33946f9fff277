from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Member:
    """One tar member to write, possibly hostile (links, devices, odd names)."""

    name: str
    data: bytes = b""
    type: bytes = tarfile.REGTYPE
    linkname: str = ""


TarBuilder = Callable[[str, list[Member]], Path]


@pytest.fixture
def build_tar(tmp_path: Path) -> TarBuilder:
    """Write a .tar.gz with exactly the given members (no sanitising, unlike pack_sample)."""

    def build(name: str, members: list[Member]) -> Path:
        out = tmp_path / name
        with tarfile.open(out, "w:gz") as tar:
            for member in members:
                info = tarfile.TarInfo(member.name)
                info.type = member.type
                info.linkname = member.linkname
                info.size = len(member.data) if member.type == tarfile.REGTYPE else 0
                tar.addfile(
                    info, io.BytesIO(member.data) if member.type == tarfile.REGTYPE else None
                )
        return out

    return build


@pytest.fixture
def brca(testdata: Path) -> dict[str, Path]:
    """The PCGR v0.5.3 BRCA example: VCF, index, config, CNA segments (real TCGA data)."""
    base = testdata / "pcgr" / "v0.5.3"
    return {
        "vcf": base / "tumor_sample.BRCA.vcf.gz",
        "index": base / "tumor_sample.BRCA.vcf.gz.tbi",
        "config": base / "pcgr_configuration_examples.toml",
        "cna": base / "tumor_sample.BRCA.cna.tsv",
    }


@pytest.fixture
def sample_files(brca: dict[str, Path]) -> list[Member]:
    """Members of a minimal valid sample: the real BRCA VCF and PCGR config."""
    return [
        Member("tumor_sample.BRCA.vcf.gz", brca["vcf"].read_bytes()),
        Member("pcgr_configuration_examples.toml", brca["config"].read_bytes()),
    ]
