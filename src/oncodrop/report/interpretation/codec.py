"""Frozen dataclasses to JSON and back, driven by their type hints.

The interpretation input (``snapshot``) is made of the reporter's own domain types: variants,
metrics, the sample config, the report content. Rather than a hand-written twin of each,
this module walks a value by its dataclass fields (enums as their value, pydantic models as
their JSON dump, tuples as lists, numpy arrays as lists) and rebuilds it from the same hints.
Fields equal to their default are left out, which keeps thousands of variants compact.

``encode`` is the definition of the format. The per-element hot path (every variant and call
of a report) writes the same JSON text without building the data first
(``interpretation.elements``); ``default_test`` gives it ``kept_fields``'s default checks as
code (tests hold the two equal on real reports).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel

T = TypeVar("T")

_MISSING = dataclasses.MISSING


def encode(value: Any) -> Any:
    """``value`` as plain JSON data (dicts, lists, str, numbers, bool, None)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: encode(item) for name, item in kept_fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot encode {type(value).__name__} in an interpretation input")


def kept_fields(value: Any) -> list[tuple[str, Any]]:
    """The (name, value) pairs of a dataclass that ``encode`` writes: fields at their default
    are left out (the streaming writer walks the same pairs)."""
    out: list[tuple[str, Any]] = []
    cls: type = type(value)
    for f in init_fields(cls):
        item = getattr(value, f.name)
        if f.default is not _MISSING and _same(item, f.default):
            continue
        if f.default_factory is not _MISSING and _same(item, f.default_factory()):
            continue
        out.append((f.name, item))
    return out


# default_factory results that can be made once: ``_same(x, factory())`` is ``type(x) is
# factory and not x`` (an empty container equals only an empty one, without comparing items)
_EMPTY_FACTORIES = (tuple, list, dict, set, frozenset)


def default_test(f: dataclasses.Field[Any], i: int, scope: dict[str, Any]) -> str | None:
    """The expression, in ``item``, that is true when ``kept_fields`` leaves the field out (the
    names it uses are put in ``scope``, the generated function's globals)."""
    scope["_same"] = _same
    if f.default is not _MISSING:
        default = f.default
        if default is None:
            return "item is None"
        scope[f"_d{i}"], scope[f"_t{i}"] = default, type(default)
        if type(default) in (bool, int, float, str):
            return f"type(item) is _t{i} and item == _d{i}"
        if type(default) is tuple and not default:
            return "type(item) is tuple and not item"
        return f"_same(item, _d{i})"
    if f.default_factory is not _MISSING:
        scope[f"_f{i}"] = f.default_factory
        if any(f.default_factory is made for made in _EMPTY_FACTORIES):  # (a factory may not hash)
            return f"type(item) is _f{i} and not item"
        return f"_same(item, _f{i}())"
    return None


def decode(data: Any, hint: Any) -> Any:
    """Rebuild a value of type ``hint`` from ``encode``'s output."""
    return _decoder(hint)(data)


Decoder = Callable[[Any], Any]


def _identity(data: Any) -> Any:
    return data


@functools.cache
def _decoder(hint: Any) -> Decoder:
    """One decoding function per type, built once: thousands of variants decode fast."""
    if hint is Any or hint is object:
        return _identity
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if len(options) != 1:
            return _identity
        inner = _decoder(options[0])
        return lambda data: None if data is None else inner(data)
    if origin is typing.Literal:
        return _identity
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return _identity_tuple if item is _identity else lambda data: tuple(item(v) for v in data)
        parts = [_decoder(a) for a in args]
        return lambda data: tuple(d(v) for d, v in zip(parts, data, strict=True))
    if origin in (list, collections.abc.Sequence):
        item = _decoder(get_args(hint)[0])
        return lambda data: [item(v) for v in data]
    if origin is dict:
        value = _decoder((get_args(hint) or (Any, Any))[1])
        return lambda data: {k: value(v) for k, v in data.items()}
    if origin is np.ndarray or hint is np.ndarray:
        return lambda data: np.asarray(data, dtype=float)
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint
        if issubclass(hint, BaseModel):
            return hint.model_validate
        if dataclasses.is_dataclass(hint):
            return _dataclass_decoder(hint)
        if hint is float:
            return lambda data: float(data) if isinstance(data, int) and not isinstance(data, bool) else data
    return _identity


def _identity_tuple(data: Any) -> Any:
    return tuple(data)


def _dataclass_decoder(cls: type) -> Decoder:
    """The field decoders are resolved at the first value (a type may refer to itself); fields
    that need no decoding (str, int, bool, literals) are passed through without a call."""
    decoders: dict[str, Decoder | None] = {}

    def build(data: Any) -> Any:
        if not decoders:
            for name, hint in typing.get_type_hints(cls).items():
                made = _decoder(hint)
                decoders[name] = None if made is _identity else made
        kwargs = {}
        for name, value in data.items():
            field = decoders[name]
            kwargs[name] = value if field is None else field(value)
        return cls(**kwargs)

    return build


def decode_as(data: Any, cls: type[T]) -> T:
    """``decode`` with the result typed as ``cls``."""
    return typing.cast(T, decode(data, cls))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):  # a comparison that cannot say: keep the field
        return False


@functools.cache
def init_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    """The fields a value is made from (``init``), in declaration order."""
    return tuple(f for f in dataclasses.fields(cls) if f.init)
