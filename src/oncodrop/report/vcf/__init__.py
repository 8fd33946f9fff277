"""VCF reading for the reporter: ``read_variants`` and its result types."""

from oncodrop.report.vcf.reader import ReadCounts, VcfReadResult, read_variants
from oncodrop.report.vcf.samples import SampleChoice

__all__ = ["ReadCounts", "SampleChoice", "VcfReadResult", "read_variants"]
