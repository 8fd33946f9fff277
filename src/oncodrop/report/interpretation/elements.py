"""One element's JSON text (a variant, a call), written straight from the value.

The interpretation input is ``json.dumps(encode(value), separators=(",", ":"), sort_keys=True)``
(``stream``), and each of a report's variants and calls is one element of it. Building
``encode``'s dicts and then having the JSON encoder sort their keys cost ~0.9 s at 100k
variants, even with the dicts made by generated code. Here each dataclass type gets one function, generated at its first value, that
writes the text itself: fields in sorted order (what ``sort_keys`` gives: field names are
ASCII identifiers), left out at their default (``codec.default_test``, as ``kept_fields``),
each value's text by its exact type as the JSON encoder writes it. Any other value (a dict, a
pydantic model, a numpy array: one dict in a report) goes through ``encode`` and the encoder. Tests hold the
text equal to ``json.dumps`` of ``encode`` on real reports and on each kind of value.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from enum import Enum
from typing import Any

from oncodrop.report.interpretation.codec import default_test, encode, init_fields

# json.dumps(obj, separators=(",", ":"), sort_keys=True) builds exactly this encoder
ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True)
_escape: Callable[[str], str] = json.encoder.encode_basestring_ascii  # the encoder's own (ensure_ascii)


def _one_shot(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """``encoder.encode`` without its per-call set-up. ``encode`` makes a new C encoder
    (``_json.make_encoder``) from its settings at every call: a fifth of the time of dumping
    one variant. This makes it once, from the same settings, as ``JSONEncoder.iterencode``
    does (without the circular reference check: our elements are trees of frozen values), so
    the text is the same (a test holds them equal on real reports)."""
    try:
        from _json import make_encoder
    except ImportError:  # a Python without the C accelerator: json's own path
        return encoder.encode
    if encoder.indent is not None or not encoder.ensure_ascii:  # json's pure-Python path, or another escape
        return encoder.encode
    made = make_encoder(None, encoder.default, json.encoder.encode_basestring_ascii, None, encoder.key_separator,
                        encoder.item_separator, encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)  # fmt: skip

    def dump(value: Any) -> str:
        return "".join(made(value, 0))

    return dump


dump_data = _one_shot(ENCODER)
"""JSON data (``encode``'s output) as ``ENCODER`` writes it."""


class _Writers(dict[type, Callable[[Any], str]]):
    """One text function per exact type, made at the type's first value."""

    def __missing__(self, cls: type) -> Callable[[Any], str]:
        writer = self[cls] = _writer(cls)
        return writer


_WRITERS = _Writers()


def element_json(value: Any) -> str:
    """``json.dumps(encode(value), separators=(",", ":"), sort_keys=True)``."""
    return _WRITERS[type(value)](value)


def _writer(cls: type) -> Callable[[Any], str]:
    """What the encoder writes for ``encode`` of a value of exactly this type (``encode``'s
    branches depend on the type alone: an enum is its value, a tuple or list an array)."""
    if issubclass(cls, Enum):
        return _enum
    if cls is bool:
        return _BOOLEAN.__getitem__
    if cls is type(None):
        return _null
    if issubclass(cls, str):
        return _escape
    if issubclass(cls, int):
        return int.__repr__
    if issubclass(cls, float):
        return _float
    if dataclasses.is_dataclass(cls):
        return _dataclass_writer(cls)
    if cls is tuple or cls is list:
        return _array
    return _encoded


_BOOLEAN = {True: "true", False: "false"}


def _null(_: None) -> str:
    return "null"


def _float(value: float) -> str:
    """As the encoder writes a float (``allow_nan``: NaN and the infinities by name)."""
    if math.isfinite(value):
        return float.__repr__(value)
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def _enum(value: Enum) -> str:
    item = value.value
    return _WRITERS[type(item)](item)


def _array(value: tuple[Any, ...] | list[Any]) -> str:
    for item in value:
        if type(item) is not str:
            writers = _WRITERS
            return "[" + ",".join([writers[type(item)](item) for item in value]) + "]"
    return "[" + ",".join(map(_escape, value)) + "]"  # (most are: alleles, terms, effects)


def _encoded(value: Any) -> str:
    return dump_data(encode(value))


def _dataclass_writer(cls: type) -> Callable[[Any], str]:
    """The text of one dataclass type as straight-line code: per field, in sorted order, read
    it, skip it when at its default, else write ``"name":`` and its value's text."""
    scope: dict[str, Any] = {"_W": _WRITERS}
    lines = ["def write_fields(value):", "    parts = []"]
    fields = {f.name: (i, f) for i, f in enumerate(init_fields(cls))}
    for name in sorted(fields):
        i, f = fields[name]
        store = f"parts.append({_escape(name) + ':'!r} + _W[type(item)](item))"
        lines.append(f"    item = value.{name}")
        skip = default_test(f, i, scope)
        lines += [f"    if not ({skip}):", f"        {store}"] if skip else [f"    {store}"]
    lines.append('    return "{" + ",".join(parts) + "}"')
    exec("\n".join(lines), scope)  # noqa: S102 - our own text: field names and the lines above
    write_fields: Callable[[Any], str] = scope["write_fields"]
    write_fields.__qualname__ = f"write_fields[{cls.__qualname__}]"
    return write_fields
