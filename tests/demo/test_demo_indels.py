"""The demo tumours' passenger indels: left-aligned, REF from the bundle genome, and in
microsatellites exactly as often as their ``IndelPlan`` says (the MSI estimate's known answer)."""

from __future__ import annotations

import gzip
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np
import pysam
import pytest

from oncodrop.demo.indels import IndelPlan, _Indel, is_microsatellite, left_align
from oncodrop.demo.samples import BREAST_INDELS, MELANOMA_INDELS, make_demo_samples
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.metrics.sequence import ReferenceGenome

CODING = {"inframe_deletion", "inframe_insertion"}


def test_left_align_moves_a_homopolymer_deletion_and_insertion_to_the_run_start() -> None:
    seq = "GATTTTTC"
    assert left_align(seq, _Indel(4, "T", False)) == _Indel(1, "T", False)  # GATT[T]TTC -> anchor A
    assert left_align(seq, _Indel(5, "T", True)) == _Indel(1, "T", True)
    assert left_align(seq, _Indel(0, "A", False)) == _Indel(0, "A", False)  # nothing left of the anchor


def test_left_align_rotates_a_repeat_unit_to_the_leftmost_copy() -> None:
    seq = "TTCAGCAGCAGA"
    assert left_align(seq, _Indel(7, "CAG", False)) == _Indel(1, "CAG", False)
    assert left_align(seq, _Indel(6, "GCA", True)) == _Indel(1, "CAG", True)


def test_is_microsatellite_agrees_with_the_msi_estimates_repeat_context(tmp_path: Path) -> None:
    """The generator's rule and report.metrics.sequence's are two codes for one definition:
    over 2000 left-aligned indels in low-complexity sequence they must never disagree."""
    rng = np.random.default_rng(3)
    seq = "".join("ACGT"[i] for i in rng.choice(4, size=20_000, p=[0.4, 0.1, 0.1, 0.4]))
    fasta = tmp_path / "g.fa"
    fasta.write_text(">1\n" + "\n".join(seq[i : i + 60] for i in range(0, len(seq), 60)) + "\n")
    pysam.faidx(str(fasta))
    verdicts = Counter[bool]()
    with ReferenceGenome.open(fasta) as genome:
        for _ in range(2000):
            start, size, insertion = int(rng.integers(1, 19_900)), int(rng.integers(1, 7)), bool(rng.random() < 0.5)
            changed = (
                "".join("AT"[i] for i in rng.integers(0, 2, size)) if insertion else seq[start + 1 : start + 1 + size]
            )
            indel = left_align(seq, _Indel(start, changed, insertion))
            if indel.anchor < 1:
                continue
            anchor = seq[indel.anchor]
            ref, alt = (anchor, anchor + indel.changed) if insertion else (anchor + indel.changed, anchor)
            context = genome.repeat_context("1", indel.anchor + 1, ref, alt)
            assert context is not None
            mine = is_microsatellite(seq[indel.anchor + 1 : indel.anchor + 31], indel.changed, insertion)
            assert mine == context.is_microsatellite, (indel, context)
            verdicts[mine] += 1
    assert verdicts[True] > 100 and verdicts[False] > 100  # both answers exercised


def test_a_plan_with_more_microsatellite_indels_than_indels_is_refused() -> None:
    with pytest.raises(ValueError, match="more microsatellite indels than indels"):
        IndelPlan(coding=1, coding_microsatellite=2, intronic=0, intronic_microsatellite=0)


@pytest.fixture(scope="module")
def demo_vcfs(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("drops")
    vcfs = {}
    for sample in make_demo_samples(tmp, demo_bundle):
        if sample.key.endswith("-somatic.tar.gz") and sample.expect == "SUCCEEDED":
            with tarfile.open(sample.path) as tar:
                tar.extractall(tmp / "x" / sample.key, filter="data")
            vcfs[sample.key.split("-")[0]] = next((tmp / "x" / sample.key).rglob("*.vcf.gz"))
    return vcfs


@pytest.mark.parametrize(("sample", "plan"), [("demo_melanoma", MELANOMA_INDELS), ("demo_breast", BREAST_INDELS)])
def test_demo_indels_are_left_aligned_on_the_bundle_genome_with_the_planned_repeat_contexts(
    demo_bundle: Path, demo_vcfs: dict[str, Path], sample: str, plan: IndelPlan
) -> None:
    fasta_path = Bundle.open(demo_bundle).fasta("grch37")
    assert fasta_path is not None
    seen: Counter[tuple[str, bool]] = Counter()
    with pysam.VariantFile(str(demo_vcfs[sample])) as vcf, ReferenceGenome.open(fasta_path) as genome:
        for rec in vcf:
            ref, alt = rec.ref, rec.alts[0]
            assert ref is not None
            if len(ref) == len(alt):
                continue
            assert genome.fetch(rec.chrom, rec.pos - 1, rec.pos - 1 + len(ref)) == ref
            assert ref[0] == alt[0] and min(len(ref), len(alt)) == 1
            # left-aligned: the anchor base differs from the last deleted/inserted base
            assert ref[0] != (ref if len(ref) > len(alt) else alt)[-1], (rec.pos, ref, alt)
            term = rec.info["CSQ"][0].split("|")[1]
            assert term in CODING | {"intron_variant"}
            if term in CODING:
                assert abs(len(ref) - len(alt)) % 3 == 0  # in-frame, never a frameshift
            context = genome.repeat_context(rec.chrom, rec.pos, ref, alt)
            assert context is not None
            seen["coding" if term in CODING else "intron", context.is_microsatellite] += 1
    assert seen == Counter({
        ("coding", True): plan.coding_microsatellite,
        ("coding", False): plan.coding - plan.coding_microsatellite,
        ("intron", True): plan.intronic_microsatellite,
        ("intron", False): plan.intronic - plan.intronic_microsatellite,
    })  # fmt: skip


def test_the_demo_samples_are_the_same_bytes_on_every_run(demo_bundle: Path, demo_vcfs: dict[str, Path],
                                                          tmp_path: Path) -> None:  # fmt: skip
    make_demo_samples(tmp_path, demo_bundle)
    assert set(demo_vcfs) == {"demo_melanoma", "demo_breast"}
    for name, vcf in demo_vcfs.items():
        second = next(tmp_path.glob(f".{name}-*-somatic/*.vcf.gz"))
        assert gzip.decompress(second.read_bytes()) == gzip.decompress(vcf.read_bytes()), name
