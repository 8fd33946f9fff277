"""Fetching upstream files: streamed, retried, checksummed while they arrive.

A file is written under a temporary name and renamed only when complete, so an interrupted
build never leaves a half file that looks finished. HTTP 4xx is the operator's problem (wrong
URL or version: ``BundleError``, not retried); connection errors and 5xx/429 are retried with
backoff by ``DOWNLOAD_RETRY`` (an ``oncodrop.retry.RetryPolicy``, honouring ``Retry-After``)
and end as ``TransientError``. Local paths and ``file://`` URLs are
copied, which lets offline builds reuse files fetched elsewhere.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from oncodrop import __version__
from oncodrop.digest import file_sha256
from oncodrop.errors import BundleError, TransientError
from oncodrop.retry import RetryPolicy, parse_retry_after

_CHUNK = 1 << 20
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


# 0.5 s, 1 s, 2 s between four attempts; a server's Retry-After is honoured up to 8 s
DOWNLOAD_RETRY = RetryPolicy(attempts=4, backoff_s=0.5, max_backoff_s=8.0)


@dataclass(frozen=True, slots=True)
class Downloaded:
    url: str
    path: Path
    sha256: str
    bytes: int


def fetch(
    url: str,
    target: Path,
    *,
    policy: RetryPolicy = DOWNLOAD_RETRY,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded:
    """Fetch ``url`` to ``target`` and return its sha256 and size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return _copy_local(
            Path(unquote(parsed.path)) if parsed.scheme else Path(url), url, target
        )
    if parsed.scheme not in ("http", "https"):
        raise BundleError(
            f"cannot fetch {url!r}: only http(s), file:// and local paths are supported"
        )
    try:
        return policy.call(lambda: _stream(url, target, timeout), sleep=sleep)
    except TransientError as exc:
        raise TransientError(f"giving up on {url} after {policy.attempts} attempts: {exc.message}") from exc


def _stream(url: str, target: Path, timeout: float) -> Downloaded:
    partial = target.with_name(target.name + ".part")
    size = 0
    headers = {"User-Agent": f"oncodrop/{__version__} (refdata build)"}
    try:
        with httpx.stream(
            "GET", url, timeout=timeout, follow_redirects=True, headers=headers
        ) as resp:
            if resp.status_code in _RETRY_STATUS:
                raise TransientError(
                    f"HTTP {resp.status_code} from {url}",
                    retry_after_s=parse_retry_after(resp.headers.get("Retry-After")),
                )
            if resp.status_code >= 400:
                raise BundleError(
                    f"HTTP {resp.status_code} for {url}: check the source version or pass "
                    "--source-url NAME=URL"
                )
            with open(partial, "wb") as fh:
                for chunk in resp.iter_bytes(_CHUNK):
                    fh.write(chunk)
                    size += len(chunk)
    except httpx.TransportError as exc:  # connect, read, timeout, protocol
        partial.unlink(missing_ok=True)
        raise TransientError(
            f"{type(exc).__name__} while fetching {url}: {exc}"
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return Downloaded(url, target, file_sha256(target), size)


def _copy_local(source: Path, url: str, target: Path) -> Downloaded:
    if not source.is_file():
        raise BundleError(
            f"source file {source} does not exist (from --source-url {url!r})"
        )
    shutil.copyfile(source, target)
    return Downloaded(url, target, file_sha256(target), target.stat().st_size)
