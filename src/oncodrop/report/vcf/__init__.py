"""VCF reading for the reporter: ``read_variants`` and its result types."""

from oncodrop.report.vcf.reader import read_variants
from oncodrop.report.vcf.result import ReadCounts, VcfReadResult
from oncodrop.report.vcf.samples import SampleChoice

__all__ = ["ReadCounts", "SampleChoice", "VcfReadResult", "read_variants"]
