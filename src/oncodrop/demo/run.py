"""Run the whole embedded flow on demo samples and check that it did what it should.

Exit status 0 only when every good sample SUCCEEDED (with an output tarball holding the report
files) and every broken one was REJECTED with a reason.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
    console = console or Console()
    return in_workdir(workdir, console, lambda root: _run(root, workers, timeout_s, console))


def in_workdir(workdir: Path | None, console: Console, run: Callable[[Path], DemoResult]) -> int:
    """Run a demo in ``workdir`` (or a temporary folder), print its verdict, return the exit code."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="oncodrop-demo-") as tmp:
            result = run(Path(tmp))
            console.print("[dim](temporary workdir: removed on exit; pass --workdir DIR to keep it)[/dim]")
    else:
        result = run(workdir.resolve())
    for problem in result.problems:
        console.print(f"[red]✗ {problem}[/red]")
    if result.ok:
        console.print("[green]✓ demo passed: good samples SUCCEEDED, broken ones REJECTED with reasons[/green]")
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
                  progress: Progress, task: TaskID) -> tuple[bool, list[SampleRecord]]:  # fmt: skip
    """What a user does (drop the tarballs into the bucket), then wait until all are terminal."""
    for sample in samples:
        store.put_file(sample.path, sample.key)
    progress.update(task, description="processing", total=len(samples), completed=0)

    def tick(records: list[SampleRecord]) -> None:
        done = sum(r.is_terminal for r in records)
        progress.update(task, completed=done, description=f"processing ({done}/{len(samples)} terminal)")

    finished = service.wait(all_terminal(len(samples)), timeout_s, on_tick=tick)
    return finished, service.ledger.list_samples()


def conclude(console: Console, samples: list[DemoSample], records: list[SampleRecord], store: ObjectStore,
             finished: bool, timeout_s: float, reports_dir: Path) -> DemoResult:  # fmt: skip
    """Unpack the reports, print the summary table, and check every expectation."""
    reports = _extract_reports(store, records, reports_dir)
    _summary(console, samples, records)
    problems = _check(samples, records, store, finished, timeout_s)
    for path in reports:
        console.print(f"report: [link=file://{path}]{path}[/link]")
    return DemoResult(not problems, tuple(problems), tuple(reports))


def progress_bar(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console, transient=True)  # fmt: skip


def _summary(console: Console, samples: list[DemoSample], records: list[SampleRecord]) -> None:
    by_key = {r.key: r for r in records}
    table = Table("sample", "expected", "state", "tries", "what it shows", title="oncodrop demo")
    table.columns[0].no_wrap = True
    details: list[str] = []
    for sample in samples:
        record = by_key.get(sample.key)
        if record is None:
            table.add_row(sample.key, sample.expect, "[red]never seen[/red]", "", sample.story)
            continue
        colour = "green" if record.state.value == sample.expect else "red"
        table.add_row(sample.key, sample.expect, f"[{colour}]{record.state.value}[/{colour}]",
                      str(record.attempts), sample.story)  # fmt: skip
        detail = record.reason or (record.headline.summary_line if record.headline else "")
        if detail:
            details.append(f"[bold]{sample.key}[/bold]\n  {detail}")
    console.print(table)
    for line in details:
        console.print(line, highlight=False)


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
