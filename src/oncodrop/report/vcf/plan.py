"""The per-file constants of one read (``ReadPlan``), apart so the per-record modules share them.

``reader`` builds one ``ReadPlan`` per opened VCF from its header, sample choice and config;
``record``, ``annotate`` and ``thresholds`` read it for every record without recomputing
anything from the header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from oncodrop.report.annotation.pick import TranscriptFacts
from oncodrop.report.vcf.allelic import SupportMemo
from oncodrop.report.vcf.header import AnnotationSource, HeaderFacts
from oncodrop.report.vcf.samples import SampleChoice
from oncodrop.sampleconfig import SampleConfig

Mode = Literal["somatic", "normal"]

_TAGS: dict[AnnotationSource | None, str | None] = {"VEP": "CSQ", "snpEff": "ANN", "BCSQ": "BCSQ", None: None}


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """Per-file constants the per-record code needs."""

    facts: HeaderFacts
    choice: SampleChoice
    config: SampleConfig
    mode: Mode
    file: str
    transcripts: Mapping[str, TranscriptFacts] | None = None  # the gene model's tags (pick)
    compound: Mapping[tuple[str, int], tuple[str, ...]] | None = None  # csq haplotype entries
    annotation_tag: str | None = field(init=False)  # the INFO tag of the annotation entries
    info_tags: bool = field(init=False)  # the config names INFO tags for depth/VAF
    # the tumour's and the normal's supports per distinct read values (``allelic.SupportMemo``)
    tumour_memo: SupportMemo = field(default_factory=SupportMemo, init=False, repr=False, compare=False)
    normal_memo: SupportMemo = field(default_factory=SupportMemo, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tags = self.config.allelic_support
        object.__setattr__(self, "annotation_tag", _TAGS[self.facts.annotation])
        object.__setattr__(self, "info_tags", bool(tags.tumor_dp_tag or tags.tumor_af_tag or
                                                   tags.normal_dp_tag or tags.normal_af_tag))  # fmt: skip
