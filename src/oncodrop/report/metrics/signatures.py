"""COSMIC SBS signatures: the 96-context catalogue from SNVs, and its fitted exposures.

Catalogue: each PASS SNV becomes a pyrimidine-centred trinucleotide context (``A[C>A]A``);
SNVs with a purine reference are reverse-complemented. Contexts with N (or off a contig end,
or whose reference base disagrees with the FASTA) are skipped and counted.
Fitting: see ``refit`` (NNLS + backward elimination / forward addition + bootstrap).
Preconditions: a reference FASTA and at least ``min_snvs`` SNVs with a usable context.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oncodrop.domain.metric import Metric
from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError
from oncodrop.report.metrics.aetiology import aetiology
from oncodrop.report.metrics.loci import Site
from oncodrop.report.metrics.refit import (
    FloatArray,
    bootstrap_fractions,
    percentiles,
    select_signatures,
)
from oncodrop.report.metrics.sequence import ReferenceGenome, reverse_complement
from oncodrop.sampleconfig import SignaturesSection

_BASES = frozenset("ACGT")


@dataclass(frozen=True, slots=True)
class SignatureMatrix:
    """COSMIC signatures: ``matrix[i, k]`` is signature ``names[k]``'s share of ``contexts[i]``."""

    contexts: tuple[str, ...]
    names: tuple[str, ...]
    matrix: FloatArray

    @classmethod
    def from_tuple(cls, data: tuple[tuple[str, ...], tuple[str, ...], FloatArray]) -> SignatureMatrix:
        """Wrap what ``Bundle.signatures(build)`` returns."""
        contexts, names, matrix = data
        return cls(tuple(contexts), tuple(names), np.asarray(matrix, dtype=float))


def load_signature_matrix(path: Path) -> SignatureMatrix:
    """Read a COSMIC SBS matrix in upstream layout (``Type`` + one column per signature)."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise BundleError(f"signature matrix {path} cannot be read ({exc})") from exc
    header = lines[0].split("\t") if lines else []
    if len(header) < 2 or header[0] != "Type":
        raise BundleError(f"signature matrix {path}: first column must be 'Type' (COSMIC layout)")
    contexts: list[str] = []
    rows: list[list[float]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        try:
            rows.append([float(x) for x in fields[1:]])
        except ValueError as exc:
            raise BundleError(f"signature matrix {path} line {number}: non-numeric value ({exc})") from exc
        if len(fields) != len(header):
            raise BundleError(
                f"signature matrix {path} line {number}: {len(fields)} columns, expected {len(header)}"
            )
        contexts.append(fields[0])
    if len(contexts) != 96:
        raise BundleError(f"signature matrix {path}: {len(contexts)} contexts, expected 96")
    return SignatureMatrix(tuple(contexts), tuple(header[1:]), np.array(rows))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """SNV counts per context, in the order of ``contexts`` (the signature matrix's order)."""

    contexts: tuple[str, ...]
    counts: FloatArray
    n_snvs: int  # PASS SNVs seen
    n_skipped: int  # SNVs without a usable context (N, contig end, unknown contig, ref mismatch)

    @property
    def total(self) -> int:
        return int(self.counts.sum())


@functools.lru_cache(maxsize=4096)  # few distinct (REF, ALT, 3-mer): 192 for A/C/G/T
def snv_context(ref: str, alt: str, trinucleotide: str) -> str | None:
    """``A[C>A]A``-style context of an SNV, pyrimidine-centred; None if not A/C/G/T."""
    if len(trinucleotide) != 3 or not set(trinucleotide + alt) <= _BASES or trinucleotide[1] != ref:
        return None
    if ref in "AG":
        trinucleotide, ref, alt = (
            reverse_complement(trinucleotide),
            reverse_complement(ref),
            reverse_complement(alt),
        )
    return f"{trinucleotide[0]}[{ref}>{alt}]{trinucleotide[2]}"


def build_catalogue(
    variants: Sequence[Variant], genome: ReferenceGenome, contexts: Sequence[str]
) -> Catalogue:
    """Count PASS SNVs into the 96 contexts (in ``contexts`` order)."""
    snvs = (v for v in variants if v.filter_pass and v.variant_class == "SNV")
    return snv_catalogue(snvs, genome, contexts)


def snv_catalogue(snvs: Iterable[Site], genome: ReferenceGenome, contexts: Sequence[str]) -> Catalogue:
    """``build_catalogue`` of SNVs already chosen (PASS, single base), e.g. held as ``Loci``."""
    index = {c: i for i, c in enumerate(contexts)}
    counts = [0] * len(contexts)
    n_snvs = skipped = 0
    trinucleotide = genome.trinucleotide
    for v in snvs:
        n_snvs += 1
        tri = trinucleotide(v.chrom, v.pos)
        ctx = snv_context(v.ref.upper(), v.alt.upper(), tri) if tri else None
        i = index.get(ctx) if ctx is not None else None
        if i is None:
            skipped += 1
            continue
        counts[i] += 1
    return Catalogue(tuple(contexts), np.array(counts, dtype=float), n_snvs, skipped)


@dataclass(frozen=True, slots=True)
class SignatureExposure:
    """One fitted signature: mutations attributed, share of the catalogue, 95 % bootstrap interval."""

    name: str
    count: float
    fraction: float
    ci_low: float | None
    ci_high: float | None
    aetiology: str


@dataclass(frozen=True, slots=True)
class SignatureFit:
    """Non-zero exposures, largest first, and the cosine similarity of the reconstruction."""

    exposures: tuple[SignatureExposure, ...]
    cosine: float
    n_mutations: int
    bootstrap: int

    def top(self, n: int = 3) -> tuple[SignatureExposure, ...]:
        return self.exposures[:n]

    def fractions(self, names: Sequence[str]) -> FloatArray:
        """Exposure fractions in the order of ``names`` (0 for signatures not selected)."""
        by_name = {e.name: e.fraction for e in self.exposures}
        return np.array([by_name.get(n, 0.0) for n in names])


def fit_signatures(
    counts: FloatArray,
    signatures: SignatureMatrix,
    *,
    bootstrap: int = 100,
    max_signatures: int | None = None,
    restrict_to: Collection[str] | None = None,
    seed: int = 0,
) -> SignatureFit:
    """Fit exposures with refitting; bootstrap intervals on the selected set (fixed seed)."""
    counts = np.asarray(counts, dtype=float)
    candidates = None
    if restrict_to is not None:
        candidates = [i for i, n in enumerate(signatures.names) if n in restrict_to]
    sel = select_signatures(
        signatures.matrix, counts, signatures.names, candidates, max_signatures=max_signatures
    )
    columns = sorted(sel.columns, key=lambda c: -sel.exposures[c])
    boots = bootstrap_fractions(signatures.matrix, counts, columns, bootstrap, seed)
    total = float(sel.exposures.sum())
    exposures = []
    for j, col in enumerate(columns):
        low = high = None
        if len(boots):
            low, high = percentiles(boots[:, j].tolist(), (2.5, 97.5))
        name = signatures.names[col]
        count = float(sel.exposures[col])
        exposures.append(SignatureExposure(name, count, count / total, low, high, aetiology(name)))
    return SignatureFit(tuple(exposures), sel.cosine, int(counts.sum()), len(boots))


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """The signature metric (top signatures, cosine) with the catalogue and fit behind it."""

    metric: Metric
    catalogue: Catalogue | None = None
    fit: SignatureFit | None = None


def mutational_signatures(
    variants: Sequence[Variant],
    genome: ReferenceGenome | None,
    signatures: SignatureMatrix,
    settings: SignaturesSection,
) -> SignatureReport:
    """Catalogue + fit for a sample; "not computable" without FASTA or below ``min_snvs``."""
    snvs = (v for v in variants if v.filter_pass and v.variant_class == "SNV")
    return snv_signatures(snvs, genome, signatures, settings)


def snv_signatures(
    snvs: Iterable[Site],
    genome: ReferenceGenome | None,
    signatures: SignatureMatrix,
    settings: SignaturesSection,
) -> SignatureReport:
    """``mutational_signatures`` of the PASS SNVs (e.g. held as ``Loci``)."""
    name, unit = "signatures", "cosine similarity"
    if genome is None:
        return SignatureReport(
            Metric(name, None, unit, "not computable: no reference FASTA for trinucleotide contexts")
        )
    catalogue = snv_catalogue(snvs, genome, signatures.contexts)
    if catalogue.total < settings.min_snvs:
        why = f"not computable: {catalogue.total} SNVs with a usable context, fewer than {settings.min_snvs}"
        return SignatureReport(Metric(name, None, unit, why, {"n_skipped": catalogue.n_skipped}), catalogue)
    fit = fit_signatures(
        catalogue.counts, signatures, bootstrap=settings.bootstrap, max_signatures=settings.max_signatures
    )
    details: dict[str, float | int | str | None] = {
        "n_snvs": catalogue.total,
        "n_skipped": catalogue.n_skipped,
        "n_signatures": len(fit.exposures),
        "bootstrap": fit.bootstrap,
    }
    for rank, e in enumerate(fit.top(3), start=1):
        details[f"top{rank}"] = e.name
        details[f"top{rank}_fraction"] = round(e.fraction, 4)
        details[f"top{rank}_aetiology"] = e.aetiology
    note = f"{catalogue.n_skipped} SNVs skipped (no usable context)" if catalogue.n_skipped else ""
    return SignatureReport(Metric(name, round(fit.cosine, 4), unit, note, details), catalogue, fit)
