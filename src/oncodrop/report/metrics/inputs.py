"""What the genome metrics keep of each variant, gathered as the reporter streams them.

TMB and the SNV count are counters; MSI keeps its SNV counts and indel loci (``MsiInputs``);
kataegis and the SBS96 catalogue the PASS SNVs as compact ``Loci`` (the concordance check
reads the reader's own, ``VariantStream.kept``). The metrics are then computed at the end by the same functions as from variants
in memory, with the same results.
"""

from __future__ import annotations

from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.loci import Loci
from oncodrop.report.metrics.msi import MsiInputs
from oncodrop.report.metrics.tmb import TmbCounter, TmbSettings


class MetricInputs:
    """Folds variants (read order) into the inputs of TMB, MSI, kataegis and signatures."""

    __slots__ = ("msi", "pass_snvs", "snvs", "tmb")

    def __init__(self, tmb: TmbSettings) -> None:
        self.tmb = TmbCounter(tmb)
        self.msi = MsiInputs()
        self.pass_snvs = Loci()  # kataegis and the SBS96 catalogue
        self.snvs = 0  # SNVs, PASS or not (kataegis's precondition)

    def add(self, v: Variant) -> None:
        kind = v.variant_class  # once: MSI reads it too
        self.tmb.add(v)
        self.msi.add(v, kind)
        if kind == "SNV":
            self.snvs += 1
            if v.filter_pass:
                self.pass_snvs.add(v.chrom, v.pos, v.ref, v.alt)
