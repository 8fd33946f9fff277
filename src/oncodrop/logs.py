"""Logging set-up: one handler on the root logger, secrets redacted from every record.

Secrets reach log records in many disguises (a webhook URL in an error message, a database
URL with a password, a presigned link). Redaction therefore runs as a ``logging.Filter`` on the
*handlers*, so it sees every record that will be written, whichever logger emitted it. The
rules are data (``_URL_RULES``) next to one small function (``redact``).

``capture_job_log`` gives a job its own ``run.log`` (shipped inside the output tarball) holding
only the records emitted by the job's thread, redacted the same way.
"""

from __future__ import annotations

import json as _json
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REDACTED = "***"

# (what it matches, what replaces it). Applied in order to every formatted record.
_URL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # credentials in a URL: scheme://user:password@host -> scheme://***@host
    (re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s:]+(?::[^/@\s]*)?@"), r"\g<scheme>***@"),
    # Slack incoming-webhook path: the path itself is the secret
    (re.compile(r"(?P<base>/services/)[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+"), r"\g<base>***"),
    # presigned S3 links: the signature and credential are bearer tokens
    (
        re.compile(r"(?P<name>X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s]+", re.IGNORECASE),
        r"\g<name>***",
    ),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every known secret value and every URL-borne credential in ``text``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _URL_RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with secrets removed.

    Attach to handlers, not loggers: logger filters do not see records propagated from
    child loggers.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = {s for s in secrets if s}
        self._lock = threading.Lock()

    def add_secret(self, value: str) -> None:
        """Register a value that must never be written (e.g. a token read at runtime)."""
        if value:
            with self._lock:
                self._secrets.add(value)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = tuple(self._secrets)
        record.msg = redact(record.getMessage(), secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        record.exc_info = None  # the redacted exc_text is what gets printed
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers; field names are stable."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _json.dumps(entry, ensure_ascii=False)


_TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_HANDLER_NAME = "oncodrop"
_filter = RedactingFilter()


def redacting_filter() -> RedactingFilter:
    """The process-wide filter, so callers can register secrets learned later."""
    return _filter


def configure_logging(
    level: str | int = "INFO",
    json: bool = False,
    *,
    secrets: Iterable[str] = (),
    stream: object | None = None,
) -> logging.Handler:
    """Install (or replace) oncodrop's single root handler; returns it.

    Idempotent: calling it again swaps the handler instead of stacking a second one.
    """
    for value in secrets:
        _filter.add_secret(value)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(stream)  # type: ignore[arg-type]
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_filter)
    handler.setFormatter(JsonFormatter() if json else logging.Formatter(_TEXT_FORMAT))
    # the handler keeps the level too: a job's run.log may lower a logger's level meanwhile
    handler.setLevel(level.upper() if isinstance(level, str) else level)
    root.addHandler(handler)
    root.setLevel(handler.level)
    return handler


class _ThreadFilter(logging.Filter):
    """Keeps only records emitted by one thread (the job's), so parallel jobs never mix logs."""

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self._thread_id = thread_id

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread == self._thread_id


@contextmanager
def capture_job_log(path: Path, logger_name: str = "oncodrop", level: int = logging.INFO) -> Iterator[Path]:
    """Write this thread's records from ``logger_name`` to ``path`` while the block runs.

    The records are redacted like everything else. Callers must log object keys only, never
    patient data; the file ships inside the output tarball.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(_ThreadFilter(threading.get_ident()))
    handler.addFilter(_filter)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    logger = logging.getLogger(logger_name)
    previous_level = logger.level
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        handler.close()
