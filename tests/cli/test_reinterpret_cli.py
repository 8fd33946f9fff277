"""``oncodrop refdata install`` and ``oncodrop reinterpret``: versions registered, one current,
a sample selection is required, an empty ledger re-interprets nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.ledger import Ledger
from oncodrop.ledger.reinterp import Reinterpretations


def test_install_registers_the_current_bundle_and_reinterpret_needs_a_selection(
    demo_bundle: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("ONCODROP_DB", raising=False)
    db = f"sqlite:///{tmp_path / 'l.db'}"
    runner = CliRunner()
    first = runner.invoke(main, ["refdata", "install", str(demo_bundle), "--db", db])
    assert first.exit_code == 0, first.output
    assert "installed oncodrop-demo 2026.11-demo (current)" in first.output
    other = tmp_path / "other"
    shutil.copytree(demo_bundle, other)
    manifest = json.loads((other / "manifest.json").read_text())
    (other / "manifest.json").write_text(json.dumps({**manifest, "version": "2026.12-x"}))
    assert runner.invoke(main, ["refdata", "install", str(other), "--db", db, "--no-current"]).exit_code == 0
    with Ledger.open(db) as ledger:
        assert [(b.version, b.current) for b in Reinterpretations(ledger).bundles()] == [
            ("2026.11-demo", True), ("2026.12-x", False)]
    # a version's contents are fixed once installed (the copy's checksums no longer match)
    (other / "knowledge" / "evidence.tsv").write_text("changed\n")
    refused = runner.invoke(main, ["refdata", "install", str(other), "--db", db])
    assert refused.exit_code != 0 and "evidence.tsv" in refused.output

    usage = runner.invoke(main, ["reinterpret", "--db", db])
    assert usage.exit_code == 2 and "--all, --since, --batch or --key" in usage.output
    done = runner.invoke(main, ["reinterpret", "--db", db, "--all", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"bundle_version": "2026.11-demo", "queued": 0, "QUEUED": 0,
                                       "RUNNING": 0, "DONE": 0, "DEAD": 0}  # fmt: skip
