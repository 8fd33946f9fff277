"""The gene model and genome a ``bcftools csq`` run used, handed together to the BCSQ parser.

bcftools csq names an indel by its VCF position only; HGVS c. and p. of indels need the genome
sequence (``annotation.hgvs_indel``, ``annotation.hgvsp_indel``). The caller that ran csq knows
which FASTA it gave it (the bundle's ``Bundle.fasta``), so it wraps the transcript facts and
that genome in one ``GeneModel``: the read plan carries the facts mapping to the parser anyway,
and a model without a genome (or a plain mapping) leaves indel HGVS out. Nothing here guesses
a FASTA from where the GFF3 lies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from oncodrop.refdata.bundle import Bundle
from oncodrop.refdata.transcripts import TranscriptFacts
from oncodrop.report.metrics.sequence import ReferenceGenome


class Genome(Protocol):
    """Reference bases by 1-based inclusive span (upper case; shorter at a contig end;
    ``KeyError`` for an unknown contig): ``report.metrics.sequence.ReferenceGenome``."""

    def bases(self, seqid: str, start: int, end: int) -> str: ...

    def __hash__(self) -> int: ...  # proteins are cached per (transcript, genome)


class GeneModel(Mapping[str, TranscriptFacts]):
    """Transcript id -> facts, with the ``genome`` the annotator ran with (None: unknown)."""

    __slots__ = ("facts", "genome")

    def __init__(self, facts: Mapping[str, TranscriptFacts], genome: Genome | None = None) -> None:
        self.facts = facts
        self.genome = genome

    def __getitem__(self, transcript: str) -> TranscriptFacts:
        return self.facts[transcript]

    def __iter__(self) -> Iterator[str]:
        return iter(self.facts)

    def __len__(self) -> int:
        return len(self.facts)

    def __contains__(self, transcript: object) -> bool:
        return transcript in self.facts


def genome_of(transcripts: Mapping[str, TranscriptFacts] | None) -> Genome | None:
    """The genome a ``GeneModel`` was given; None for anything else."""
    return transcripts.genome if isinstance(transcripts, GeneModel) else None


def facts_of(transcripts: Mapping[str, TranscriptFacts]) -> Mapping[str, TranscriptFacts]:
    """The plain facts mapping under a ``GeneModel`` (the same object for every sample, so
    per-mapping indexes are built once)."""
    return transcripts.facts if isinstance(transcripts, GeneModel) else transcripts


@contextmanager
def bundle_gene_model(bundle: Bundle, build: str, fasta: Path) -> Iterator[GeneModel]:
    """The bundle build's transcript facts (``Bundle.transcripts``) with ``fasta``, the FASTA
    bcftools csq ran with, open for reading while the annotated VCF is read."""
    with ReferenceGenome.open(fasta) as genome:
        yield GeneModel(bundle.transcripts(build) or {}, genome)
