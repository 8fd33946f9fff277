"""What ``read_variants`` returns: the variants and an account of everything dropped."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from oncodrop.domain.genome import Build
from oncodrop.domain.variant import Variant
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.report.vcf.header import AnnotationSource


@dataclass(frozen=True, slots=True)
class ReadCounts:
    """What happened to the records and ALT alleles of one VCF.

    Counts are per ALT allele except ``records`` and ``multiallelic_records``; every allele
    lands in exactly one bucket, so ``alleles == kept + dropped``.
    """

    records: int = 0
    multiallelic_records: int = 0
    alleles: int = 0
    kept: int = 0
    filtered_by_filter: int = 0
    filtered_by_depth: int = 0  # tumor_dp_min
    filtered_by_vaf: int = 0  # tumor_af_min
    filtered_by_alt_depth: int = 0  # tumor_ad_min
    filtered_by_normal_depth: int = 0  # normal_dp_min
    filtered_by_normal_vaf: int = 0  # normal_af_max
    not_in_sample: int = 0  # ALT absent from the sample's called genotype
    skipped_symbolic: int = 0  # <DEL>, breakends, '*', ALT equal to REF, no ALT
    duplicates: int = 0  # the same CHROM:POS:REF>ALT again (merged call sets repeat records)

    @property
    def dropped(self) -> int:
        """Alleles not kept, for whatever reason."""
        return (
            self.filtered_by_filter
            + self.filtered_by_thresholds
            + self.not_in_sample
            + self.skipped_symbolic
            + self.duplicates
        )

    @property
    def filtered_by_thresholds(self) -> int:
        return (
            self.filtered_by_depth
            + self.filtered_by_vaf
            + self.filtered_by_alt_depth
            + self.filtered_by_normal_depth
            + self.filtered_by_normal_vaf
        )


@dataclass(frozen=True, slots=True)
class VcfFacts:
    """What the report says about how one VCF was read: its columns, the tumour/normal choice,
    the build and its evidence, the annotation source, whether an index was used."""

    file: str
    samples: tuple[str, ...]
    tumor_sample: str | None
    normal_sample: str | None
    sample_reason: str
    build: Build | None
    build_evidence: str
    annotation: AnnotationSource | None
    used_index: bool

    def facts(self) -> dict[str, Any]:
        """These fields by name, to build a subclass from another (stream -> result)."""
        return {f.name: getattr(self, f.name) for f in fields(VcfFacts)}


@dataclass(frozen=True, slots=True)
class VcfReadResult(VcfFacts):
    """The variants of one VCF and how they were obtained (for the report's provenance)."""

    variants: tuple[Variant, ...]
    counts: ReadCounts


def require_build(build: Build | None, file: str) -> Build:
    """The build, or a rejection telling the user where to state it (somatic and germline)."""
    if build is None:
        raise InputRejected(
            ReasonCode.UNKNOWN_BUILD,
            f"the genome build of {file} cannot be told from its header (no ##reference or "
            'contig lengths); set sample.genome_build = "grch37" or "grch38" in the config',
            file=file,
            field="sample.genome_build",
        )
    return build
