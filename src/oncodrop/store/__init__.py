"""Object stores: ``open_store(url)`` picks the backend from the URL scheme.

To add a backend (e.g. ``s3://``), add one row to ``_BACKENDS``: scheme -> "module:function",
where ``function(url: str, aws: AwsSettings | None) -> ObjectStore``. The module is imported only when used, so boto3
stays optional.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlsplit

from oncodrop.errors import ConfigError
from oncodrop.settings import AwsSettings
from oncodrop.store.base import ObjectInfo, ObjectStore
from oncodrop.store.local import LocalStore

_BACKENDS: dict[str, str] = {
    "file": "oncodrop.store:open_local",
    "s3": "oncodrop.store.s3:open_s3",
}


def open_local(url: str, aws: AwsSettings | None = None) -> ObjectStore:
    """``file:///abs/folder`` -> ``LocalStore`` on that folder."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise ConfigError(f"store URL {url!r} must look like file:///absolute/folder")
    return LocalStore(Path(unquote(parts.path)))


def open_store(url: str, aws: AwsSettings | None = None) -> ObjectStore:
    """The store behind ``url`` (``file:///...`` or ``s3://bucket/prefix``); ``aws`` is the
    ``[aws]`` settings an S3 store uses (endpoint, encryption; None: the defaults)."""
    scheme = urlsplit(url).scheme
    target = _BACKENDS.get(scheme)
    if target is None:
        raise ConfigError(
            f"store URL {url!r} has unsupported scheme {scheme!r}; use one of "
            + ", ".join(f"{s}://" for s in _BACKENDS)
        )
    module_name, func_name = target.split(":")
    try:
        opener = getattr(import_module(module_name), func_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"the {scheme}:// store backend is not available here: {exc}") from exc
    return cast(Callable[[str, AwsSettings | None], ObjectStore], opener)(url, aws)


__all__ = ["ObjectInfo", "ObjectStore", "open_store"]
