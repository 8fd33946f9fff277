"""Call consequences with ``bcftools csq`` (shipped inside pysam) when a VCF has no annotation.

Runs ``bcftools sort`` then ``bcftools csq -p a -l -s -`` against an Ensembl-style GFF3 and the
matching FASTA. ``-p a`` treats unphased genotypes as phased (somatic calls are unphased) and
``-l`` gives each record its own, local consequence, as VEP would, instead of ``@POS``
pointers to compound haplotypes. If the VCF says ``chr1`` and the FASTA ``1`` (or the other
way round), contigs are renamed first so every variant is annotated. The result is a new
bgzipped VCF carrying ``INFO/BCSQ``; the input is never modified.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pysam
import pysam.bcftools as bcftools

from oncodrop.errors import BundleError, InputRejected
from oncodrop.report.vcf.contigs import normalise_chrom

_STDERR_TAIL = 400


def _fasta_contigs(fasta: Path) -> set[str]:
    fai = Path(str(fasta) + ".fai")
    if fai.exists():
        return {line.split("\t", 1)[0] for line in fai.read_text().splitlines() if line}
    return set(pysam.FastaFile(str(fasta)).references)


def _rename_map(vcf_contigs: set[str], fasta_contigs: set[str]) -> dict[str, str]:
    """VCF contig -> FASTA contig, for contigs that differ only by ``chr``/``MT`` spelling."""
    by_norm = {normalise_chrom(name): name for name in fasta_contigs}
    mapping: dict[str, str] = {}
    for name in vcf_contigs:
        if name in fasta_contigs:
            continue
        target = by_norm.get(normalise_chrom(name))
        if target is not None:
            mapping[name] = target
    return mapping


def _vcf_contigs(vcf: Path) -> set[str]:
    with pysam.VariantFile(str(vcf)) as handle:
        names = set(handle.header.contigs)
        if not names:
            names = {rec.chrom for rec in handle}
    return names


def _run(tool: str, *args: str) -> None:
    try:
        getattr(bcftools, tool)(*args, catch_stdout=False)
    except pysam.utils.SamtoolsError as exc:
        tail = str(exc)[-_STDERR_TAIL:]
        if "Reference allele mismatch" in tail or "REF" in tail and "mismatch" in tail:
            raise InputRejected(
                "ref_mismatch",
                "the VCF's REF alleles do not match the bundle's genome FASTA: check that the "
                "VCF and the bundle use the same genome build",
            ) from None
        raise BundleError(f"bcftools {tool} failed: {tail}") from None


def annotate_with_bcftools_csq(
    vcf: Path, gff3: Path, fasta: Path, *, out_dir: Path | None = None
) -> Path:
    """Write ``{out_dir}/{name}.bcsq.vcf.gz`` (+ ``.tbi``) with ``INFO/BCSQ`` and return it."""
    for needed, what in ((gff3, "GFF3 gene model"), (fasta, "genome FASTA")):
        if not needed.exists():
            raise BundleError(f"the bundle's {what} {needed.name} is missing")
    work = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="oncodrop-csq-"))
    work.mkdir(parents=True, exist_ok=True)
    stem = vcf.name.split(".vcf")[0]
    source = vcf
    mapping = _rename_map(_vcf_contigs(vcf), _fasta_contigs(fasta))
    if mapping:
        chr_map = work / f"{stem}.chrmap.txt"
        chr_map.write_text("".join(f"{old}\t{new}\n" for old, new in sorted(mapping.items())))
        renamed = work / f"{stem}.renamed.vcf.gz"
        _run("annotate", "--rename-chrs", str(chr_map), "-O", "z", "-o", str(renamed), str(source))
        source = renamed
    ordered = work / f"{stem}.sorted.vcf.gz"
    _run("sort", "-T", str(work), "-O", "z", "-o", str(ordered), str(source))
    out = work / f"{stem}.bcsq.vcf.gz"
    _run(
        "csq", "-f", str(fasta), "-g", str(gff3), "-p", "a", "-l", "-s", "-",
        "-O", "z", "-o", str(out), str(ordered),
    )  # fmt: skip
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out
