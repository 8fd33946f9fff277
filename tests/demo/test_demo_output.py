"""The demo's output where CI reads it: plain progress lines off a terminal, a summary that fits
80 columns."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from oncodrop.demo.run import LineProgress, _summary, progress_bar
from oncodrop.demo.samples import DemoSample
from oncodrop.domain.sample import SampleRecord
from oncodrop.domain.state import SampleState


def _piped(width: int = 80) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=width), out


def test_off_a_terminal_progress_is_plain_timestamped_lines() -> None:
    console, out = _piped()
    progress = progress_bar(console)
    assert isinstance(progress, LineProgress)
    with progress:
        task = progress.add_task("building the bundle", total=None)
        progress.update(task, description="building the bundle")  # unchanged: said once
        progress.update(task, description="processing: 0/2 terminal", total=2, completed=0)
        progress.print("1/2 terminal: a-000000-somatic SUCCEEDED")
    lines = out.getvalue().splitlines()
    assert [re.sub(r"^\[ *\d+\.\ds\] ", "", line) for line in lines] == [
        "building the bundle", "processing: 0/2 terminal", "1/2 terminal: a-000000-somatic SUCCEEDED",
    ]  # fmt: skip
    assert all(re.match(r"^\[ *\d+\.\ds\] ", line) for line in lines)


def test_silence_longer_than_the_heartbeat_repeats_the_status() -> None:
    console, out = _piped()
    progress = LineProgress(console, heartbeat_s=0)
    progress.update(progress.add_task("processing: 1/2 terminal"), completed=1)
    assert out.getvalue().splitlines()[-1].endswith("still processing: 1/2 terminal")


def test_a_forced_terminal_that_is_not_a_tty_still_gets_plain_lines() -> None:
    out = io.StringIO()
    assert isinstance(progress_bar(Console(file=out, force_terminal=True)), LineProgress)


def test_a_real_terminal_gets_the_live_bar() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_bar(Console(file=Tty(), force_terminal=True)), Progress)


def _record(key: str, state: SampleState, *, attempts: int = 1, reason_code: str | None = None,
            reason: str | None = None, output_key: str | None = None) -> SampleRecord:  # fmt: skip
    now = datetime.now(UTC)
    return SampleRecord(
        id=1, store_url="file:///bucket", key=key, etag="e", size=1, kind="somatic", sample_id=key[:20],
        state=state, version=1, run=1, attempts=attempts, max_attempts=3, created_at=now, updated_at=now,
        output_key=output_key, reason_code=reason_code, reason=reason,
    )  # fmt: skip


def test_summary_fits_80_columns_and_names_state_reason_and_output(tmp_path: Path) -> None:
    good, bad = "demo_melanoma-a1b2c3-somatic.tar.gz", "demo_broken-0bad00-somatic.tar.gz"
    samples = [
        DemoSample(good, tmp_path / good, "SUCCEEDED", "melanoma, BRAF V600E (Tier I), UV signature"),
        DemoSample(bad, tmp_path / bad, "REJECTED", "tarball with a ../evil member (unsafe)"),
        DemoSample("tumour_results_final.tar.gz", tmp_path / "t", "REJECTED", "a misnamed tarball"),
    ]
    records = [
        _record(good, SampleState.SUCCEEDED, output_key="demo_melanoma-a1b2c3-somatic-output.tar.gz"),
        _record(bad, SampleState.SUCCEEDED, reason_code=None, output_key="demo_broken-0bad00-somatic-output.tar.gz"),
        _record("tumour_results_final.tar.gz", SampleState.REJECTED, attempts=0, reason_code="bad_key",
                reason="Object 'tumour_results_final.tar.gz' does not follow the naming convention " * 3),
    ]  # fmt: skip
    reports = [tmp_path / "reports" / "demo_melanoma-a1b2c3-somatic-output" / "report.html"]
    console, out = _piped(80)
    _summary(console, samples, records, reports)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80, text
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.startswith(("demo_", "tumour_"))}
    assert rows["demo_melanoma-a1b2c3-somatic"][1:] == ["SUCCEEDED", "✓", "1", "—", "report"]
    assert rows["demo_broken-0bad00-somatic"][1:] == ["SUCCEEDED", "✗", "1", "—", "log", "only"]
    assert rows["tumour_results_final"][1:] == ["REJECTED", "✓", "0", "bad_key", "—"]
    words = " ".join(text.split())  # the stories and reasons below the table wrap at 80 columns
    assert "demo_broken-0bad00-somatic: tarball with a ../evil member (unsafe) (expected REJECTED)" in words
    assert "  Object 'tumour_results_final.tar.gz' does not follow" in text  # indented under its sample
