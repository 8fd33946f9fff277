"""Admission and notification delivery with a hanging target (issue 10, part A).

Measures, on a SQLite ledger in a temp dir:

1. admission of N objects (90 % good keys, 10 % bad keys, one ``Ledger.admit_object``
   transaction each) with no notifier running;
2. the same while a notifier loop delivers to a target that never answers (request timeout 2 s)
   and to a healthy one, in the same process;
3. notifications per second the loop delivers to the healthy local target alone.

Run: ``python benchmarks/admission.py [--objects 300]``.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from oncodrop.events.admission import admit
from oncodrop.ledger import Ledger
from oncodrop.notify import NotifierLoop, SlackNotifier, WebhookNotifier
from oncodrop.retry import RetryPolicy
from oncodrop.store.base import ObjectInfo


def _server(hang: bool) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if hang:
                time.sleep(3600)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def _admit_all(ledger: Ledger, n: int, tag: str) -> float:
    now = datetime.now(UTC)
    start = time.perf_counter()
    for i in range(n):
        key = f"bad key {tag} {i}.tar.gz" if i % 10 == 0 else f"{tag}-{i:06d}-somatic.tar.gz"
        admit(ObjectInfo(key=key, size=10, etag=f"e{i}", modified=now), store_url="file:///b", ledger=ledger)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=300)
    n = parser.parse_args().objects
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger.open(f"sqlite:///{Path(tmp) / 'ledger.db'}")
        quiet = _admit_all(ledger, n, "quiet")
        _, hang_url = _server(hang=True)
        _, ok_url = _server(hang=False)
        loop = NotifierLoop(ledger, [SlackNotifier(hang_url, timeout_s=2), WebhookNotifier(ok_url, timeout_s=2)],
                            RetryPolicy(attempts=50, backoff_s=0.5, max_backoff_s=2), timeout_s=2)  # fmt: skip
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop, 0.1), daemon=True)
        thread.start()
        hanging = _admit_all(ledger, n, "hang")
        stop.set()
        loop.close()
        print(f"admission of {n} objects, no notifier:          {quiet:.2f} s ({1000 * quiet / n:.1f} ms each)")
        print(f"admission of {n} objects, notifier on a hang:   {hanging:.2f} s ({1000 * hanging / n:.1f} ms each)")
        ledger.close()
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger.open(f"sqlite:///{Path(tmp) / 'ledger.db'}")
        _admit_all(ledger, n, "rate")  # n/10 rejections = n/10 notifications
        pending = ledger.pending_notifications()
        _, ok_url = _server(hang=False)
        loop = NotifierLoop(ledger, [WebhookNotifier(ok_url)], RetryPolicy(), concurrency=4)
        start = time.perf_counter()
        while loop.run_once():
            pass
        took = time.perf_counter() - start
        loop.close()
        print(f"delivery of {pending} notifications to a local webhook: {took:.2f} s ({pending / took:.0f}/s)")
        ledger.close()


if __name__ == "__main__":
    main()
