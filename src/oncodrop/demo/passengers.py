"""Synthetic passenger SNVs drawn from a COSMIC signature mixture, on the bundle's genome.

The demo's point is to exercise the signature fit, TMB and kataegis on something with a
known answer: passengers are drawn from stated mixtures (e.g. 70% SBS7a UV, 30% SBS1) at
positions whose trinucleotide context in the bundle FASTA matches the drawn channel. The
passenger indels that give the MSI estimate its known answer are drawn in ``demo.indels``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pysam

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.refdata.bundle import GeneLocus

_COMPLEMENT = str.maketrans("ACGT", "TGCA")
# passenger consequences and how often they occur (coding-heavy: these sit in gene windows)
_CONSEQUENCES: tuple[tuple[tuple[str, ...], str, float], ...] = (
    (("missense_variant",), "MODERATE", 0.55),
    (("synonymous_variant",), "LOW", 0.25),
    (("intron_variant",), "MODIFIER", 0.20),
)
_IMPACT = {"missense_variant": "MODERATE", "inframe_deletion": "MODERATE", "inframe_insertion": "MODERATE",
           "synonymous_variant": "LOW"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Site:
    chrom: str
    pos: int
    ref: str
    gene: GeneLocus


def context_sites(fasta: pysam.FastaFile, genes: Sequence[GeneLocus]) -> dict[str, list[tuple[str, int, str]]]:
    """Pyrimidine-centred trinucleotide (``ACA``…) -> positions inside the given genes."""
    sites: dict[str, list[tuple[str, int, str]]] = {}
    for gene in genes:
        seq = fasta.fetch(gene.chrom, gene.start - 2, gene.end + 1).upper()
        for i in range(1, len(seq) - 1):
            tri = seq[i - 1 : i + 2]
            if "N" in tri:
                continue
            if tri[1] in "AG":
                tri = tri.translate(_COMPLEMENT)[::-1]
            sites.setdefault(tri, []).append((gene.symbol, gene.start - 1 + i, seq[i]))
    return sites


def draw_passengers(
    n: int,
    mixture: Mapping[str, float],
    signatures: tuple[tuple[str, ...], tuple[str, ...], np.ndarray],
    fasta: pysam.FastaFile,
    genes: Sequence[GeneLocus],
    rng: np.random.Generator,
    *,
    avoid: frozenset[tuple[str, int]] = frozenset(),
    sites: dict[str, list[tuple[str, int, str]]] | None = None,
) -> list[Variant]:
    """``n`` SNVs whose 96-channel spectrum follows ``mixture`` (signature name -> weight)."""
    contexts, names, matrix = signatures
    weights = np.zeros(len(names))
    for name, weight in mixture.items():
        weights[names.index(name)] = weight
    probs = matrix @ (weights / weights.sum())
    probs = probs / probs.sum()
    by_symbol = {g.symbol: g for g in genes}
    sites = sites if sites is not None else context_sites(fasta, genes)
    variants: list[Variant] = []
    used = set(avoid)
    for channel in rng.choice(len(contexts), size=n * 3, p=probs):
        if len(variants) == n:
            break
        ctx = contexts[channel]  # "A[C>T]G"
        tri, alt_pyr = ctx[0] + ctx[2] + ctx[6], ctx[4]
        candidates = sites.get(tri)
        if not candidates:
            continue
        symbol, pos, ref = candidates[int(rng.integers(len(candidates)))]
        if (by_symbol[symbol].chrom, pos) in used:
            continue
        used.add((by_symbol[symbol].chrom, pos))
        alt = alt_pyr if ref in "CT" else alt_pyr.translate(_COMPLEMENT)
        variants.append(passenger(by_symbol[symbol], pos, ref, alt, rng))
    return variants


def kataegis_cluster(fasta: pysam.FastaFile, gene: GeneLocus, n: int, rng: np.random.Generator) -> list[Variant]:
    """``n`` C>T/C>G SNVs at TpC sites a few hundred bases apart (an APOBEC-like shower)."""
    seq = fasta.fetch(gene.chrom, gene.start - 1, gene.end).upper()
    out: list[Variant] = []
    offset = int(rng.integers(1000, max(1001, len(seq) // 2)))
    while len(out) < n and offset < len(seq) - 1:
        if seq[offset - 1 : offset + 1] == "TC":
            alt = "T" if len(out) % 3 else "G"
            out.append(passenger(gene, gene.start + offset, "C", alt, rng, terms=("intron_variant",)))
            offset += int(rng.integers(150, 600))
        else:
            offset += 1
    return out


def passenger(gene: GeneLocus, pos: int, ref: str, alt: str, rng: np.random.Generator,
              terms: tuple[str, ...] | None = None) -> Variant:  # fmt: skip
    """A passenger with drawn tumour support, VAF ~ 0.3 and a VEP-style consequence in ``gene``
    (``terms``, or drawn from ``_CONSEQUENCES``); SNVs and indels alike."""
    if terms is None:
        pick = rng.random()
        acc = 0.0
        for option, impact, share in _CONSEQUENCES:
            acc += share
            if pick <= acc:
                terms = option
                break
    assert terms is not None
    impact = _IMPACT.get(terms[0], "MODIFIER")
    depth = int(rng.integers(60, 220))
    vaf = float(np.clip(rng.normal(0.3, 0.08), 0.05, 0.9))
    # no protein change is invented: the demo genome has no transcript model to derive one from
    csq = Consequence(gene=gene.symbol, terms=terms, impact=impact, biotype="protein_coding", source="VEP")
    return Variant(chrom=gene.chrom, pos=pos, ref=ref, alt=alt, depth=depth, alt_depth=round(depth * vaf),
                   vaf=round(vaf, 4), normal_depth=int(rng.integers(30, 80)), normal_vaf=0.0,
                   consequence=csq)  # fmt: skip
