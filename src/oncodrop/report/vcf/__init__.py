"""VCF reading for the reporter: ``read_variants``, its streaming form and their result types."""

from oncodrop.report.vcf.reader import VariantStream, open_variants, read_variants
from oncodrop.report.vcf.result import ReadCounts, VcfReadResult
from oncodrop.report.vcf.samples import SampleChoice

__all__ = ["ReadCounts", "SampleChoice", "VariantStream", "VcfReadResult", "open_variants", "read_variants"]
