"""Reference concordance: do the VCF's REF alleles agree with the bundle's genome?

Every genome-dependent number (MSI repeat context, SBS96 trinucleotide contexts, kataegis
APOBEC contexts, bcftools csq consequences) silently goes wrong when the bundle's FASTA is not
the assembly the VCF was called on. So each run compares every REF allele with the bases the
genome holds at its position, and ``CONCORDANCE_RULES`` decides what the report may say:

* a site is *checked* when the genome has A/C/G/T at every REF base (``N`` stretches, absent
  contigs and positions off a contig end are *unchecked*, never counted as disagreement);
* discordance = checked sites whose REF differs / checked sites;
* above ``WARN_DISCORDANCE`` the report and ``summary.json`` say so and MSI, signatures and
  kataegis contexts are withheld ("not computable" with the numbers);
* above ``REJECT_DISCORDANCE`` with at least ``MIN_CHECKED_TO_REJECT`` checked sites the VCF
  was called on another assembly (GRCh37 vs GRCh38 agree at ~25-30 % of random sites): the
  sample is rejected (``ref_mismatch``) naming the VCF's declared build and the bundle's;
* a synthetic genome (the demo bundle: real bases only at its knowledge positions, seeded
  random bases around them) is never grounds for rejection, only for withholding.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from oncodrop.domain.genome import Build
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.metrics.loci import Site
from oncodrop.report.metrics.sequence import ReferenceGenome

WARN_DISCORDANCE = 0.01
"""Above 1 % of checked REF alleles differing from the genome, contexts are not trusted. A
VCF called on the bundle's assembly disagrees at ~0 sites (IUPAC codes aside)."""
REJECT_DISCORDANCE = 0.20
"""Above 20 %, the VCF is on another assembly (random agreement of two builds is ~25-30 %)."""
MIN_CHECKED_TO_REJECT = 20
"""Fewer checked sites than this never reject: a handful of odd records is a warning."""
MAX_SITES = 50_000
"""Sites compared at most (spread evenly over the VCF): enough for a verdict on any exome or
genome (~0.8 s at ~60k sites/s, benchmarks/README.md) without a FASTA look-up per record
of a 5-million-record WGS VCF."""
EXAMPLES = 3
"""Disagreeing sites named in the message, so a user can look one up."""
_ACGT = frozenset("ACGT")

CONCORDANCE_RULES: tuple[tuple[str, str], ...] = (
    ("not checked", "no bundle genome, or no REF allele lies on A/C/G/T bases of it"),
    ("concordant", "discordance <= WARN_DISCORDANCE: every metric computed"),
    ("rejected (ref_mismatch)", "discordance > REJECT_DISCORDANCE, enough sites, real genome"),
    ("discordant", "otherwise above WARN_DISCORDANCE: MSI, signatures, kataegis contexts withheld"),
)
"""The decision, in order (first matching row wins); docs/methods.md shows it."""


@dataclass(frozen=True, slots=True)
class Concordance:
    """How the VCF's REF alleles compare with the bundle genome (``genome_build``)."""

    genome_build: str
    checked: int  # sites whose REF lies on A/C/G/T bases of the genome
    matched: int
    unchecked: int  # REF on N, on an absent contig or past a contig end
    synthetic: bool = False  # the genome is the demo's synthetic one
    examples: tuple[str, ...] = ()  # "7:140453136 REF A, genome T"
    sampled: bool = False  # only every n-th site was compared (MAX_SITES)

    @property
    def mismatched(self) -> int:
        return self.checked - self.matched

    @property
    def discordance(self) -> float | None:
        """Share of checked sites whose REF differs from the genome; None when none checked."""
        return self.mismatched / self.checked if self.checked else None

    @property
    def status(self) -> str:
        """``not_checked`` | ``concordant`` | ``discordant`` (``wrong_build`` when rejectable)."""
        d = self.discordance
        if d is None:
            return "not_checked"
        if d <= WARN_DISCORDANCE:
            return "concordant"
        if self.rejectable:
            return "wrong_build"
        return "discordant"

    @property
    def rejectable(self) -> bool:
        d = self.discordance
        return (
            d is not None and d > REJECT_DISCORDANCE and self.checked >= MIN_CHECKED_TO_REJECT
            and not self.synthetic
        )  # fmt: skip

    @property
    def trusted(self) -> bool:
        """Genome-dependent metrics may be computed (concordant, or nothing to compare)."""
        return self.status in {"concordant", "not_checked"}

    @property
    def sentence(self) -> str:
        """What the report says, with the numbers."""
        build = self.genome_build.replace("grch", "GRCh")
        if self.discordance is None:
            return (f"REF alleles not checked against the bundle's {build} genome: no site lies "
                    f"on its known bases ({self.unchecked} on N or absent contigs)")  # fmt: skip
        pct = 100 * self.discordance
        shown = f"{pct:.2f}" if 0 < pct < 1 else f"{pct:.1f}"  # 1 of 2047 is 0.05 %, not 0.0 %
        counts = (f"{self.mismatched} of {self.checked} REF alleles ({shown} %) differ from the "
                  f"bundle's {build} genome")  # fmt: skip
        if self.unchecked:
            counts += f"; {self.unchecked} not checkable (N or absent contig)"
        if self.sampled:
            counts += f"; {MAX_SITES} sites compared"
        if self.status == "concordant":
            return counts
        example = f" (e.g. {'; '.join(self.examples)})" if self.examples else ""
        why = (" — the bundle genome is synthetic (demo): only its knowledge positions carry real "
               "bases" if self.synthetic else "")  # fmt: skip
        return f"{counts}{example}{why}"

    @property
    def withheld_note(self) -> str:
        """The "not computable" note of every metric withheld because of the discordance."""
        pct = 100 * (self.discordance or 0.0)
        return (f"not computable: the VCF's REF alleles disagree with the bundle genome at "
                f"{pct:.1f} % of {self.checked} sites (> {100 * WARN_DISCORDANCE:g} %), so "
                "sequence contexts from that genome would be wrong")  # fmt: skip


def measure_concordance(
    variants: Sequence[Site],
    genome: ReferenceGenome | None,
    genome_build: str,
    *,
    synthetic: bool = False,
    max_sites: int = MAX_SITES,
) -> Concordance:
    """Compare each variant's REF with the genome (every n-th one beyond ``max_sites``)."""
    if genome is None:
        return Concordance(genome_build, 0, 0, len(variants), synthetic)
    stride = max(1, -(-len(variants) // max_sites))
    checked = matched = unchecked = 0
    examples: list[str] = []
    for v in variants[::stride]:
        ref = v.ref.upper()
        bases = genome.fetch(v.chrom, v.pos - 1, v.pos - 1 + len(ref))
        if bases is None or not set(bases) <= _ACGT or not set(ref) <= _ACGT:
            unchecked += 1
            continue
        checked += 1
        if bases == ref:
            matched += 1
        elif len(examples) < EXAMPLES:
            examples.append(f"{v.chrom}:{v.pos} REF {ref}, genome {bases}")
    return Concordance(genome_build, checked, matched, unchecked, synthetic, tuple(examples),
                       sampled=stride > 1)  # fmt: skip


_OTHER_BUILD: dict[Build, Build] = {"grch37": "grch38", "grch38": "grch37"}


def check_reference(
    variants: Sequence[Site], bundle: Bundle, build: Build, file: str, build_evidence: str = ""
) -> Concordance:
    """Measure REF-vs-bundle-genome agreement before anything reads the genome; reject a VCF
    whose REF alleles show it was called on another assembly (``ref_mismatch``)."""
    path = bundle.fasta(build)
    synthetic = "synthetic_genome" in bundle.manifest.get("sources", {})
    with ReferenceGenome.open(path) if path else nullcontext() as genome:
        concordance = measure_concordance(variants, genome, build, synthetic=synthetic)
    if concordance.rejectable:
        said = f"from its {build_evidence}" if build_evidence else "as the sample config says"
        ours, other = build.replace("grch", "GRCh"), _OTHER_BUILD[build].replace("grch", "GRCh")
        raise InputRejected(
            ReasonCode.REF_MISMATCH,
            f"{file} is {ours} ({said}) but {concordance.sentence}: the calls were made on "
            f"another assembly (likely {other}), not on bundle {bundle.name} {bundle.version}'s "
            f"{ours}; send the VCF called on {ours}, or set sample.genome_build = "
            f'"{_OTHER_BUILD[build]}" and use a bundle built with `oncodrop refdata build '
            f"--build {_OTHER_BUILD[build]}`",
            file=file,
            field="REF",
        )
    return concordance
