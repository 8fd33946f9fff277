"""The bundle's transcript table: what an Ensembl GFF3 says about each transcript, precomputed.

The reporter needs, per transcript, the ``tag=`` values (MANE/canonical for the pick order),
biotype, contig, strand, exons and CDS (HGVS c. numbering) and the parent gene's symbol.
Reading them from the GFF3 means parsing every line of it (~3.5M for GRCh38 release 113,
25-30 s of Python per worker process), so ``oncodrop refdata build`` parses it once and writes
``genome/<build>/transcripts.tsv.gz``: one line per transcript, in GFF3 order (the order decides
ties in the pick and the order of ``all_effects``, so it is kept). The reporter loads the table
when the bundle has it and parses the GFF3 only for older bundles (``load_transcripts``).

The GFF3 parse (``parse_gff3``), the table writer and its reader live together here so that
one module owns the fields, and a test holds table == parse.
"""

from __future__ import annotations

import gc
import gzip
import io
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from oncodrop.errors import BundleError

TABLE_NAME = "transcripts.tsv.gz"  # genome/<build>/ beside genes.gff3.gz
TABLE_VERSION = "#oncodrop-transcripts v1"
COLUMNS = ("transcript", "biotype", "tags", "cds_length", "strand", "exon_starts", "exon_ends",
           "cds", "gene", "seqid", "cds_phase")  # fmt: skip
# GFF3 ``tag`` values that stand in for "canonical" when the model has no canonical tag.
CANONICAL_PROXY_TAGS: tuple[str, ...] = ("appris_principal", "CCDS", "basic")


@dataclass(frozen=True, slots=True)
class TranscriptFacts:
    """What an Ensembl GFF3 says about one transcript (``tag=`` values, CDS length)."""

    transcript: str
    biotype: str = ""
    tags: frozenset[str] = frozenset()
    cds_length: int = 0
    strand: str = "+"
    exons: tuple[tuple[int, int], ...] = ()  # 1-based inclusive genomic spans, ascending
    cds: tuple[int, int] | None = None  # genomic span of the coding sequence (incl. stop)
    gene: str = ""  # the parent gene's Name (HGNC symbol), as BCSQ names genes
    seqid: str = ""  # the GFF3 contig (as the FASTA csq ran with names it)
    cds_phase: int = 0  # GFF3 phase of the CDS row at the transcript's 5' end (!= 0: cds_start_NF)

    def covers(self, pos: int) -> bool:
        """``pos`` lies between the transcript's first and last exon (introns included)."""
        return bool(self.exons) and self.exons[0][0] <= pos <= self.exons[-1][1]

    @property
    def mane(self) -> bool:
        return "MANE_Select" in self.tags

    @property
    def canonical(self) -> bool:
        return "Ensembl_canonical" in self.tags

    @property
    def canonical_rank(self) -> int:
        """0 for a tagged canonical, then the proxy tags in order, len+1 for none."""
        if self.canonical:
            return 0
        for i, tag in enumerate(CANONICAL_PROXY_TAGS, start=1):
            if tag in self.tags:
                return i
        return len(CANONICAL_PROXY_TAGS) + 1


def _attributes(column: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in column.strip().split(";"):
        if "=" in item:
            key, value = item.split("=", 1)
            out[key] = unquote(value)
    return out


def parse_gff3(gff3: Path) -> dict[str, TranscriptFacts]:
    """Transcript id -> facts from an Ensembl-style GFF3 (plain or gzipped), in GFF3 order:
    ``tag=`` values, biotype, contig and strand of each transcript row, its exons and the span,
    length and 5' phase of its CDS."""
    opener = gzip.open if str(gff3).endswith(".gz") else open
    rows: dict[str, tuple[str, frozenset[str], str, str, str]] = {}
    gene_names: dict[str, str] = {}
    cds: dict[str, list[tuple[int, int]]] = {}
    phases: dict[tuple[str, int, int], int] = {}
    exons: dict[str, list[tuple[int, int]]] = {}
    with opener(gff3, "rt") as handle:  # type: ignore[operator]
        for line in handle:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 9 or not (cols[3].isdigit() and cols[4].isdigit()):
                continue
            attrs = _attributes(cols[8])
            span = (int(cols[3]), int(cols[4]))
            if cols[2] in ("CDS", "exon"):
                parent = attrs.get("Parent", "").removeprefix("transcript:")
                if parent:
                    (cds if cols[2] == "CDS" else exons).setdefault(parent, []).append(span)
                    if cols[2] == "CDS" and cols[7] in ("1", "2"):
                        phases[(parent, *span)] = int(cols[7])
                continue
            ident = attrs.get("ID", "")
            if ident.startswith("gene:"):
                gene_names[ident] = attrs.get("Name", "")
            elif ident.startswith("transcript:"):
                tags = frozenset(t for t in attrs.get("tag", "").split(",") if t)
                rows[ident.removeprefix("transcript:")] = (attrs.get("biotype", ""), tags, cols[6],
                                                           attrs.get("Parent", ""), cols[0])  # fmt: skip
    facts: dict[str, TranscriptFacts] = {}
    for tid, (biotype, tags, strand, parent, seqid) in rows.items():
        parts = sorted(cds.get(tid, ()))
        first = (parts[-1] if strand == "-" else parts[0]) if parts else None
        facts[tid] = TranscriptFacts(
            tid, biotype, tags,
            cds_length=sum(end - start + 1 for start, end in parts),
            strand=strand,
            exons=tuple(sorted(exons.get(tid, ()))),
            cds=(parts[0][0], parts[-1][1]) if parts else None,
            gene=gene_names.get(parent, ""),
            seqid=seqid,
            cds_phase=phases.get((tid, *first), 0) if first else 0,
        )  # fmt: skip
    return facts


def _line(fact: TranscriptFacts) -> str:
    text = (fact.transcript, fact.biotype, ",".join(sorted(fact.tags)), str(fact.cds_length), fact.strand,
            ",".join(str(s) for s, _ in fact.exons), ",".join(str(e) for _, e in fact.exons),
            f"{fact.cds[0]}-{fact.cds[1]}" if fact.cds else "", fact.gene, fact.seqid, str(fact.cds_phase))  # fmt: skip
    if any("\t" in cell or "\n" in cell for cell in text) or any("," in tag for tag in fact.tags):
        raise BundleError(f"transcript {fact.transcript!r}: a field holds a tab, newline or (in a tag) "
                          "comma, which the transcript table cannot hold")  # fmt: skip
    return "\t".join(text) + "\n"


def write_transcript_table(path: Path, facts: Mapping[str, TranscriptFacts]) -> Path:
    """Write ``facts`` (in their order) as the gzipped table ``read_transcript_table`` reads;
    same facts -> same bytes (no name or timestamp in the gzip header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as packed,
          io.TextIOWrapper(packed, encoding="utf-8", newline="\n") as text):  # fmt: skip
        text.write(TABLE_VERSION + "\n" + "\t".join(COLUMNS) + "\n")
        text.writelines(_line(fact) for fact in facts.values())
    return path


def read_transcript_table(path: Path) -> dict[str, TranscriptFacts]:
    """The facts ``write_transcript_table`` wrote, in the same order; ``BundleError`` when the
    file is not such a table."""
    facts: dict[str, TranscriptFacts] = {}
    tag_sets: dict[str, frozenset[str]] = {"": frozenset()}  # few distinct sets: share them
    line_no = 2
    try:
        with _gc_paused(), gzip.open(path, "rt", encoding="utf-8") as handle:
            head = (handle.readline().rstrip("\n"), tuple(handle.readline().rstrip("\n").split("\t")))
            if head != (TABLE_VERSION, COLUMNS):
                raise BundleError(f"{path.name} is not an oncodrop transcript table ({TABLE_VERSION}); "
                                  "rebuild the bundle")  # fmt: skip
            for line_no, line in enumerate(handle, start=3):
                cells = line.rstrip("\n").split("\t")
                tid, biotype, tags, cds_length, strand, starts, ends, cds, gene, seqid, phase = cells
                tag_set = tag_sets.get(tags)
                if tag_set is None:
                    tag_set = tag_sets[tags] = frozenset(tags.split(","))
                lo, _, hi = cds.partition("-")
                facts[tid] = TranscriptFacts(
                    tid, biotype, tag_set, int(cds_length), strand,
                    tuple(zip(map(int, starts.split(",")), map(int, ends.split(",")), strict=True)) if starts else (),
                    (int(lo), int(hi)) if cds else None, gene, seqid, int(phase),
                )  # fmt: skip
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{path.name}: line {line_no} cannot be read ({exc}); rebuild the bundle") from exc
    return facts


@contextmanager
def _gc_paused() -> Iterator[None]:
    """CPython's cyclic collector off while ~250k facts (and their exon tuples) are built: it
    would otherwise run hundreds of times, each pass walking the objects made so far, for ~40 %
    of the load time (measured on a 60k-transcript table); none of them can form a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_transcripts(table: Path | None, gff3: Path | None) -> Mapping[str, TranscriptFacts] | None:
    """The transcript facts of a bundle build: the precomputed ``table`` when there is one,
    else the ``gff3`` parsed (bundles built before the table existed), else None. Cached per
    process by path, size and mtime: a worker reads a bundle's gene model once, not per sample."""
    if table is not None:
        return _cached(read_transcript_table, table)
    return gff3_transcripts(gff3) if gff3 is not None else None


def gff3_transcripts(gff3: Path) -> Mapping[str, TranscriptFacts]:
    """``parse_gff3``, cached per process like ``load_transcripts``."""
    return _cached(parse_gff3, gff3)


def _cached(reader: Callable[[Path], dict[str, TranscriptFacts]], path: Path) -> Mapping[str, TranscriptFacts]:
    stat = os.stat(path)
    return _read(reader, path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _read(reader: Callable[[Path], dict[str, TranscriptFacts]], path: Path, size: int,
          mtime_ns: int) -> Mapping[str, TranscriptFacts]:  # fmt: skip
    """``reader(path)``; ``size`` and ``mtime_ns`` only key the cache."""
    return reader(path)
