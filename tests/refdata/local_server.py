"""A throwaway HTTP file server on 127.0.0.1 for download and build tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class FileServer:
    """A local HTTP server over ``root``; ``failures[path] = n`` answers 503 n times first
    (``failure_status``), with ``failure_headers`` (e.g. ``Retry-After``)."""

    root: Path
    url: str = ""
    failures: dict[str, int] = field(default_factory=dict)
    failure_status: int = 503
    failure_headers: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class _Handler(SimpleHTTPRequestHandler):
    server_state: FileServer

    def do_GET(self) -> None:
        state = self.server_state
        state.requests.append(self.path)
        if state.failures.get(self.path, 0) > 0:
            state.failures[self.path] -= 1
            body = b"try again"
            self.send_response(state.failure_status)
            for name, value in state.failure_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def serve(root: Path) -> Iterator[FileServer]:
    """Serve ``root`` on 127.0.0.1 (ephemeral port) until the block ends."""
    state = FileServer(root)
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(root))
    )
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
