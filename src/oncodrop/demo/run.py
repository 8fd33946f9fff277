"""Run the whole embedded flow on demo samples and check that it did what it should.

Exit status 0 only when every good sample SUCCEEDED (with an output tarball holding the report
files) and every broken one was REJECTED with a reason.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.login import console_login, print_console_login
from oncodrop.demo.samples import DemoSample, make_demo_samples
from oncodrop.domain.sample import SampleRecord
from oncodrop.service.embedded import EmbeddedService, all_terminal
from oncodrop.settings import Settings
from oncodrop.store.base import ObjectStore
from oncodrop.store.local import LocalStore

REPORT_FILES = ("report.html", "provenance.json")
_FRESH = ("bucket", "inbox", "reports", "work", "oncodrop.db", "oncodrop.db-wal", "oncodrop.db-shm")


@dataclass(frozen=True, slots=True)
class DemoResult:
    ok: bool
    problems: tuple[str, ...]
    reports: tuple[Path, ...]


def run_demo(workdir: Path | None, *, workers: int = 2, timeout_s: float = 300, console: Console | None = None) -> int:
    """The embedded demo; when it passed in a kept ``workdir``, it ends with the console's URL
    and a one-time login to look at its samples there."""
    console = console or Console()
    code = in_workdir(workdir, console, lambda root: _run(root, workers, timeout_s, console))
    if code == 0 and workdir is not None:
        print_console_login(console, console_login(workdir.resolve()))
    return code


def in_workdir(workdir: Path | None, console: Console, run: Callable[[Path], DemoResult]) -> int:
    """Run a demo in ``workdir`` (or a temporary folder), print its verdict, return the exit code."""
    started = time.monotonic()
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="oncodrop-demo-") as tmp:
            result = run(Path(tmp))
            console.print("[dim](temporary workdir: removed on exit; pass --workdir DIR to keep it)[/dim]")
    else:
        result = run(workdir.resolve())
    for problem in result.problems:
        console.print(f"[red]✗ {problem}[/red]")
    if result.ok:
        console.print(f"[green]✓ demo passed in {time.monotonic() - started:.0f} s: good samples SUCCEEDED, "
                      "broken ones REJECTED with reasons[/green]")  # fmt: skip
    return 0 if result.ok else 1


def fresh_root(root: Path) -> None:
    """A re-run starts from an empty bucket and ledger; the bundle is reused."""
    root.mkdir(parents=True, exist_ok=True)
    for name in _FRESH:
        target = root / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _run(root: Path, workers: int, timeout_s: float, console: Console) -> DemoResult:
    fresh_root(root)
    with progress_bar(console) as progress:
        task = progress.add_task("building the demo reference bundle (offline)", total=None)
        bundle = build_demo_bundle(root / "bundle")
        progress.update(task, description="generating demo tarballs")
        samples = make_demo_samples(root / "inbox", bundle)
        progress.update(task, description="starting the embedded service")
        settings = Settings.load(
            None, store=(root / "bucket").as_uri(), db=f"sqlite:///{root / 'oncodrop.db'}", bundle=bundle,
            workers=workers, poll_interval=0.5, lease_s=30, job_timeout_s=600, workdir=root / "work",
        )  # fmt: skip
        (root / "bucket").mkdir()
        (root / "work").mkdir(mode=0o700)
        store = LocalStore(root / "bucket")
        with EmbeddedService(settings, settle_s=0.5) as service:
            finished, records = drop_and_wait(service, store, samples, timeout_s, progress, task)
    return conclude(console, samples, records, store, finished, timeout_s, root / "reports")


def drop_and_wait(service: EmbeddedService, store: ObjectStore, samples: list[DemoSample], timeout_s: float,
                  progress: Progress | LineProgress, task: TaskID) -> tuple[bool, list[SampleRecord]]:  # fmt: skip
    """What a user does (drop the tarballs into the bucket), then wait until all are terminal."""
    for sample in samples:
        store.put_file(sample.path, sample.key)
    total = len(samples)
    progress.update(task, description=f"processing: 0/{total} terminal", total=total, completed=0)
    seen: set[str] = set()

    def tick(records: list[SampleRecord]) -> None:
        for record in records:  # a lasting line per sample that became terminal, in the order noticed
            if record.is_terminal and record.key not in seen:
                seen.add(record.key)
                code = f" ({record.reason_code})" if record.reason_code else ""
                name = record.key.removesuffix(".tar.gz")
                progress.print(f"{len(seen)}/{total} terminal: {name} {record.state.value}{code}")
        waiting = Counter(r.state.value.lower() for r in records if not r.is_terminal)
        status = f"{len(seen)}/{total} terminal" + "".join(f", {n} {state}" for state, n in sorted(waiting.items()))
        progress.update(task, completed=len(seen), description=f"processing: {status}")

    finished = service.wait(all_terminal(len(samples)), timeout_s, on_tick=tick)
    return finished, service.ledger.list_samples()


def conclude(console: Console, samples: list[DemoSample], records: list[SampleRecord], store: ObjectStore,
             finished: bool, timeout_s: float, reports_dir: Path) -> DemoResult:  # fmt: skip
    """Unpack the reports, print the summary table, and check every expectation."""
    reports = _extract_reports(store, records, reports_dir)
    _summary(console, samples, records, reports)
    problems = _check(samples, records, store, finished, timeout_s)
    for path in reports:
        console.print(f"report: [link=file://{path}]{_short_path(path)}[/link]", highlight=False, soft_wrap=True)
    return DemoResult(not problems, tuple(problems), tuple(reports))


def progress_bar(console: Console) -> Progress | LineProgress:
    """A live progress bar on a terminal; plain timestamped lines anywhere else (CI logs, files),
    where a live display would show nothing until the end, or garbage."""
    if console.is_terminal and not console.is_dumb_terminal and _isatty(console):
        return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                        console=console, transient=True)  # fmt: skip
    return LineProgress(console)


def _isatty(console: Console) -> bool:
    try:
        return console.file.isatty()
    except (AttributeError, ValueError):
        return False


class LineProgress:
    """The part of :class:`rich.progress.Progress` the demos use, printed as plain lines
    (``[ 12.3s] 3/5 terminal: KEY SUCCEEDED``): one per :meth:`print` and per new description,
    and the description again when nothing has been said for ``heartbeat_s``."""

    def __init__(self, console: Console, heartbeat_s: float = 15.0) -> None:
        self.console = console
        self.heartbeat_s = heartbeat_s
        self._started = time.monotonic()
        self._said_at = self._started
        self._description = ""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, **_: Any) -> TaskID:
        self.update(TaskID(0), description=description)
        return TaskID(0)

    def update(self, task_id: TaskID, *, description: str | None = None, **_: Any) -> None:
        """Say a new description at once; repeat the current one after ``heartbeat_s`` of silence."""
        if description is not None and description != self._description:
            self._description = description
            self._say(description)
        elif time.monotonic() - self._said_at >= self.heartbeat_s:
            self._say(f"still {self._description}")

    def print(self, text: str) -> None:
        """A line of its own (rich prints these above the live display)."""
        self._say(text)

    def _say(self, text: str) -> None:
        now = time.monotonic()
        self._said_at = now
        self.console.print(f"[{now - self._started:5.1f}s] {text}", markup=False, highlight=False, soft_wrap=True)


def _short_path(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it (shorter, still clickable)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _summary(console: Console, samples: list[DemoSample], records: list[SampleRecord], reports: list[Path]) -> None:
    """One short row per sample (fits 80 columns), then what each one shows, wrapped and indented."""
    by_key = {r.key: r for r in records}
    with_report = {path.parent.name.removesuffix("-output") for path in reports}
    table = Table(title="oncodrop demo", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
    table.add_column("sample", no_wrap=True, overflow="ellipsis")
    table.add_column("state", no_wrap=True)
    table.add_column("tries", justify="right", no_wrap=True)
    table.add_column("reason", no_wrap=True, overflow="ellipsis")
    table.add_column("output", no_wrap=True)
    details: list[tuple[str, str]] = []
    for sample in samples:
        name = sample.key.removesuffix(".tar.gz")
        record = by_key.get(sample.key)
        if record is None:
            table.add_row(name, "[red]never seen ✗[/red]", "", "", "")
            details.append((f"{name}: {sample.story} (expected {sample.expect})", ""))
            continue
        ok = record.state.value == sample.expect
        state = f"[green]{record.state.value} ✓[/green]" if ok else f"[red]{record.state.value} ✗[/red]"
        output = ("report" if name in with_report else "log only") if record.output_key else "—"
        table.add_row(name, state, str(record.attempts), record.reason_code or "—", output)
        expected = "" if ok else f" (expected {sample.expect})"
        details.append((f"{name}: {sample.story}{expected}",
                        record.reason or (record.headline.summary_line if record.headline else "")))  # fmt: skip
    console.print()
    console.print(table)
    console.print()
    width = max(40, console.width)
    for title, detail in details:
        console.print(textwrap.fill(title, width, subsequent_indent="    "), style="bold", markup=False,
                      highlight=False, soft_wrap=True)  # fmt: skip
        if detail:
            console.print(textwrap.fill(detail, width, initial_indent="  ", subsequent_indent="  "),
                          markup=False, highlight=False, soft_wrap=True)  # fmt: skip


def _check(samples: list[DemoSample], records: list[SampleRecord], store: ObjectStore, finished: bool,
           timeout_s: float) -> list[str]:  # fmt: skip
    problems = [] if finished else [f"not every sample was terminal after {timeout_s:.0f} s"]
    by_key = {r.key: r for r in records}
    for sample in samples:
        record = by_key.get(sample.key)
        if record is None or record.state.value != sample.expect:
            state = record.state.value if record else "missing"
            problems.append(f"{sample.key}: expected {sample.expect}, got {state} ({record.reason if record else ''})")
            continue
        if sample.expect == "REJECTED" and not record.reason:
            problems.append(f"{sample.key}: rejected without a reason")
        if sample.expect == "SUCCEEDED":
            problems += _check_output(store, record)
    return problems


def _check_output(store: ObjectStore, record: SampleRecord) -> list[str]:
    if not record.output_key or store.head(record.output_key) is None:
        return [f"{record.key}: no output object {record.output_key}"]
    with tempfile.TemporaryDirectory(prefix="oncodrop-check-") as tmp:
        store.get_file(record.output_key, Path(tmp) / "output.tar.gz")
        with tarfile.open(Path(tmp) / "output.tar.gz") as tar:
            names = {Path(n).name for n in tar.getnames()}
    missing = [f for f in (*REPORT_FILES, "run.log") if f not in names]
    return [f"{record.output_key}: missing {', '.join(missing)}"] if missing else []


def _extract_safely(tar: tarfile.TarFile, dest: Path) -> None:
    """Our own output, still extracted with the safe ``data`` filter; Python before 3.11.4
    (Debian 12's 3.11.2) has no filters, so there only plain files and folders inside ``dest``."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    root = dest.resolve()
    for member in tar.getmembers():
        target = (dest / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise ValueError(f"unexpected member {member.name!r} in our own output")
        tar.extract(member, dest)


def _extract_reports(store: ObjectStore, records: list[SampleRecord], dest: Path) -> list[Path]:
    """Download and unpack each output tarball under ``dest`` so the HTML reports can be opened."""
    paths = []
    dest.mkdir(parents=True, exist_ok=True)
    for record in sorted(records, key=lambda r: r.key):
        if not record.output_key or store.head(record.output_key) is None:
            continue
        local = dest / record.output_key.rsplit("/", 1)[-1]
        store.get_file(record.output_key, local)
        with tarfile.open(local) as tar:
            _extract_safely(tar, dest)
        local.unlink()
        root = record.output_key.rsplit("/", 1)[-1].removesuffix(".tar.gz")
        report = dest / root / "report.html"
        if report.is_file():
            paths.append(report)
    return paths
