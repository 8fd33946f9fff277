"""A real HTTP server on 127.0.0.1 playing the EC2 instance metadata service (IMDSv2 only).

``PUT /latest/api/token`` with a TTL header returns a token; every ``GET`` must carry it
(401 otherwise, as with ``HttpTokens: required``). ``/latest/meta-data/spot/instance-action``
answers 404 until a notice is published, either by ``publish()`` or automatically after
``notice_after`` polls.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NOTICE = {"action": "terminate", "time": "2026-11-25T13:02:00Z"}


@dataclass
class FakeImds:
    notice_after: int | None = None  # publish the notice on this poll (1-based); None: only publish()
    notice: dict[str, str] | None = None
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    notice_polls: int = 0
    unauthorised: int = 0
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def publish(self, notice: dict[str, str] = NOTICE) -> None:
        with self.lock:
            self.notice = notice

    def revoke_tokens(self) -> None:
        """As if IMDS restarted: every token handed out so far is refused."""
        with self.lock:
            self.tokens.clear()


def _handler(imds: FakeImds) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                self._answer(400, "")
                return
            token = secrets.token_urlsafe(16)
            with imds.lock:
                imds.tokens.add(token)
                imds.token_requests += 1
            self._answer(200, token)

        def do_GET(self) -> None:
            with imds.lock:
                if self.headers.get("X-aws-ec2-metadata-token") not in imds.tokens:
                    imds.unauthorised += 1
                    status, body = 401, ""
                elif self.path != "/latest/meta-data/spot/instance-action":
                    status, body = 404, ""
                else:
                    imds.notice_polls += 1
                    if imds.notice_after is not None and imds.notice_polls >= imds.notice_after:
                        imds.notice = imds.notice or NOTICE
                    status, body = (200, json.dumps(imds.notice)) if imds.notice else (404, "")
            self._answer(status, body)

        def _answer(self, status: int, body: str) -> None:
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def serve_imds(imds: FakeImds) -> Iterator[FakeImds]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(imds))
    imds.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield imds
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
