"""A parsed TOML file that remembers its text, so every complaint can name the line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncodrop.errors import InputRejected, ReasonCode

_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_TOML_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class TomlSource:
    """The config file's name (for messages), its text and its parsed tables."""

    name: str
    text: str
    data: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> TomlSource:
        """Parse ``path``; InputRejected("bad_config") naming the line of a syntax error."""
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputRejected(
                ReasonCode.BAD_CONFIG,
                f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                file=path.name,
            ) from exc
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            raise InputRejected(
                ReasonCode.BAD_CONFIG,
                f"{path.name} is not valid TOML: {exc}",
                file=path.name,
                line=int(found.group(1)) if found else None,
            ) from exc
        return cls(path.name, text, data)

    def line_of(self, section: str, key: str | None = None) -> int | None:
        """1-based line of ``[section]`` (or of ``key`` inside it), None if not found."""
        current = ""  # top-level keys come before any header
        key_pattern = re.compile(rf"^\s*{re.escape(key)}\s*=") if key else None
        for number, line in enumerate(self.text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                current = header.group(1).strip("\"' ")
                if key_pattern is None and current == section:
                    return number
            elif key_pattern and current == section and key_pattern.match(line):
                return number
        return None

    def reject(self, message: str, section: str, key: str | None = None) -> InputRejected:
        """A ``bad_config`` rejection pointing at ``[section] key`` in this file."""
        line = self.line_of(section, key)
        where = f"{self.name}" + (f" line {line}" if line else "")
        field = ".".join(part for part in (section, key) if part)
        return InputRejected(
            ReasonCode.BAD_CONFIG, f"{where}: {message}", file=self.name, line=line, field=field
        )
