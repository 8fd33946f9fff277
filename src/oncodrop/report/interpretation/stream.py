"""Write the interpretation input as gzip'd JSON piece by piece, never as one string.

At 1M variants ``json.dumps`` of the whole input held the encoded dicts of every variant and
then one string of several hundred MB at once (the report's peak memory roughly doubled). Here
dataclasses are walked field by field and long sequences element by element: each element is
encoded and dumped alone and its text goes straight into the gzip stream. The text is the
same, byte for byte, as ``json.dumps(encode(value), separators=(",", ":"), sort_keys=True)``
(a test holds them equal on real reports): same encoder settings, keys in sorted order,
fields at their default left out as ``codec.encode`` leaves them out. Elements are encoded by
``codec.fast_encode``, which gives ``encode``'s data at a fraction of its cost.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncodrop.report.interpretation.codec import fast_encode, kept_fields

# json.dumps(obj, separators=(",", ":"), sort_keys=True) builds exactly this encoder
_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True)
_dump = _ENCODER.encode


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


_dump_element = _one_shot(_ENCODER)


@dataclass(frozen=True, slots=True)
class EncodedArray:
    """A JSON array given as its elements' texts (each ``encode``d and dumped already, e.g.
    spilled to disk as they were made); streamed as is."""

    texts: Iterable[str]


@dataclass(frozen=True, slots=True)
class Patched:
    """A dataclass value streamed with some fields replaced (e.g. by an ``EncodedArray``)."""

    value: Any
    fields: Mapping[str, Any]


def iter_json(value: Any, extra: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The JSON text of ``encode(value)`` (plus ``extra`` top-level keys) in pieces: one per
    field name, one per element of a sequence; a dataclass field is itself walked."""
    if isinstance(value, Patched):  # (our own dataclasses: before the generic branch)
        yield from iter_json(value.value, {**value.fields, **(extra or {})})
    elif isinstance(value, EncodedArray):
        yield "["
        for i, text in enumerate(value.texts):
            yield ("," if i else "") + text
        yield "]"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields: dict[str, Any] = dict(kept_fields(value))
        fields.update(extra or {})
        yield "{"
        for i, name in enumerate(sorted(fields)):
            yield ("," if i else "") + _dump(name) + ":"
            yield from iter_json(fields[name])
        yield "}"
    elif isinstance(value, (tuple, list)):
        yield "["
        for i, item in enumerate(value):
            yield ("," if i else "") + _dump_element(fast_encode(item))
        yield "]"
    else:
        yield _dump_element(fast_encode(value))


def element_json(item: Any) -> str:
    """One element's text as ``iter_json`` writes it inside an array."""
    return _dump_element(fast_encode(item))


def write_json_gz(target: io.BufferedIOBase | Any, value: Any, extra: Mapping[str, Any] | None = None) -> None:
    """Stream ``value`` as compact JSON into a gzip member on ``target`` (a binary file):
    level 6, no time and no file name in the header, so the same input gives the same bytes."""
    with (
        gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=target, mtime=0) as gz,
        io.TextIOWrapper(gz, encoding="utf-8", newline="") as text,
    ):
        text.writelines(iter_json(value, extra))


def write_json_gz_file(path: Path, value: Any, extra: Mapping[str, Any] | None = None) -> Path:
    with path.open("wb") as out:
        write_json_gz(out, value, extra)
    return path
