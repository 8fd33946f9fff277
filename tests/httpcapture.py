"""A real HTTP server on 127.0.0.1 that records what notifiers post to it."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    content_type: str
    body: Any
    at: float
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class CaptureServer:
    """Answers each POST with the next status in ``statuses`` (then 200) after ``delay_s``;
    ``headers[status]`` are sent along with that status (e.g. ``{429: {"Retry-After": "1"}}``).
    While ``gate`` is cleared, every request hangs until it is set (a target that hangs).
    ``answered`` lists each request with the status it got, once that answer went to a client
    still waiting for it; a request whose client hung up first (timed out, or was killed) is not
    answered: it was never delivered."""

    statuses: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    headers: dict[int, dict[str, str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    answered: list[tuple[Received, int]] = field(default_factory=list)
    port: int = 0
    gate: threading.Event = field(default_factory=lambda: _open_gate())

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _open_gate() -> threading.Event:
    gate = threading.Event()
    gate.set()
    return gate


def _handler_for(capture: CaptureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            received = Received(self.path, self.headers.get("Content-Type", ""), json.loads(raw), time.monotonic(),
                                dict(self.headers.items()))  # fmt: skip
            capture.received.append(received)
            if capture.delay_s:
                time.sleep(capture.delay_s)
            capture.gate.wait()
            status = capture.statuses.pop(0) if capture.statuses else 200
            body = b"ok"
            if _client_gone(self.connection):
                return
            try:
                self.send_response(status)
                for name, value in capture.headers.get(status, {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                capture.answered.append((received, status))
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            return

    return Handler


def _client_gone(conn: socket.socket) -> bool:
    """True when the client closed its end (gave up waiting, or its process died)."""
    readable, _, _ = select.select([conn], [], [], 0)
    if not readable:
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


@pytest.fixture
def http_capture() -> Iterator[CaptureServer]:
    yield from _serve(CaptureServer())


@pytest.fixture
def second_capture() -> Iterator[CaptureServer]:
    yield from _serve(CaptureServer())


def _serve(capture: CaptureServer) -> Iterator[CaptureServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(capture))
    server.daemon_threads = True
    capture.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield capture
    finally:
        capture.gate.set()  # let hanging handlers finish
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
