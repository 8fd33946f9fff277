"""Reading the sample config TOML: our own layout, or a PCGR TOML translated into it.

Our layout is strict on purpose: an unknown key is a typo until proven otherwise, so it is
rejected with the nearest known key; a wrong type names the field and the type it needs. All
problems of a file are reported at once. PCGR files are recognised by their sections and handed
to ``oncodrop.intake.pcgr_toml``.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from oncodrop.intake.pcgr_toml import is_pcgr, translate_pcgr
from oncodrop.intake.toml_source import TomlSource
from oncodrop.sampleconfig import SampleConfig

# SampleConfig fields a user may not set: oncodrop fills them in
_DERIVED = ("source_format", "notes")


def load_config(path: Path, *, sample_id_default: str) -> SampleConfig:
    """Validate ``path`` into a SampleConfig; ``sample.id`` defaults to ``sample_id_default``.

    Raises InputRejected("bad_config") naming the file, line and field.
    """
    source = TomlSource.read(path)
    config = translate_pcgr(source) if is_pcgr(source.data) else parse_own(source)
    if config.sample.id is None:
        sample = config.sample.model_copy(update={"id": sample_id_default})
        config = config.model_copy(update={"sample": sample})
    return config


def sections() -> dict[str, type[BaseModel]]:
    """Our layout: section name -> its model (the SampleConfig fields a user may set)."""
    return {
        name: typing.cast(type[BaseModel], field.annotation)
        for name, field in SampleConfig.model_fields.items()
        if name not in _DERIVED
    }


def parse_own(source: TomlSource) -> SampleConfig:
    """Validate a TOML in our own layout, reporting every problem at once."""
    known = sections()
    problems: list[tuple[str, str | None, str]] = []
    for name, value in source.data.items():
        if not isinstance(value, dict):
            home = [s for s, model in known.items() if name in model.model_fields]
            where = f"put it under [{home[0]}]" if home else "keys must sit inside a section"
            problems.append(("", name, f"key {name!r} is outside any section; {where}"))
        elif name not in known:
            problems.append((name, None, f"unknown section [{name}]{_hint(name, known)}"))
    if not problems:
        try:
            return SampleConfig.model_validate(source.data)
        except ValidationError as exc:
            problems = [_explain(error, known) for error in exc.errors()]
    section, key, _ = problems[0]
    listed = "; ".join(message for _, _, message in problems)
    raise source.reject(f"{listed}. See docs/config.md for the layout.", section, key)


def _explain(error: Any, known: dict[str, type[BaseModel]]) -> tuple[str, str | None, str]:
    """One pydantic error as (section, key, message) in the user's words."""
    loc = [str(part) for part in error["loc"]]
    section, key = loc[0], (loc[1] if len(loc) > 1 else None)
    model = known.get(section)
    if key is None or model is None:
        return section, key, f"[{section}]: {error['msg']}"
    fields = model.model_fields
    if error["type"] == "extra_forbidden":
        return section, key, f"unknown key {key!r} in [{section}]{_hint(key, fields)}"
    got = error.get("input")
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        # a validator of ours refused the value and said why (e.g. "Did you mean 'Breast'?"):
        # its words alone, not a type the value already has
        return section, key, f"[{section}] {key} = {got!r}: {error['ctx']['error']}"
    expected = _type_name(fields[key].annotation) if key in fields else "?"
    return section, key, f"[{section}] {key} = {got!r}: expected {expected} ({error['msg']})"


def _hint(word: str, choices: typing.Iterable[str]) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _type_name(annotation: Any) -> str:
    """``float | None`` -> "a number or nothing (omit the key)"; readable to a non-programmer."""
    words = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = " or ".join(_type_name(a) for a in parts)
        return (
            f"{inner} (or omit the key)" if len(parts) < len(typing.get_args(annotation)) else inner
        )
    if origin is tuple:
        return "a list of strings"
    return words.get(annotation, getattr(annotation, "__name__", str(annotation)))
