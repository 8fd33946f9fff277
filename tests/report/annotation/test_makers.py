"""The generated keyword constructors build the same objects as the dataclasses' own."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.annotation.common import Annotation
from oncodrop.report.annotation.makers import make_annotation, make_consequence, make_variant, maker


def test_made_objects_equal_constructed_ones_field_for_field() -> None:
    csq: dict[str, Any] = {"gene": "BRAF", "terms": ("missense_variant",), "impact": "MODERATE",
                           "transcript": "ENST1", "hgvsp": "p.V600E", "canonical": True, "source": "VEP",
                           "all_effects": ("BRAF:ENST1",)}  # fmt: skip
    made, built = make_consequence(**csq), Consequence(**csq)
    assert made == built and hash(made) == hash(built) and type(made) is Consequence
    assert dataclasses.astuple(made) == dataclasses.astuple(built)
    variant: dict[str, Any] = {"chrom": "7", "pos": 140453136, "ref": "A", "alt": "T", "depth": 40, "vaf": 0.25,
                               "consequence": built}  # fmt: skip
    assert make_variant(**variant) == Variant(**variant)  # defaults as the class declares them
    assert make_annotation(consequence=built, dbsnp="rs1") == Annotation(consequence=built, dbsnp="rs1")


def test_made_objects_stay_frozen_and_reject_unknown_or_missing_fields() -> None:
    v = make_variant(chrom="1", pos=5, ref="A", alt="C")
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.pos = 6  # type: ignore[misc]
    with pytest.raises(TypeError):
        make_variant(chrom="1", pos=5, ref="A", alt="C", colour="red")
    with pytest.raises(TypeError):
        make_variant(chrom="1", pos=5, ref="A")


def test_only_slotted_frozen_dataclasses_without_post_init_get_a_maker() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            raise AssertionError("a maker would skip this")

    for cls in (NoSlots, Checked):
        with pytest.raises(TypeError):
            maker(cls)
