"""Store URL helpers shared by the CLI and the service."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


def absolute_store_url(url: str) -> str:
    """``file://./bucket`` or a bare path -> ``file:///abs/bucket``; other schemes unchanged."""
    parts = urlsplit(url)
    if parts.scheme == "":
        return Path(url).resolve().as_uri()
    if parts.scheme != "file":
        return url
    path = unquote(parts.netloc + parts.path) if parts.netloc not in ("", "localhost") else unquote(parts.path)
    return Path(path).resolve().as_uri()
