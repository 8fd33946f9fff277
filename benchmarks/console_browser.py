"""The dashboard in real Chromium with 10,000 samples in a SQLite ledger (issue 14 targets:
dashboard first paint <= 1 s; a state change reaches an open dashboard within 1 s).

The ledger is seeded by ``console.py``'s ``seed`` (the same ledger as the API benchmark); the
real console runs as its own process (``oncodrop web``), and a viewer logs in through the login
form. Each run then opens the dashboard (``/``) in a fresh browser context carrying that
session, so nothing is cached, and reads from the page itself:

* **FCP**: ``first-contentful-paint`` from ``performance.getEntriesByType('paint')``;
* **rows in DOM**: when ``document.querySelector('#samples tbody tr td')`` first finds a cell
  (a MutationObserver installed before the page's first byte), and **rows painted**: the
  ``renderTime`` of that first cell, marked ``elementtiming`` by the observer before it can be
  painted (Element Timing API, the same clock and paint notion as FCP);
* **TTFB**: the navigation's ``responseStart`` (the server's share);

all in ms from the navigation's start. With the page still open and its live stream connected
(``#live`` reads "live"), the script changes the ledger through the ``Ledger`` API as intake and
a worker do: a new sample is admitted (a new QUEUED row), a worker claims it (RUNNING) and
succeeds (SUCCEEDED). Each change is preceded by a random pause of 0-1 s so it lands at any
phase of the server's ledger look; its latency is from ``time.time()`` taken just before the
ledger call to ``Date.now()`` in the page when a MutationObserver sees the row in that state
(both read the host's system clock; the script checks that they agree).

Run: ``PYTHONPATH=src python benchmarks/console_browser.py [--samples 10000] [--runs 10]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from console import seed, seeded_settings  # benchmarks/ is the script's folder: on sys.path
from playwright.sync_api import Browser, Page, sync_playwright

import oncodrop
from oncodrop.domain.access import Role
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import CHROMIUM, CHROMIUM_ARGS  # the tests' Debian chromium and its flags

USER, PASSWORD = "watcher", "a long enough password"
TARGET_MS = 1000.0
WAIT_MS = 30_000  # a change or a paint not seen in this long is a failure, not a slow number

# Installed before any page script: when the table first holds a row, and a way to wait for one
# row (by key) to show one state. Times: performance.now() for the load, Date.now() for changes.
PROBE = """(() => {
  const b = window.__bench = {rowsDom: null, rowsPainted: null, hit: null};
  const cell = () => document.querySelector('#samples tbody tr td');
  const first = new MutationObserver(() => {
    if (b.rowsDom !== null || !cell()) return;
    b.rowsDom = performance.now();
    first.disconnect();
    cell().setAttribute('elementtiming', 'first-row');  // before it can be painted
  });
  first.observe(document, {childList: true, subtree: true});
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.identifier === 'first-row') b.rowsPainted = e.renderTime;
  }).observe({type: 'element', buffered: true});
  window.__arm = (key, state) => {
    b.hit = null;
    const body = document.querySelector('#samples tbody');
    const shows = () => [...body.rows].some((tr) => tr.querySelector('a')?.textContent === key
      && tr.querySelector('td.state')?.textContent.trim() === state);
    if (shows()) throw new Error(key + ' already shows ' + state);
    const watch = new MutationObserver(() => {
      if (!shows()) return;
      const dom = Date.now();
      watch.disconnect();
      requestAnimationFrame(() => { b.hit = {dom: dom, frame: Date.now()}; });
    });
    watch.observe(body, {childList: true, subtree: true, characterData: true});
  };
})();"""


@dataclass(frozen=True, slots=True)
class Load:
    """One fresh-context load of the dashboard, ms from the navigation's start."""

    ttfb: float
    fcp: float
    rows_dom: float
    rows_painted: float
    rows: int


@dataclass(frozen=True, slots=True)
class Change:
    """One ledger change and when the open page showed it, ms after the timestamp taken just
    before the ledger call (``commit`` is the call itself)."""

    what: str
    commit: float
    dom: float
    frame: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def console_process(settings: Settings, log: Path) -> Iterator[str]:
    """``oncodrop web`` on a free loopback port, until it answers its health check."""
    port = free_port()
    src = str(Path(oncodrop.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCODROP_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "oncodrop", "web", "--db", settings.db, "--store", settings.store,
           "--port", str(port)]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"oncodrop web exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the console never answered:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def log_in(browser: Browser, url: str) -> Any:
    """The viewer's session (cookies), logged in through the form as a person does."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/")
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#who")
    state = context.storage_state()
    context.close()
    return state


def load(page: Page, url: str) -> Load:
    page.goto(f"{url}/")
    page.wait_for_function("""() => window.__bench.rowsPainted !== null
        && performance.getEntriesByName('first-contentful-paint').length > 0""", timeout=WAIT_MS)  # fmt: skip
    got = page.evaluate("""() => ({
        ttfb: performance.getEntriesByType('navigation')[0].responseStart,
        fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
        rows_dom: window.__bench.rowsDom, rows_painted: window.__bench.rowsPainted,
        rows: document.querySelectorAll('#samples tbody tr').length})""")  # fmt: skip
    return Load(**got)


def check_clocks(page: Page) -> None:
    """Page ``Date.now()`` and ``time.time()`` must read the same clock for the latencies."""
    before = time.time()
    page_now = page.evaluate("Date.now()") / 1000
    after = time.time()
    if not before - 0.002 <= page_now <= after + 0.002:
        raise SystemExit(f"page clock {page_now:.3f} is not between {before:.3f} and {after:.3f}")


def changes(page: Page, ledger: Ledger, store_url: str, run: int, rng: random.Random) -> list[Change]:
    """Admit a new sample, claim it, succeed it; each change timed to its row on the page."""
    page.wait_for_function("() => document.getElementById('live').textContent === 'live'", timeout=WAIT_MS)
    check_clocks(page)
    sample_id = f"live{run}-{run:06x}"
    key = f"{sample_id}-somatic.tar.gz"
    record_id = 0
    worker = f"bench-worker-{run}"

    def admit() -> None:
        nonlocal record_id
        record_id = ledger.admit_object(store_url, key, f"e{run}", 1, "somatic", sample_id, None)[0].id

    def claim() -> None:
        if ledger.claim_specific(record_id, worker, 600) is None:
            raise SystemExit(f"{key} could not be claimed")

    def succeed() -> None:
        ledger.succeed(record_id, worker, f"{sample_id}-output.tar.gz", None)

    out = []
    for what, state, act in (("new sample", "QUEUED", admit), ("claimed", "RUNNING", claim),
                             ("succeeded", "SUCCEEDED", succeed)):  # fmt: skip
        time.sleep(rng.uniform(0.0, 1.0))
        page.evaluate("([key, state]) => window.__arm(key, state)", [key, state])
        t0 = time.time()
        act()
        t1 = time.time()
        page.wait_for_function("() => window.__bench.hit !== null", timeout=WAIT_MS)
        hit = page.evaluate("window.__bench.hit")
        out.append(Change(what, (t1 - t0) * 1000, hit["dom"] - t0 * 1000, hit["frame"] - t0 * 1000))
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def row(name: str, values: list[float], target: str = "") -> str:
    return (f"| {name} | {statistics.median(values):.0f} ms | {p95(values):.0f} ms | {max(values):.0f} ms | "
            f"{len(values)} | {target} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=10_000, help="samples in the ledger (default 10000)")
    parser.add_argument("--runs", type=int, default=10, help="fresh-context dashboard loads (default 10)")
    parser.add_argument("--seed", type=int, default=14, help="seed of the random pauses before changes")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"Debian chromium is not installed at {CHROMIUM} (`apt-get install chromium`)")
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="console-browser-"))
    settings = seeded_settings(root)
    print(f"{platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}; {_uptime()}")
    with Ledger.open(settings.db) as ledger:
        print(f"seeded {args.samples} samples in {seed(ledger, settings.store, args.samples):.1f} s; {_uptime()}")
        access.set_account(ledger.engine, ledger.now(), USER, PASSWORD, Role.VIEWER)
        loads: list[Load] = []
        moves: list[Change] = []
        with console_process(settings, root / "web.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            session = log_in(browser, url)
            for run in range(args.runs):
                context = browser.new_context(storage_state=session, viewport={"width": 1280, "height": 900})
                context.add_init_script(PROBE)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                got = load(page, url)
                done = changes(page, ledger, settings.store, run, rng)
                context.close()
                if errors:
                    raise SystemExit(f"run {run}: page errors {errors}")
                loads.append(got)
                moves.extend(done)
                print(f"run {run}: ttfb {got.ttfb:.0f} fcp {got.fcp:.0f} rows dom {got.rows_dom:.0f} "
                      f"painted {got.rows_painted:.0f} ms ({got.rows} rows); live "
                      + ", ".join(f"{c.what} {c.dom:.0f}" for c in done) + " ms")  # fmt: skip
            browser.close()
    print(f"\n{args.samples} samples, {args.runs} runs; {_uptime()}")
    print("| measure | median | p95 | max | n | target |\n|---|---|---|---|---|---|")
    print(row("TTFB (responseStart)", [x.ttfb for x in loads]))
    print(row("first-contentful-paint", [x.fcp for x in loads], "≤ 1000 ms"))
    print(row("rows in DOM (`#samples tbody tr td`)", [x.rows_dom for x in loads]))
    print(row("rows painted (Element Timing)", [x.rows_painted for x in loads], "≤ 1000 ms"))
    for what in ("new sample", "claimed", "succeeded"):
        print(row(f"live: {what} (row in DOM)", [c.dom for c in moves if c.what == what]))
    print(row("live: any change (row in DOM)", [c.dom for c in moves], "≤ 1000 ms"))
    print(row("live: any change (next rAF)", [c.frame for c in moves], "≤ 1000 ms"))
    print(row("ledger call (commit)", [c.commit for c in moves]))


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


if __name__ == "__main__":
    main()
