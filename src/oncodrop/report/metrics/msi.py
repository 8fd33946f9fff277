"""Microsatellite instability: an estimate from the share and burden of coding indels.

MMR-deficient tumours accumulate insertions/deletions in short repeats, so their coding
indel fraction and indel burden are far above those of stable tumours. PCGR 0.x fed such
features (indel fractions, repeat/windowmasker overlaps, MMR gene hits, TMB) to a statistical
model trained on TCGA MSI-H/MSS exomes. We do not ship a trained model: we apply the two
features that carry that model (indel fraction and indel burden) with fixed, documented
cut-offs, and count only indels in microsatellites (homopolymers >= 5, 2-6 bp units >= 3
copies) towards the burden, which needs a reference FASTA that matches the VCF. ``MSI_RULES``
is the decision; every call carries the sentence that decided it, so the shown evidence
always agrees with the call. When the inputs cannot support a call (a targeted panel, a VCF
without a single insertion/deletion record, too few variants, or an MSI-range indel share with
no usable repeat context) the answer is "not computable", never MSS. It is an estimate, not a
test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.report.metrics.loci import Loci, Site
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.tmb import counts_towards

INDEL_CLASSES = frozenset({"insertion", "deletion"})
ANY_INDEL_CLASSES = INDEL_CLASSES | {"indel"}
"""Records that show the caller reports length changes at all (delins included)."""

MIN_TARGET_MB = 20.0
"""Smallest coding target the cut-offs are meant for: they come from TCGA exomes (~30-40 Mb);
panels (MSK-IMPACT ~1.5 Mb, TSO500 ~1.9 Mb) see a handful of coding indels whatever the
tumour's MMR status."""

MIN_VARIANTS = 10
"""Coding SNVs + indels needed before the fraction means anything."""
INDEL_FRACTION_CUT = 0.10
"""Coding indel share: ~2-6 % in MSS exomes, > 10-15 % in MSI-H colorectal/endometrial ones."""
MS_INDEL_BURDEN_CUT = 1.0
"""Microsatellite indels per Mb of coding target: keeps a handful of indels in a quiet tumour
(high share, tiny count) from looking unstable."""
GENOME_MATCH_SHARE = 0.9
"""Share of indel REF alleles the reference FASTA must reproduce for its repeat context to be
trusted (a different assembly or the demo's synthetic genome fails this)."""

MSI_RULES: tuple[tuple[str, str], ...] = (
    ("not computable", "assay.type TARGETED or coding target < MIN_TARGET_MB: cut-offs calibrated on exomes"),
    ("not computable", "no insertion/deletion record in the VCF at all (an SNV-only caller cannot show indels)"),
    ("not computable", "fewer than MIN_VARIANTS coding SNVs/indels"),
    ("MSS", "coding indel fraction < INDEL_FRACTION_CUT"),
    ("MSS", "fraction >= cut, but all coding indels < MS_INDEL_BURDEN_CUT per Mb"),
    ("not computable", "fraction >= cut and no usable reference genome for repeat context"),
    ("MSI-H", "fraction >= cut and microsatellite indels >= MS_INDEL_BURDEN_CUT per Mb"),
    ("MSS", "fraction >= cut but microsatellite indels < MS_INDEL_BURDEN_CUT per Mb"),
)
"""The decision, in order (first matching row wins); docs/methods.md, "MSI", shows it."""


@dataclass(frozen=True, slots=True)
class MsiFeatures:
    """Counts behind the MSI estimate (coding variants, or all when none is annotated).

    ``n_microsatellite_indels`` is None when the repeat context is unknown: no reference FASTA,
    or one that does not reproduce the VCF's alleles (``genome_note`` says which).
    """

    n_snvs: int
    n_indels: int
    n_microsatellite_indels: int | None
    target_size_mb: float
    coding_only: bool
    genome_note: str = ""
    indel_records: int | None = None  # insertion/deletion records of any filter/consequence; None: not counted
    assay: str | None = None  # ``assay.type`` of the sample config (WES/WGS/TARGETED); None: not given

    @property
    def indel_fraction(self) -> float:
        total = self.n_snvs + self.n_indels
        return self.n_indels / total if total else 0.0

    @property
    def indel_burden(self) -> float:
        """All coding indels per Mb."""
        return self.n_indels / self.target_size_mb

    @property
    def ms_indel_burden(self) -> float | None:
        """Microsatellite indels per Mb; None when the repeat context is unknown."""
        if self.n_microsatellite_indels is None:
            return None
        return self.n_microsatellite_indels / self.target_size_mb


def _ref_matches(genome: ReferenceGenome, v: Site) -> bool | None:
    bases = genome.fetch(v.chrom, v.pos - 1, v.pos - 1 + len(v.ref))
    if bases is None or not bases.strip("N"):
        return None  # contig absent, or only N there: cannot be checked
    return bases == v.ref.upper()


class MsiInputs:
    """What MSI counts, gathered one variant at a time (the reporter streams its variants):
    PASS SNV counts and the PASS indels as ``Loci``, coding ones only once any PASS variant
    carries a consequence (from then on only coding variants count)."""

    __slots__ = ("_all_indels", "_all_snvs", "_coding_indels", "_coding_snvs", "annotated", "indel_records")

    def __init__(self) -> None:
        self.annotated = False
        self.indel_records = 0  # any filter, any consequence: does the caller report indels at all?
        self._all_snvs = self._coding_snvs = 0
        self._all_indels: Loci | None = Loci()
        self._coding_indels = Loci()

    def add(self, v: Variant, kind: str | None = None) -> None:
        """Fold ``v`` in; ``kind`` is its ``variant_class`` when the caller has it already."""
        kind = kind or v.variant_class
        self.indel_records += kind in ANY_INDEL_CLASSES
        if not v.filter_pass:
            return
        if v.consequence is not None and not self.annotated:
            self.annotated, self._all_indels = True, None
        coding = self.annotated and counts_towards(v, "coding_and_silent")
        if kind == "SNV":
            self._all_snvs += 1
            self._coding_snvs += coding
        elif kind in INDEL_CLASSES:
            if self._all_indels is not None:
                self._all_indels.add(v.chrom, v.pos, v.ref, v.alt)
            if coding:
                self._coding_indels.add(v.chrom, v.pos, v.ref, v.alt)

    def features(
        self, target_size_mb: float, genome: ReferenceGenome | None = None, assay: str | None = None
    ) -> MsiFeatures:
        if self.annotated:
            f = _features(self._coding_snvs, self._coding_indels, target_size_mb, genome, True)
        else:
            f = _features(self._all_snvs, self._all_indels or Loci(), target_size_mb, genome, False)
        return replace(f, indel_records=self.indel_records, assay=assay)


def msi_features(
    variants: Sequence[Variant], target_size_mb: float, genome: ReferenceGenome | None = None,
    assay: str | None = None,
) -> MsiFeatures:  # fmt: skip
    """Count coding SNVs and indels (all PASS variants when none carries a consequence), and
    the indels in microsatellites when ``genome`` reproduces the indels' REF alleles."""
    inputs = MsiInputs()
    for v in variants:
        inputs.add(v)
    return inputs.features(target_size_mb, genome, assay)


def _features(
    snvs: int, indels: Sequence[Site], target_size_mb: float, genome: ReferenceGenome | None, annotated: bool
) -> MsiFeatures:
    n_ms: int | None = None
    note = "no reference FASTA"
    if genome is not None and indels:
        checks = [_ref_matches(genome, v) for v in indels]
        checked = [c for c in checks if c is not None]
        share = sum(checked) / len(checked) if checked else 0.0
        if share >= GENOME_MATCH_SHARE:
            note = ""
            n_ms = 0
            for v in indels:
                ctx = genome.repeat_context(v.chrom, v.pos, v.ref, v.alt)
                n_ms += ctx is not None and ctx.is_microsatellite
        else:
            note = (f"the reference FASTA does not match the VCF ({sum(checked)} of "
                    f"{len(indels)} indel REF alleles found)")  # fmt: skip
    elif genome is not None:
        note, n_ms = "", 0
    return MsiFeatures(snvs, len(indels), n_ms, target_size_mb, annotated, note)


@dataclass(frozen=True, slots=True)
class MsiCall:
    """The status (``MSI-H``, ``MSS`` or None for not computable) and the evidence sentence
    that decided it, with the numbers and the cut-offs."""

    status: str | None
    evidence: str


def classify_msi(features: MsiFeatures) -> MsiCall:
    """Apply ``MSI_RULES`` in order."""
    f = features
    if (f.assay or "").upper() == "TARGETED" or f.target_size_mb < MIN_TARGET_MB:
        panel = "a targeted panel" if (f.assay or "").upper() == "TARGETED" else "a coding target"
        return MsiCall(None, f"{panel} of {f.target_size_mb:g} Mb: the cut-offs are calibrated on exomes "
                             f"(coding target >= {MIN_TARGET_MB:g} Mb)")  # fmt: skip
    if f.indel_records == 0:
        return MsiCall(None, "the VCF holds no insertion/deletion record at all (SNV-only caller?): "
                             "an indel share of 0 is no evidence of stability")  # fmt: skip
    total = f.n_snvs + f.n_indels
    if total < MIN_VARIANTS:
        return MsiCall(None, f"{total} coding SNVs/indels, fewer than {MIN_VARIANTS}")
    frac = f"coding indel fraction {f.indel_fraction:.2f} ({f.n_indels}/{total})"
    if f.indel_fraction < INDEL_FRACTION_CUT:
        return MsiCall("MSS", f"{frac} < {INDEL_FRACTION_CUT:.2f}")
    frac += f" >= {INDEL_FRACTION_CUT:.2f}"
    if f.indel_burden < MS_INDEL_BURDEN_CUT:
        return MsiCall("MSS", f"{frac} but only {f.indel_burden:.2f} coding indels/Mb "
                              f"< {MS_INDEL_BURDEN_CUT:g}")  # fmt: skip
    ms = f.ms_indel_burden
    if ms is None:
        return MsiCall(None, f"{frac} and {f.indel_burden:.2f} coding indels/Mb, but "
                             f"{f.genome_note}: microsatellite indels cannot be counted")  # fmt: skip
    burden = f"{ms:.2f} microsatellite indels/Mb ({f.n_microsatellite_indels})"
    if ms >= MS_INDEL_BURDEN_CUT:
        return MsiCall("MSI-H", f"{frac} and {burden} >= {MS_INDEL_BURDEN_CUT:g}")
    return MsiCall("MSS", f"{frac} but {burden} < {MS_INDEL_BURDEN_CUT:g}")


def msi_status(
    variants: Sequence[Variant],
    target_size_mb: float,
    genome: ReferenceGenome | None = None,
    assay: str | None = None,
) -> Metric:
    """MSI estimate. ``value`` is the coding indel fraction when a call is made (None when not
    computable); ``details['status']`` MSI-H/MSS, ``details['evidence']`` the deciding numbers.
    ``assay``: the sample config's ``assay.type`` (TARGETED is not computable)."""
    inputs = MsiInputs()
    for v in variants:
        inputs.add(v)
    return msi_metric(inputs, target_size_mb, genome, assay)


def msi_metric(
    inputs: MsiInputs, target_size_mb: float, genome: ReferenceGenome | None = None, assay: str | None = None
) -> Metric:
    """``msi_status`` of variants gathered in ``inputs``."""
    name, unit = "msi", "indel fraction"
    if target_size_mb <= 0:
        return Metric(name, None, unit, "not computable: coding target size is not positive")
    f = inputs.features(target_size_mb, genome, assay)
    call = classify_msi(f)
    details: dict[str, float | int | str | None] = {
        "status": call.status,
        "evidence": call.evidence,
        "n_snvs": f.n_snvs,
        "n_indels": f.n_indels,
        "indel_records": f.indel_records,
        "n_microsatellite_indels": f.n_microsatellite_indels,
        "indel_fraction": round(f.indel_fraction, 4),
        "indel_burden": round(f.indel_burden, 4),
        "ms_indel_burden": None if f.ms_indel_burden is None else round(f.ms_indel_burden, 4),
    }
    if call.status is None:
        return Metric(name, None, unit, f"not computable: {call.evidence}", details)
    notes = [call.evidence, "estimate from coding indels, not a validated MSI test"]
    if not f.coding_only:
        notes.append("no consequence annotation: all PASS variants used")
    if f.genome_note:
        notes.append(f"{f.genome_note}: repeat context of indels not used")
    return Metric(name, round(f.indel_fraction, 4), unit, "; ".join(notes), details)
