"""Call consequences with ``bcftools csq`` (shipped inside pysam) when a VCF has no annotation.

Sorts the VCF, then runs ``bcftools csq -p a -l -s -`` against an Ensembl-style GFF3 and the
matching FASTA. ``-p a`` treats unphased genotypes as phased (somatic calls are unphased) and
``-l`` gives each record its own, local consequence, as VEP would, instead of ``@POS``
pointers to compound haplotypes; ``-s -`` ignores genotypes so every ALT is annotated. When
the reported sample's genotypes are phased (``0|1``), csq runs haplotype-aware instead
(``-p a -s <sample>``, no ``-l``): variants on one haplotype of one transcript get their joint
consequence (an SNV next to a frameshift, two indels that restore the frame), written at one
record with ``@POS`` pointers at the others, which the reader resolves. If
the VCF says ``chr1`` and the FASTA ``1`` (or the other way round), contigs are renamed. The
result is a new bgzipped VCF carrying ``INFO/BCSQ``; the input is never modified.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pysam

from oncodrop.domain.genome import normalise_chrom
from oncodrop.errors import BundleError, InputRejected, ReasonCode

_STDERR_TAIL = 400
_CHILD = """
import sys, pysam.bcftools, pysam.utils
try:
    pysam.bcftools.csq(*sys.argv[1:], catch_stdout=False)
except pysam.utils.SamtoolsError as exc:
    sys.stderr.write(str(exc))
    sys.exit(1)
"""
_POSITION = re.compile(r"\S+:\d+(-\d+)?")
_ALLELES = re.compile(r"'[ACGTN]+'|\b[ACGTN]{2,}\b")
_CONTIG_ID = re.compile(r"^##contig=<ID=([^,>]+)")


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


def _vcf_lines(vcf: Path) -> tuple[list[str], list[str]]:
    """Header lines and record lines of a plain or gzipped VCF."""
    with vcf.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    header: list[str] = []
    records: list[str] = []
    with opener(vcf, "rt") as handle:
        for line in handle:
            if not line.strip():
                continue
            (header if line.startswith("#") else records).append(line.rstrip("\n") + "\n")
    return header, records


def phased_in(header: list[str], records: list[str], sample: str) -> bool:
    """Does ``sample``'s GT carry phase (``0|1``) in any record? (Phase a caller wrote on
    purpose; GATK's PGT/PID physical phasing is not read.)"""
    columns = next((line.rstrip("\n").split("\t") for line in header if line.startswith("#CHROM")), [])
    if sample not in columns[9:]:
        return False
    index = columns.index(sample)
    for line in records:
        fields = line.split("\t")
        if len(fields) <= index:
            continue
        keys = fields[8].split(":")
        if keys and keys[0] == "GT" and "|" in fields[index].split(":", 1)[0]:
            return True
    return False


def _sorted_copy(vcf: Path, fasta_contigs: set[str], out: Path, sample: str | None = None) -> bool:
    """Write ``vcf`` sorted by contig and position, contigs renamed to the FASTA's spelling;
    True when ``sample``'s genotypes are phased.

    Done in Python: bcftools sort keeps state between in-process (pysam) calls.
    """
    header, records = _vcf_lines(vcf)
    names = {line.split("\t", 1)[0] for line in records}
    names |= {m.group(1) for line in header if (m := _CONTIG_ID.match(line))}
    mapping = _rename_map(names, fasta_contigs)
    order: dict[str, int] = {}
    for line in header:
        if m := _CONTIG_ID.match(line):
            order.setdefault(m.group(1), len(order))
    rows: list[tuple[int, int, str]] = []
    for line in records:
        chrom, pos, rest = line.split("\t", 2)
        rank = order.setdefault(chrom, len(order))
        rows.append(
            (rank, int(pos) if pos.isdigit() else 0, f"{mapping.get(chrom, chrom)}\t{pos}\t{rest}")
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    renamed_header = [
        _CONTIG_ID.sub(lambda m: f"##contig=<ID={mapping.get(m.group(1), m.group(1))}", line, 1)
        if line.startswith("##contig")
        else line
        for line in header
    ]
    with pysam.BGZFile(str(out), "wb", index=None) as handle:
        handle.write(("".join(renamed_header) + "".join(r[2] for r in rows)).encode())
    return sample is not None and phased_in(header, records, sample)


def _redact(stderr: str) -> str:
    """Last error line of bcftools with positions and alleles masked (they are patient data)."""
    stderr = stderr.replace("\\n", "\n").replace("\\t", "\t")  # pysam quotes its stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()] or lines[-1:]
    text = errors[-1] if errors else ""
    text = _POSITION.sub("<pos>", text)
    return _ALLELES.sub("<allele>", text)


def _run_csq(*args: str) -> None:
    """Run ``bcftools csq`` in a child Python: in-process bcftools keeps state between calls
    (a second call compares positions with the previous file and fails as "not sorted")."""
    command = [sys.executable, "-c", _CHILD, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return
    tail = _redact(done.stderr[-_STDERR_TAIL:])
    if "ref" in tail.lower() and ("mismatch" in tail.lower() or "does not match" in tail):
        raise InputRejected(
            ReasonCode.REF_MISMATCH,
            "the VCF's REF alleles do not match the bundle's genome FASTA: check that the "
            "VCF and the bundle use the same genome build",
        )
    raise BundleError(f"bcftools csq failed (exit status {done.returncode}): {tail}")


def annotate_with_bcftools_csq(
    vcf: Path, gff3: Path, fasta: Path, *, out_dir: Path | None = None, sample: str | None = None,
    ref_checked: bool = False,
) -> Path:
    """Write ``{out_dir}/{name}.bcsq.vcf.gz`` (+ ``.tbi``) with ``INFO/BCSQ`` and return it.

    ``sample`` is the column the report reads; when its genotypes are phased, consequences are
    haplotype-aware. Without ``out_dir`` a private (0700) temporary folder is made; the caller
    removes it. ``ref_checked``: the caller already compared REF alleles with ``fasta``
    (``report.metrics.concordance``) and decided to go on, so csq runs with ``--force`` instead
    of stopping at the first coding REF that differs.
    """
    for needed, what in ((gff3, "GFF3 gene model"), (fasta, "genome FASTA")):
        if not needed.exists():
            raise BundleError(f"the bundle's {what} {needed.name} is missing")
    work = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="oncodrop-csq-"))
    work.mkdir(parents=True, exist_ok=True)
    stem = vcf.name.split(".vcf")[0]
    ordered = work / f"{stem}.sorted.vcf.gz"
    try:
        phased = _sorted_copy(vcf, _fasta_contigs(fasta), ordered, sample)
    except (OSError, EOFError, UnicodeDecodeError, ValueError):
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{vcf.name} cannot be read for annotation (missing, truncated or not text)",
            file=vcf.name,
        ) from None
    out = work / f"{stem}.bcsq.vcf.gz"
    mode = ("-s", sample) if phased and sample else ("-l", "-s", "-")
    _run_csq(
        "-f", str(fasta), "-g", str(gff3), "-p", "a", *mode, *(("--force",) if ref_checked else ()),
        "-O", "z", "-o", str(out), str(ordered),
    )  # fmt: skip
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


ANNOTATION_TAGS: tuple[str, ...] = ("CSQ", "ANN", "BCSQ")


def has_annotation(vcf: Path) -> bool:
    """Does the VCF header declare VEP CSQ, snpEff ANN or bcftools BCSQ?"""
    try:
        with pysam.VariantFile(str(vcf)) as handle:
            return any(tag in handle.header.info for tag in ANNOTATION_TAGS)
    except (OSError, ValueError):
        raise InputRejected(
            ReasonCode.BAD_VCF, f"{vcf.name} is not a readable VCF", file=vcf.name, line=1
        ) from None


def annotated_vcf(
    vcf: Path, *, gff3: Path | None, fasta: Path | None, out_dir: Path | None = None
) -> Path:
    """``vcf`` itself when it carries consequences, else a copy annotated by bcftools csq.

    Without annotation and without a gene model the sample cannot be reported; that is
    ``InputRejected("no_annotation")`` rather than ``BundleError``: the sample (not the
    service) is what fails, it must not be retried, and the user can fix it by annotating.
    """
    if has_annotation(vcf):
        return vcf
    if gff3 is None or fasta is None:
        raise InputRejected(
            ReasonCode.NO_ANNOTATION,
            f"{vcf.name} has no consequence annotation (INFO/CSQ, ANN or BCSQ) and the "
            "reference bundle has no gene model to compute it; annotate the VCF with VEP, "
            "snpEff or bcftools csq, or use a bundle with a gene model (oncodrop refdata build)",
            file=vcf.name,
            field="INFO",
        )
    return annotate_with_bcftools_csq(vcf, gff3, fasta, out_dir=out_dir)
