"""A fast seeded synthetic somatic VCF (VEP-style ``INFO/CSQ``) for the reporter benchmarks.

The same kind of file as ``reporter.synthetic_variants`` + ``demo.synth.write_synthetic_vcf``
(positions inside the demo genome's sequenced windows with the REF read from its FASTA, 85 %
SNVs, a whole-genome mix of consequences, BRAF V600E / KRAS G12D / PIK3CA H1047R added,
FORMAT ``GT:AD:DP:AF`` for a tumour/normal pair), but drawn with numpy and written as text
in one go, so 1,000,000 records take seconds, not minutes.

    .venv/bin/python benchmarks/synthvcf.py OUT.vcf.gz --variants 1000000 --bundle BUNDLE
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pysam

from oncodrop.demo.synth import CSQ_FIELDS, _header
from oncodrop.domain.genome import CHROMOSOME_ORDER
from oncodrop.refdata.bundle import Bundle

# (SO term, impact, weight): roughly a whole-genome somatic profile, mostly non-coding.
CONSEQUENCES: tuple[tuple[str, str, int], ...] = (
    ("intron_variant", "MODIFIER", 55), ("intergenic_variant", "MODIFIER", 20),
    ("missense_variant", "MODERATE", 10), ("synonymous_variant", "LOW", 5),
    ("3_prime_UTR_variant", "MODIFIER", 4), ("stop_gained", "HIGH", 2),
    ("frameshift_variant", "HIGH", 2), ("splice_region_variant", "LOW", 2),
)  # fmt: skip
HOTSPOTS = (("BRAF", "7", 140453136, "A", "T", "Val600Glu", 600),
            ("KRAS", "12", 25398284, "C", "T", "Gly12Asp", 12),
            ("PIK3CA", "3", 178952085, "A", "G", "His1047Arg", 1047))  # fmt: skip
AMINO3 = ("Ala", "Cys", "Asp", "Glu", "Phe", "Gly", "His", "Ile", "Lys", "Leu", "Met", "Asn", "Pro",
          "Gln", "Arg", "Ser", "Thr", "Val", "Trp", "Tyr")  # fmt: skip


def _windows(bundle: Bundle) -> tuple[list[tuple[str, str, int]], bytes, np.ndarray]:
    """(gene, chrom, first position) per window, their concatenated sequence and start offsets."""
    genes = bundle.genes("grch37")
    meta, parts = [], []
    with pysam.FastaFile(str(bundle.fasta("grch37"))) as fasta:
        for g in genes:
            first = max(1, g.start - 40_000)
            parts.append(fasta.fetch(g.chrom, first - 1, g.end + 40_001).upper())
            meta.append((g.symbol, g.chrom, first))
    starts = np.cumsum([0] + [len(p) for p in parts])
    return meta, "".join(parts).encode(), starts


def write_fast_vcf(path: Path, bundle_path: Path, n: int, seed: int = 7) -> Path:
    """``n`` records (bgzipped, tabix-indexed) at ``path``; same seed, same file."""
    rng = np.random.default_rng(seed)
    meta, sequence, starts = _windows(Bundle.open(bundle_path))
    seq = np.frombuffer(sequence, dtype=np.uint8)
    # candidate offsets: both bases known and not across a window boundary
    ok = (seq[:-1] != ord("N")) & (seq[1:] != ord("N"))
    ok[starts[1:-1] - 1] = False
    candidates = np.flatnonzero(ok)
    n_random = n - len(HOTSPOTS)
    if n_random > len(candidates):
        raise SystemExit(f"at most {len(candidates)} distinct positions in the demo genome's windows")
    offsets = np.sort(rng.choice(candidates, n_random, replace=False))
    window = np.searchsorted(starts, offsets, side="right") - 1
    roll = rng.random(n_random)
    terms = np.array([t for t, _, w in CONSEQUENCES for _ in range(w)])
    impact = {t: i for t, i, _ in CONSEQUENCES}
    term = terms[rng.integers(0, len(terms), n_random)]
    codon = rng.integers(1, 1501, n_random)
    aa_from, aa_to = rng.integers(0, 20, n_random), rng.integers(0, 20, n_random)
    alt_base = rng.integers(0, 4, n_random)
    depth = rng.integers(20, 401, n_random)
    vaf = np.round(rng.beta(2, 6, n_random), 3)
    alt_depth = np.maximum(1, np.round(depth * vaf)).astype(int)
    transcript = rng.integers(10**10, 10**11, n_random)
    # plain lists: indexing numpy arrays element by element costs ~10x more
    offsets_l, window_l, roll_l, term_l = offsets.tolist(), window.tolist(), roll.tolist(), term.tolist()
    codon_l, from_l, to_l, base_l = codon.tolist(), aa_from.tolist(), aa_to.tolist(), alt_base.tolist()
    depth_l, vaf_l, alt_l, tx_l = depth.tolist(), vaf.tolist(), alt_depth.tolist(), transcript.tolist()
    starts_l = starts.tolist()
    chrom_rank = {c: i for i, c in enumerate(CHROMOSOME_ORDER)}
    rows: list[tuple[int, int, str]] = []
    for k in range(n_random):
        gene, chrom, first = meta[window_l[k]]
        off = offsets_l[k]
        pos = first + off - starts_l[window_l[k]]
        b0, b1 = chr(sequence[off]), chr(sequence[off + 1])
        if roll_l[k] < 0.85:
            alt = "ACGT"[base_l[k]]
            if alt == b0:
                alt = "ACGT"[("ACGT".index(b0) + 1) % 4]
            ref, allele = b0, alt
        elif roll_l[k] < 0.93:
            ref, alt = b0, b0 + "ACGT"[base_l[k]]
            allele = alt[1:]
        else:
            ref, alt, allele = b0 + b1, b0, "-"
        t = term_l[k]
        gene_field = "" if t == "intergenic_variant" else gene
        enst = f"ENST{tx_l[k]}"
        hgvsp = (f"ENSP{tx_l[k]}:p.{AMINO3[from_l[k]]}{codon_l[k]}{AMINO3[to_l[k]]}"
                 if t == "missense_variant" else "")  # fmt: skip
        protein_pos = str(codon_l[k]) if hgvsp else ""
        csq = _csq(allele, t, impact[t], gene_field, enst, hgvsp, protein_pos)
        d, a, f = depth_l[k], alt_l[k], vaf_l[k]
        line = (f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={csq}\tGT:AD:DP:AF\t"
                f"0/1:{d - a},{a}:{d}:{f:.4g}\t0/0:.,.:.:.\n")  # fmt: skip
        rows.append((chrom_rank[chrom], pos, line))
    for gene, chrom, pos, ref, alt, long_p, codon_n in HOTSPOTS:
        csq = _csq(alt, "missense_variant", "MODERATE", gene, "", f"ENSP:p.{long_p}", str(codon_n))
        line = f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={csq}\tGT:AD:DP:AF\t0/1:140,60:200:0.3\t0/0:.,.:.:.\n"
        rows.append((chrom_rank[chrom], pos, line))
    rows.sort(key=lambda r: (r[0], r[1]))
    path = Path(path)
    with pysam.BGZFile(str(path), "wb", index=None) as handle:
        handle.write(_header(("TUMOR", "NORMAL"), "grch37", True, set()).encode())
        handle.write("".join(r[2] for r in rows).encode())
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return path


def _csq(allele: str, term: str, impact: str, gene: str, enst: str, hgvsp: str, protein_pos: str) -> str:
    """One CSQ entry in ``CSQ_FIELDS`` order (PICK=1, nothing else set)."""
    values = [""] * len(CSQ_FIELDS)
    values[0], values[1], values[2], values[3] = allele, term, impact, gene
    if enst:
        values[5], values[6] = "Transcript", enst
    values[11], values[14], values[21] = hgvsp, protein_pos, "1"
    return "|".join(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--variants", type=int, default=1_000_000)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    start = time.perf_counter()
    write_fast_vcf(args.out, args.bundle, args.variants, args.seed)
    print(f"{args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
