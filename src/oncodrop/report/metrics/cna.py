"""Copy number: PCGR segment files in, gene-level calls and genome-wide alteration out.

Two upstream formats, told apart by the header:
- PCGR 2.x ``Chromosome Start End nMajor nMinor``: allele-specific absolute copy number;
- PCGR 0.x ``Sample Chromosome Start End Num_Probes Segment_Mean``: log2 copy ratio.
Coordinates are 1-based and inclusive. Every autosome (chr22 included, which PCGR dropped)
and X are called; Y segments are read but not called (its copy number depends on sex).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from oncodrop.domain.copynumber import CnaCall, GeneCopyNumber, Segment
from oncodrop.domain.genome import GeneSpan
from oncodrop.domain.metric import Metric
from oncodrop.errors import InputRejected, ReasonCode
from oncodrop.sampleconfig import SampleConfig

SegmentFormat = Literal["allele_specific", "log2_ratio"]
HEADERS: dict[SegmentFormat, tuple[str, ...]] = {
    "allele_specific": ("Chromosome", "Start", "End", "nMajor", "nMinor"),
    "log2_ratio": ("Sample", "Chromosome", "Start", "End", "Num_Probes", "Segment_Mean"),
}
CHROMOSOMES = tuple(str(n) for n in range(1, 23)) + ("X", "Y")
CALLED_CHROMOSOMES = frozenset(CHROMOSOMES) - {"Y"}
T = TypeVar("T", int, float)
LOG_R_HETDEL = -0.4  # ~log2(1.5/2): halfway between one and two copies in a pure diploid


@dataclass(frozen=True, slots=True)
class SegmentFile:
    """Parsed segments and which upstream format they came in."""

    format: SegmentFormat
    segments: tuple[Segment, ...]


def read_segments(path: Path) -> SegmentFile:
    """Read a PCGR segment TSV; ``InputRejected("bad_cna")`` naming file/line/field if malformed."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRejected(
            ReasonCode.BAD_CNA, f"copy number file cannot be read as text ({exc})", file=path.name
        ) from exc
    return parse_segments(text.splitlines(), path.name)


def parse_segments(lines: Iterable[str], file: str) -> SegmentFile:
    """Parse segment lines (header first; ``#`` comments and blank lines skipped)."""
    rows = ((n, line.rstrip("\r\n")) for n, line in enumerate(lines, start=1))
    rows = ((n, line) for n, line in rows if line.strip() and not line.startswith("#"))
    first = next(rows, None)
    if first is None:
        raise InputRejected(ReasonCode.BAD_CNA, "copy number file is empty; expected a header line", file=file, line=1)
    fmt = _detect_format(first[1].split("\t"), file, first[0])
    numbered = [(n, _parse_row(line.split("\t"), fmt, file, n)) for n, line in rows]
    reject_overlaps(numbered, file)
    return SegmentFile(fmt, tuple(segment for _, segment in numbered))


def reject_overlaps(numbered: Sequence[tuple[int, Segment]], file: str) -> None:
    """Overlapping segments are rejected, naming both (line and span): a base in two segments
    has two copy numbers, and no rule can say which one a gene there should get. Segments
    may share their boundary base (``End`` of one = ``Start`` of the next: half-open output
    of some segmenters); anything more is an overlap."""
    by_chrom: dict[str, list[tuple[int, Segment]]] = defaultdict(list)
    for n, segment in numbered:
        by_chrom[segment.chrom].append((n, segment))
    for rows in by_chrom.values():
        rows.sort(key=lambda row: (row[1].start, row[1].end))
        reach: tuple[int, Segment] | None = None  # the segment reaching furthest so far
        for n, segment in rows:
            if reach is not None and segment.start < reach[1].end:
                (m, other), (k, later) = sorted((reach, (n, segment)))
                raise InputRejected(
                    ReasonCode.BAD_CNA,
                    f"copy number segments overlap: line {m} ({_span(other)}) and line {k} "
                    f"({_span(later)}); every base must be in at most one segment: merge or split "
                    "them (or send one sample per file)",
                    file=file,
                    line=k,
                    field="Start",
                )
            if reach is None or segment.end > reach[1].end:
                reach = (n, segment)


def _span(segment: Segment) -> str:
    return f"{segment.chrom}:{segment.start}-{segment.end}"


def _detect_format(header: list[str], file: str, line: int) -> SegmentFormat:
    cleaned = tuple(h.strip() for h in header)
    for fmt, expected in HEADERS.items():
        if cleaned == expected:
            return fmt
    expected_text = " or ".join("'" + " ".join(h) + "'" for h in HEADERS.values())
    raise InputRejected(
        ReasonCode.BAD_CNA,
        f"unknown copy number header '{' '.join(cleaned)}'; use the tab-separated columns {expected_text}",
        file=file,
        line=line,
    )


def _parse_row(fields: list[str], fmt: SegmentFormat, file: str, line: int) -> Segment:
    names = HEADERS[fmt]
    if len(fields) != len(names):
        raise InputRejected(
            ReasonCode.BAD_CNA,
            f"{len(fields)} tab-separated columns, expected {len(names)} ({', '.join(names)})",
            file=file,
            line=line,
        )
    row = dict(zip(names, (f.strip() for f in fields), strict=True))
    chrom = _chromosome(row["Chromosome"], file, line)
    start, end = _number(row, "Start", int, file, line), _number(row, "End", int, file, line)
    if start < 1 or end < start:
        raise InputRejected(
            ReasonCode.BAD_CNA,
            f"End ({end}) is before Start ({start}) or Start < 1",
            file=file,
            line=line,
            field="End",
        )
    if fmt == "log2_ratio":
        return Segment(chrom, start, end, log2_ratio=_number(row, "Segment_Mean", float, file, line))
    major, minor = _number(row, "nMajor", int, file, line), _number(row, "nMinor", int, file, line)
    if major < 0 or minor < 0:
        raise InputRejected(
            ReasonCode.BAD_CNA, "nMajor and nMinor must not be negative", file=file, line=line, field="nMajor"
        )
    return Segment(chrom, start, end, total_cn=float(major + minor), minor_cn=minor)


def _chromosome(raw: str, file: str, line: int) -> str:
    chrom = raw[3:] if raw.lower().startswith("chr") else raw
    if chrom not in CHROMOSOMES:
        raise InputRejected(
            ReasonCode.BAD_CNA,
            f"unknown chromosome '{raw}'; use 1-22, X or Y (with or without 'chr')",
            file=file,
            line=line,
            field="Chromosome",
        )
    return chrom


def _number(row: dict[str, str], field: str, kind: type[T], file: str, line: int) -> T:
    raw = row[field]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (kind is int and not value.is_integer()):
        what = "an integer" if kind is int else "a number"
        raise InputRejected(
            ReasonCode.BAD_CNA, f"{field} must be {what}, found '{raw}'", file=file, line=line, field=field
        )
    return kind(value)


@dataclass(frozen=True, slots=True)
class CnaThresholds:
    """Cut-offs for calls (from ``[cna]`` and ``[tumor]`` of the sample config)."""

    amplification_min_cn: int = 5
    overlap_pct: float = 50.0
    log_r_gain: float = 0.8
    log_r_homdel: float = -0.8
    log_r_hetdel: float = LOG_R_HETDEL
    ploidy: float | None = None

    @classmethod
    def from_config(cls, config: SampleConfig) -> CnaThresholds:
        c = config.cna
        return cls(
            c.amplification_min_cn,
            c.overlap_pct,
            c.log_r_gain,
            c.log_r_homdel,
            LOG_R_HETDEL,
            config.tumor.ploidy,
        )

    @property
    def baseline(self) -> int:
        """Expected total copy number of an unaltered segment: rounded ploidy, else 2."""
        return max(1, round(self.ploidy)) if self.ploidy else 2

    @property
    def log_r_amplification(self) -> float:
        """log2 cut for amplification: the ratio of ``amplification_min_cn`` to two copies."""
        return max(self.log_r_gain, math.log2(self.amplification_min_cn / 2))

    def absolute_rules(self) -> tuple[tuple[float, CnaCall], ...]:
        """(exclusive upper bound on total CN, call), checked in order; above all: amplification."""
        b = self.baseline
        amp = max(self.amplification_min_cn, 2 * b)
        return (
            (0.5, CnaCall.HOMDEL),
            (b - 0.5, CnaCall.HETDEL),
            (b + 0.5, CnaCall.NEUTRAL),
            (amp, CnaCall.GAIN),
        )

    def log2_rules(self) -> tuple[tuple[float, CnaCall], ...]:
        """(upper bound on log2 ratio, call): homdel/hetdel inclusive, neutral/gain exclusive."""
        return (
            (math.nextafter(self.log_r_homdel, math.inf), CnaCall.HOMDEL),
            (math.nextafter(self.log_r_hetdel, math.inf), CnaCall.HETDEL),
            (self.log_r_gain, CnaCall.NEUTRAL),
            (self.log_r_amplification, CnaCall.GAIN),
        )


def segment_call(segment: Segment, t: CnaThresholds) -> CnaCall:
    """The call of one segment by absolute copy number when known, else by log2 ratio."""
    if segment.total_cn is not None:
        value, rules = segment.total_cn, t.absolute_rules()
    elif segment.log2_ratio is not None:
        value, rules = segment.log2_ratio, t.log2_rules()
    else:
        return CnaCall.NEUTRAL
    for bound, call in rules:
        if value < bound:
            return call
    return CnaCall.AMPLIFICATION


def is_loh(segment: Segment) -> bool:
    """Loss of heterozygosity: no minor allele left while at least one copy remains."""
    return segment.minor_cn == 0 and segment.total_cn is not None and segment.total_cn >= 1


def gene_copy_numbers(
    segments: Sequence[Segment], genes: Iterable[GeneSpan], t: CnaThresholds
) -> tuple[GeneCopyNumber, ...]:
    """Call each gene from the segment covering most of it, if that covers >= overlap_pct."""
    index = _index(segments)
    calls = []
    for gene in genes:
        chrom = gene.chrom.removeprefix("chr")
        if chrom not in CALLED_CHROMOSOMES or chrom not in index:
            continue
        best = _best_segment(index[chrom], gene.start, gene.end)
        if best is None:
            continue
        seg, overlap = best
        if 100.0 * overlap / (gene.end - gene.start + 1) < t.overlap_pct:
            continue
        calls.append(
            GeneCopyNumber(
                gene=gene.symbol,
                chrom=chrom,
                start=gene.start,
                end=gene.end,
                call=segment_call(seg, t),
                total_cn=seg.total_cn,
                loh=is_loh(seg),
                log2_ratio=seg.log2_ratio,
            )
        )
    return tuple(calls)


@dataclass(frozen=True, slots=True)
class _ChromIndex:
    ends: list[int]
    segments: list[Segment]


def _index(segments: Sequence[Segment]) -> dict[str, _ChromIndex]:
    by_chrom: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        by_chrom[s.chrom].append(s)
    out = {}
    for chrom, segs in by_chrom.items():
        segs.sort(key=lambda s: s.end)
        out[chrom] = _ChromIndex([s.end for s in segs], segs)
    return out


def _best_segment(idx: _ChromIndex, start: int, end: int) -> tuple[Segment, int] | None:
    best: tuple[Segment, int] | None = None
    for seg in idx.segments[bisect_left(idx.ends, start) :]:
        if seg.start > end:  # sorted by end and non-overlapping: nothing further overlaps
            break
        overlap = min(end, seg.end) - max(start, seg.start) + 1
        if overlap > 0 and (best is None or overlap > best[1]):
            best = (seg, overlap)
    return best


def genome_alteration(segments: Sequence[Segment], t: CnaThresholds) -> tuple[Metric, Metric]:
    """Fraction of the segmented genome (autosomes + X) altered, and in LOH (absolute CN only)."""
    called = [s for s in segments if s.chrom in CALLED_CHROMOSOMES]
    total = sum(s.end - s.start + 1 for s in called)
    if total == 0:
        why = "not computable: no segments on autosomes or X"
        return Metric("fraction_genome_altered", None, "fraction", why), Metric(
            "fraction_loh", None, "fraction", why
        )
    altered = sum(s.end - s.start + 1 for s in called if segment_call(s, t) is not CnaCall.NEUTRAL)
    fga = Metric(
        "fraction_genome_altered", round(altered / total, 4), "fraction", "", {"segmented_bp": total}
    )
    if any(s.total_cn is None for s in called):
        loh = Metric(
            "fraction_loh", None, "fraction", "not computable: segments carry no allele-specific copy number"
        )
    else:
        loh_bp = sum(s.end - s.start + 1 for s in called if is_loh(s))
        loh = Metric("fraction_loh", round(loh_bp / total, 4), "fraction", "", {"segmented_bp": total})
    return fga, loh
