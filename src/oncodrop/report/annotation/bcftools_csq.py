"""Call consequences with ``bcftools csq`` (shipped inside pysam) when a VCF has no annotation.

Runs ``bcftools csq -p a -l -s -`` on the VCF as it is, against an Ensembl-style GFF3 and the
matching FASTA; only when csq finds the file unsorted is it sorted first (``bcftools sort``). ``-p a`` treats unphased genotypes as phased (somatic calls are unphased) and
``-l`` gives each record its own, local consequence, as VEP would, instead of ``@POS``
pointers to compound haplotypes; ``-s -`` ignores genotypes so every ALT is annotated. When
the reported sample's genotypes are phased (``0|1``), csq runs haplotype-aware instead
(``-p a -s <sample>``, no ``-l``): variants on one haplotype of one transcript get their joint
consequence (an SNV next to a frameshift, two indels that restore the frame), written at one
record with ``@POS`` pointers at the others, which the reader resolves. If
the VCF says ``chr1`` and the FASTA ``1`` (or the other way round), contigs are renamed
(``bcftools annotate --rename-chrs``, from the header's contig lines). The result is a new
bgzipped, tabix-indexed VCF carrying ``INFO/BCSQ``; the input is never modified.

Every bcftools step runs in C in a forked child (:func:`_bcftools`): Python never reads the
records (a VCF without ``##contig`` lines, whose contig names only the records tell, is the
one exception: it is renamed and sorted by :func:`_sorted_copy`), no second interpreter
starts, and the state bcftools keeps between in-process calls stays in the child.
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
import warnings
from pathlib import Path

import pysam
import pysam.bcftools
import pysam.utils

from oncodrop.domain.genome import normalise_chrom
from oncodrop.errors import BundleError, InputRejected, ReasonCode

_STDERR_TAIL = 400
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


class _BcftoolsFailed(Exception):
    def __init__(self, status: int, stderr: str) -> None:
        super().__init__(stderr)
        self.status, self.stderr = status, stderr


def _bcftools(command: str, *args: str) -> None:
    """``bcftools COMMAND ARGS`` (pysam's in-process bcftools) in a forked child.

    A fork, not a new interpreter: nothing is imported again. bcftools keeps static state
    between calls in one process (csq compares a new file's first position with the last one it
    saw and fails as "not sorted"); the child takes that state with it when it exits.
    ``_BcftoolsFailed`` carries the exit status and bcftools' stderr.
    """
    with tempfile.TemporaryFile() as err:
        with warnings.catch_warnings():  # Python 3.12+ warns about fork beside threads; the
            warnings.simplefilter("ignore", DeprecationWarning)  # child runs C code, then _exit
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its exit status is what is tested
            status = 1
            try:
                getattr(pysam.bcftools, command)(*args, catch_stdout=False)
                status = 0
            except pysam.utils.SamtoolsError as exc:
                os.write(err.fileno(), str(exc).encode(errors="replace"))
            except BaseException as exc:  # noqa: BLE001 - anything: report it, never run on
                os.write(err.fileno(), f"{type(exc).__name__}: {exc}".encode(errors="replace"))
            finally:
                os._exit(status)
        _, wait_status = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(wait_status)
        if status != 0:
            err.seek(0)
            raise _BcftoolsFailed(status, err.read().decode(errors="replace"))


def _run_csq(*args: str) -> None:
    """``bcftools csq ARGS``; a REF mismatch rejects the sample, other failures are the bundle's."""
    try:
        _bcftools("csq", *args)
    except _BcftoolsFailed as exc:
        tail = _redact(exc.stderr[-_STDERR_TAIL:])
        if "ref" in tail.lower() and ("mismatch" in tail.lower() or "does not match" in tail):
            raise InputRejected(
                ReasonCode.REF_MISMATCH,
                "the VCF's REF alleles do not match the bundle's genome FASTA: check that the "
                "VCF and the bundle use the same genome build",
            ) from None
        if "not sorted" in exc.stderr:
            raise _Unsorted from None
        raise BundleError(f"bcftools csq failed (exit status {exc.status}): {tail}") from None


class _Unsorted(Exception):
    """csq met a position before the previous one: sort, then run it again."""


def _header(vcf: Path) -> list[str]:
    """The header lines of a plain or gzipped VCF (the records are not read)."""
    with vcf.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    header: list[str] = []
    with opener(vcf, "rt") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            header.append(line.rstrip("\n") + "\n")
    if not header or not header[-1].startswith("#CHROM"):
        raise ValueError("no #CHROM header line")
    return header


def _any_phased(vcf: Path, sample: str, work: Path) -> bool:
    """Does ``sample``'s GT carry phase (``0|1``) in any record? bcftools reads the records
    (``view -p``: all — here: the one — sample's genotypes phased; haploid calls, which it
    counts as phased too, are left out)."""
    hits = work / "phased.vcf"
    _bcftools("view", "-H", "-s", sample, "-p", "-e", 'GT="hap"', "-o", str(hits), str(vcf))
    return hits.stat().st_size > 0


def _stream_input(vcf: Path, header: list[str], fasta_contigs: set[str], work: Path) -> Path:
    """The VCF csq reads: the input itself, or a copy with contigs renamed to the FASTA's."""
    contigs = {m.group(1) for line in header if (m := _CONTIG_ID.match(line))}
    mapping = _rename_map(contigs, fasta_contigs)
    if not mapping:
        return vcf
    names = work / "rename-chrs.txt"
    names.write_text("".join(f"{old}\t{new}\n" for old, new in sorted(mapping.items())))
    renamed = work / "renamed.bcf"
    _bcftools("annotate", "--rename-chrs", str(names), "-Ou", "-o", str(renamed), str(vcf))
    return renamed


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
    fasta_contigs = _fasta_contigs(fasta)
    try:
        header = _header(vcf)
        if any(_CONTIG_ID.match(line) for line in header):
            source = _stream_input(vcf, header, fasta_contigs, work)
            columns = header[-1].rstrip("\n").split("\t")
            phased = sample is not None and sample in columns[9:] and _any_phased(source, sample, work)
        else:  # contig names only in the records: the one case Python reads them
            source = work / f"{stem}.sorted.vcf.gz"
            phased = _sorted_copy(vcf, fasta_contigs, source, sample)
    except (OSError, EOFError, UnicodeDecodeError, ValueError, _BcftoolsFailed):
        raise InputRejected(
            ReasonCode.BAD_VCF,
            f"{vcf.name} cannot be read for annotation (missing, truncated or not text)",
            file=vcf.name,
        ) from None
    out = work / f"{stem}.bcsq.vcf.gz"
    mode = ("-s", sample) if phased and sample else ("-l", "-s", "-")
    force = ("--force",) if ref_checked else ()
    csq = ("-f", str(fasta), "-g", str(gff3), "-p", "a", *mode, *force, "-O", "z", "--write-index=tbi",
           "-o", str(out))  # fmt: skip
    try:
        _run_csq(*csq, str(source))
    except _Unsorted:
        ordered = work / f"{stem}.sorted.bcf"
        try:
            _bcftools("sort", "-Ou", "-T", str(work / "sort."), "-o", str(ordered), str(source))
        except _BcftoolsFailed:
            raise InputRejected(ReasonCode.BAD_VCF, f"{vcf.name} cannot be sorted for annotation",
                                file=vcf.name) from None  # fmt: skip
        _run_csq(*csq, str(ordered))
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
