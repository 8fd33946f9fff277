"""Genomic metrics of a tumour: TMB, MSI estimate, COSMIC SBS signatures, kataegis, copy number.

Pure functions over ``oncodrop.domain`` types; every metric returns a ``Metric`` that says
"not computable: why" instead of failing. The reference FASTA is read only via
``sequence.ReferenceGenome``. Methods: ``docs/methods.md``.
"""

from oncodrop.report.metrics.cna import (
    CnaThresholds,
    SegmentFile,
    gene_copy_numbers,
    genome_alteration,
    read_segments,
    segment_call,
)
from oncodrop.report.metrics.kataegis import (
    KataegisEvent,
    find_kataegis,
    kataegis_metric,
)
from oncodrop.report.metrics.msi import msi_status
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.signatures import (
    SignatureFit,
    SignatureMatrix,
    SignatureReport,
    build_catalogue,
    fit_signatures,
    load_signature_matrix,
    mutational_signatures,
)
from oncodrop.report.metrics.tmb import TmbSettings, tumor_mutational_burden

__all__ = [
    "CnaThresholds",
    "KataegisEvent",
    "ReferenceGenome",
    "SegmentFile",
    "SignatureFit",
    "SignatureMatrix",
    "SignatureReport",
    "TmbSettings",
    "build_catalogue",
    "find_kataegis",
    "fit_signatures",
    "gene_copy_numbers",
    "genome_alteration",
    "kataegis_metric",
    "load_signature_matrix",
    "msi_status",
    "mutational_signatures",
    "read_segments",
    "segment_call",
    "tumor_mutational_burden",
]
