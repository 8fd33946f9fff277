"""Microsatellite instability: an estimate from the share and burden of coding indels.

MMR-deficient tumours accumulate insertions/deletions in short repeats, so their coding
indel fraction and indel burden are far above those of stable tumours. PCGR 0.x fed such
features (indel fractions, repeat/windowmasker overlaps, MMR gene hits, TMB) to a statistical
model trained on TCGA MSI-H/MSS exomes. We do not ship a trained model: we apply the two
features that carry that model (indel fraction and indel burden) with fixed, documented
cut-offs, and, when a reference FASTA is at hand, count only indels in microsatellites
(homopolymers >= 5, 2-6 bp units >= 3 copies) towards the burden. It is an estimate, not a
test: report it as "MSI-H (estimated)".

Preconditions: a positive target size and at least ``min_variants`` coding SNVs + indels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.tmb import counts_towards

INDEL_CLASSES = frozenset({"insertion", "deletion"})

# Rules as data: MSI-H needs every feature at or above its cut-off. The fraction cut-off sits
# between the ~2-6 % coding indel share typical of MSS exomes and the >10-15 % of MSI-H
# colorectal/endometrial exomes; the burden cut-off (indels per Mb of target) keeps a
# handful of indels in a quiet tumour from looking unstable.
MSI_RULES: tuple[tuple[str, float], ...] = (
    ("indel_fraction", 0.10),
    ("indel_burden", 1.0),
)


@dataclass(frozen=True, slots=True)
class MsiFeatures:
    """Counts behind the MSI estimate (coding variants, or all when none is annotated)."""

    n_snvs: int
    n_indels: int
    n_microsatellite_indels: int | None  # None without a reference FASTA
    target_size_mb: float
    coding_only: bool

    @property
    def indel_fraction(self) -> float:
        total = self.n_snvs + self.n_indels
        return self.n_indels / total if total else 0.0

    @property
    def indel_burden(self) -> float:
        """Indels per Mb; only microsatellite indels when the FASTA was available."""
        n = self.n_indels if self.n_microsatellite_indels is None else self.n_microsatellite_indels
        return n / self.target_size_mb


def msi_features(
    variants: Sequence[Variant], target_size_mb: float, genome: ReferenceGenome | None = None
) -> MsiFeatures:
    """Count coding SNVs and indels (all PASS variants when none carries a consequence)."""
    passing = [v for v in variants if v.filter_pass]
    annotated = any(v.consequence is not None for v in passing)
    if annotated:
        passing = [v for v in passing if counts_towards(v, "coding_and_silent")]
    snvs = sum(1 for v in passing if v.variant_class == "SNV")
    indels = [v for v in passing if v.variant_class in INDEL_CLASSES]
    n_ms: int | None = None
    if genome is not None:
        n_ms = 0
        for v in indels:
            ctx = genome.repeat_context(v.chrom, v.pos, v.ref, v.alt)
            n_ms += ctx is not None and ctx.is_microsatellite
    return MsiFeatures(snvs, len(indels), n_ms, target_size_mb, annotated)


def classify_msi(features: MsiFeatures) -> str:
    """ "MSI-H" when every rule in ``MSI_RULES`` is met, else "MSS"."""
    values = {"indel_fraction": features.indel_fraction, "indel_burden": features.indel_burden}
    return "MSI-H" if all(values[name] >= cut for name, cut in MSI_RULES) else "MSS"


def msi_status(
    variants: Sequence[Variant],
    target_size_mb: float,
    genome: ReferenceGenome | None = None,
    min_variants: int = 10,
) -> Metric:
    """MSI estimate; ``value`` is the coding indel fraction, ``details['status']`` MSI-H/MSS."""
    name = "msi"
    if target_size_mb <= 0:
        return Metric(name, None, "indel fraction", "not computable: coding target size is not positive")
    f = msi_features(variants, target_size_mb, genome)
    if f.n_snvs + f.n_indels < min_variants:
        return Metric(
            name,
            None,
            "indel fraction",
            f"not computable: {f.n_snvs + f.n_indels} coding SNVs/indels, fewer than {min_variants}",
        )
    status = classify_msi(f)
    notes = ["estimate from coding indel fraction and burden, not a validated MSI test"]
    if not f.coding_only:
        notes.append("no consequence annotation: all PASS variants used")
    if f.n_microsatellite_indels is None:
        notes.append("no reference FASTA: repeat context of indels not checked")
    details: dict[str, float | int | str | None] = {
        "status": status,
        "n_snvs": f.n_snvs,
        "n_indels": f.n_indels,
        "n_microsatellite_indels": f.n_microsatellite_indels,
        "indel_fraction": round(f.indel_fraction, 4),
        "indel_burden": round(f.indel_burden, 4),
    }
    return Metric(name, round(f.indel_fraction, 4), "indel fraction", "; ".join(notes), details)
