"""``elements.element_json`` writes ``json.dumps(codec.encode(value))``'s text, value for
value: on a real report's variants, calls, findings and content (enums, nested dataclasses,
tuples, None, fields at and off their default, a pydantic config) and on the corner cases of
``_same`` that the compiled default tests spell out."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
from pydantic import BaseModel

from oncodrop.refdata.bundle import Bundle
from oncodrop.report.engine import classify_variants
from oncodrop.report.interpretation.codec import decode_as, encode, kept_fields
from oncodrop.report.interpretation.snapshot import FILE_NAME, finding_call, loads
from oncodrop.report.interpretation.stream import element_json
from oncodrop.report.matching import EvidenceIndex
from oncodrop.report.protocol import ReportResult
from oncodrop.report.write.content import ReportContent


def _dumps(data: Any) -> str:
    """What ``json.dumps`` made of the whole input before streaming (``stream`` docstring)."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def _assert_same(value: Any) -> None:
    assert element_json(value) == _dumps(encode(value))


def _kinds(value: Any, inside: bool = False) -> Iterator[str]:
    """What a value holds, as far as the encoders tell values apart."""
    if isinstance(value, Enum):
        yield "enum"
    elif value is None:
        yield "none"
    elif isinstance(value, BaseModel):
        yield "pydantic"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield "nested dataclass" if inside else "dataclass"
        kept = kept_fields(value)
        if len(kept) < len([f for f in dataclasses.fields(value) if f.init]):
            yield "field at its default"
        if any(f.default is not dataclasses.MISSING and item != f.default
               for f in dataclasses.fields(value) for name, item in kept if name == f.name):  # fmt: skip
            yield "defaulted field set"
        for _, item in kept:
            yield from _kinds(item, True)
    elif isinstance(value, tuple):
        yield "tuple"
        for item in value:
            yield from _kinds(item, True)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _kinds(item, True)


@pytest.fixture(scope="module")
def elements(brca: ReportResult, demo_bundle: Path) -> list[Any]:
    """The report's stored variants and calls, its findings made again from those variants
    with the same bundle, its content decoded, and the whole stored input."""
    stored = loads((brca.out_dir / FILE_NAME).read_bytes())
    content = decode_as(stored.content, ReportContent)
    bundle = Bundle.open(demo_bundle)
    index = EvidenceIndex.build(bundle.evidence(), content.build)
    findings = classify_variants(stored.variants, bundle, index, "Breast")
    calls = (*stored.interpretation.calls, *(finding_call(f, "Breast") for f in findings))
    return [*stored.variants, *calls, *findings, content, stored]


def test_a_real_reports_elements_hold_every_kind_the_encoders_tell_apart(elements: list[Any]) -> None:
    seen = Counter(kind for value in elements for kind in _kinds(value))
    for kind in ("enum", "none", "nested dataclass", "field at its default", "defaulted field set", "tuple"):
        assert seen[kind] > 10, (kind, seen)
    assert seen["pydantic"] == 1  # the sample config


def test_element_text_of_a_real_reports_elements_is_encodes(elements: list[Any]) -> None:
    assert len(elements) > 300
    for value in elements:
        _assert_same(value)


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Level(str, Enum):
    HIGH = "high"


class Count(IntEnum):
    TWO = 2


class Pair(NamedTuple):
    a: int
    b: str


@dataclass(frozen=True)
class Inner:
    name: str
    colour: Colour = Colour.RED


class Settings(BaseModel):
    site: str = "Skin"


@dataclass(frozen=True)
class Corner:
    required: Any
    flag: bool = False
    count: int = 0
    ratio: float = 0.0
    nan: float = math.nan
    word: str = ""
    none: Any = None
    empty: tuple[Any, ...] = ()
    numbers: tuple[Any, ...] = (1, 2)
    colour: Any = Colour.RED
    level: Any = Level.HIGH
    items: Any = field(default_factory=list)
    table: Any = field(default_factory=dict)
    made: Any = field(default_factory=lambda: Inner("x"))
    hidden: int = field(default=5, init=False)


@pytest.mark.parametrize(
    "changes",
    [
        {},  # every field at its default: only ``required`` is written
        {"flag": 0, "count": False, "ratio": 0, "word": Level.HIGH},  # equal, of another type: kept
        {"flag": True, "count": 3, "ratio": -0.0, "nan": math.nan, "word": "x"},
        {"ratio": np.float64(0.0), "count": np.int64(0), "nan": np.float32(1.5)},  # numpy scalars
        {"ratio": math.inf, "nan": -math.inf, "word": 'é★\t"\\\x00', "numbers": (True, None, 1e300, -2)},  # escapes
        {"empty": [], "numbers": (1, 2), "items": (), "table": {}},  # a list for a tuple default…
        {"numbers": (np.array([1, 1]), 2), "empty": (None, (1, "x"), [Colour.BLUE])},  # a comparison that raises
        {"colour": Colour.BLUE, "level": "high", "made": Inner("x"), "items": [Inner("y", Colour.BLUE)]},
        {"none": Pair(1, "b"), "table": {"k": np.int64(3), 1: Colour.RED, "m": {"n": Count.TWO}}},
        {"none": np.array([[1.0, 2.5]]), "made": Inner("y"), "empty": (Settings(), Count.TWO, np.float64(2.0))},
    ],
)
@pytest.mark.parametrize("required", [None, "text", 1, 2.5, True, Colour.BLUE, Level.HIGH, Count.TWO, (), Inner("r")])
def test_element_text_of_defaults_and_types_at_the_edges_of_same_is_encodes(
    changes: dict[str, Any], required: Any
) -> None:
    _assert_same(Corner(required, **changes))


def test_values_that_are_not_dataclasses_encode_as_encode_does() -> None:
    for value in (None, "é", 3, Level.HIGH, Count.TWO, (Colour.RED, [1.5]), {"a": (1,)}, np.arange(3), np.int8(4),
                  Settings(site="Lung"), Pair(2, "c")):  # fmt: skip
        _assert_same(value)


def test_a_value_encode_refuses_is_refused_by_the_element_writer_too() -> None:
    for encoder in (encode, element_json):
        with pytest.raises(TypeError, match="cannot encode object"):
            encoder(Corner(object()))
