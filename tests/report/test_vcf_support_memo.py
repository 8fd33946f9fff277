"""The remembered allelic support (``sample_support``) against the rules run on pysam's sample
proxy (``direct_support``), on every caller style the test data holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pysam
import pytest

from oncodrop.report.vcf import allelic, read_variants, record
from oncodrop.report.vcf.allelic import CALLER_RULES, READ_KEYS, AlleleContext, direct_support, sample_support
from oncodrop.sampleconfig import AllelicSupportSection, SampleConfig

ALL = SampleConfig(allelic_support=AllelicSupportSection(pass_only=False))

CALLER_FILES = (
    "callers-vcf2maf/test_mutect.vcf",
    "callers-vcf2maf/test_strelka.vcf",
    "callers-vcf2maf/test_varscan.vcf",
    "callers-vcf2maf/test_sniper.vcf",
    "callers-vcf2maf/test_muse.vcf",
    "callers-vcf2maf/test_radia.vcf",
    "callers-vcf2maf/test_pindel.vcf",
    "callers-vcf2maf/test_merged.vcf",
    "callers-vcf2maf/test_b37.vcf",
    "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.mutect2.snpeff.vcf.gz",
    "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.strelka2.snpeff.vcf.gz",
    "callers-snpeff/grch37.mb-tumor-normal.chr16-1-100k.vardict.snpeff.vcf.gz",
    "callers-snpeff/grch38.seqc2-hcc1395-50pc.bcbio-ensemble-somatic.snpeff.vcf.gz",
    "pcgr/v0.5.3/tumor_sample.BRCA.vcf.gz",
    "vep105/grch38.hcc1395.somatic-merged.vep105.annotated.expression.vcf.gz",
    "pcgr/v2.3.2/T001-BRCA.grch37.vcf.gz",
)


class _Recording:
    """A sample proxy that notes every FORMAT key a rule asks for."""

    def __init__(self, sample: Any, asked: set[str]) -> None:
        self._sample, self._asked = sample, asked

    def get(self, key: str, default: Any = None, /) -> Any:
        self._asked.add(key)
        return self._sample.get(key, default)

    def __contains__(self, key: str, /) -> bool:
        self._asked.add(key)
        return key in self._sample


def _alleles(path: Path) -> Any:
    """(sample, layout keys, allele) for every sample and ALT of every record of ``path``."""
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            keys = frozenset(rec.format.keys())
            alts = rec.alts or ()
            for sample in rec.samples.values():
                for i, alt in enumerate(alts):
                    yield sample, keys, AlleleContext(i, len(alts), rec.ref or "", alt)


@pytest.mark.parametrize("name", CALLER_FILES)
def test_remembered_support_equals_the_rules_on_the_proxy(testdata: Path, name: str) -> None:
    memo = allelic.SupportMemo()
    checked = 0
    for sample, keys, ctx in _alleles(testdata / name):
        direct = direct_support(sample, keys, ctx)
        assert sample_support(sample, keys, ctx, memo) == direct, (name, ctx)
        assert sample_support(sample, keys, ctx, memo) == direct  # a second time: from the memo
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", CALLER_FILES)
def test_rules_read_no_key_outside_read_keys(testdata: Path, name: str) -> None:
    asked: set[str] = set()
    for sample, keys, ctx in _alleles(testdata / name):
        direct_support(_Recording(sample, asked), keys, ctx)
    assert asked, name
    assert asked <= READ_KEYS, asked - READ_KEYS


def test_every_rule_key_is_a_read_key() -> None:
    for _name, needed, _rule in CALLER_RULES:
        assert needed <= READ_KEYS


@pytest.mark.parametrize("name", CALLER_FILES)
def test_read_variants_equal_with_the_direct_rules(testdata: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = read_variants(testdata / name, ALL)
    monkeypatch.setattr(record, "sample_support", lambda fields, keys, ctx, _memo: direct_support(fields, keys, ctx))
    direct = read_variants(testdata / name, ALL)
    assert fast.variants == direct.variants
    assert fast.counts == direct.counts
    assert len(fast.variants) > 0


def test_zero_vaf_is_not_remembered() -> None:
    """``0.0 == -0.0``: a zero VAF stored under one would be served for the other."""
    memo = allelic.SupportMemo()
    ctx = AlleleContext(0, 1, "A", "C")
    keys = frozenset({"AF", "DP"})
    assert str(sample_support({"AF": (0.0,), "DP": 9}, keys, ctx, memo).vaf) == "0.0"
    assert str(sample_support({"AF": (-0.0,), "DP": 9}, keys, ctx, memo).vaf) == "-0.0"
    assert memo.held == {}


def test_a_column_whose_values_seldom_repeat_goes_back_to_the_proxy() -> None:
    keys = frozenset({"AD", "DP"})
    ctx = AlleleContext(0, 1, "A", "C")
    repeating, distinct = allelic.SupportMemo(), allelic.SupportMemo()
    for n in range(2 * allelic._PROBE):
        assert sample_support({"AD": (None, None), "DP": None}, keys, ctx, repeating) == allelic.Support()
        fields = {"AD": (n + 10, 3), "DP": n + 13}
        assert sample_support(fields, keys, ctx, distinct) == direct_support(fields, keys, ctx)
    assert repeating.on and len(repeating.held) == 1
    assert not distinct.on and distinct.held == {}


def test_an_undecodable_value_no_rule_reads_does_not_reject_the_file(tmp_path: Path) -> None:
    """The memo reads every rule key up front; a String value pysam cannot decode (not UTF-8)
    that the first applicable rule never reads must not reject the record, as before."""
    vcf = tmp_path / "bad-adt.vcf"
    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="AD">\n'
        '##FORMAT=<ID=ADT,Number=1,Type=String,Description="ADT">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
    )
    vcf.write_bytes(header.encode() + b"1\t10\t.\tA\tC\t.\tPASS\t.\tGT:AD:ADT\t0/1:20,10:\xff\n")
    with pytest.raises(UnicodeDecodeError), pysam.VariantFile(str(vcf)) as vf:  # really undecodable
        next(iter(vf)).samples[0].get("ADT")
    (variant,) = read_variants(vcf, ALL).variants
    assert (variant.depth, variant.alt_depth, variant.vaf) == (30, 10, 0.333333)
