"""A console app over a fresh SQLite ledger and a folder store, one API token per role, and
samples put in each state through the ledger's own API (no mocks)."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oncodrop.domain.access import Role
from oncodrop.domain.headline import Headline
from oncodrop.domain.reinterpretation import ReinterpretJob
from oncodrop.domain.sample import SampleRecord
from oncodrop.errors import ReasonCode
from oncodrop.ledger import Ledger, access
from oncodrop.ledger.reinterp import Reinterpretations, Selection
from oncodrop.naming import reinterpretation_key
from oncodrop.settings import Settings
from oncodrop.web.app import create_app

REPORT = b"<!doctype html><title>report</title><h1 id='headline'>BRCA report</h1>"
CHANGE_REPORT = b"<!doctype html><title>changes</title><h1>BRAF V600E: Tier III -> Tier I</h1>"
PASSWORD = "correct horse battery"


@dataclass
class Console:
    client: TestClient
    ledger: Ledger
    bucket: Path
    tokens: dict[Role, str]
    settings: Settings

    def as_role(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    def add(self, key: str) -> SampleRecord:
        kind = "normal" if key.endswith("-normal.tar.gz") else "somatic"
        batch_id = key.rsplit("/", 1)[-1].rsplit("-", 1)[0]
        record, _ = self.ledger.record_object(self.bucket.as_uri(), key, f"etag-{key}", 10, kind, batch_id,
                                              key.replace(".tar.gz", "-output.tar.gz"))  # fmt: skip
        return self.ledger.queue(record.id)

    def succeed(self, key: str) -> SampleRecord:
        record = self.add(key)
        claimed = self.ledger.claim_specific(record.id, "w1", 60)
        assert claimed is not None
        output_key = claimed.output_key
        assert output_key is not None
        write_output(self.bucket / output_key, output_key)
        headline = Headline(tier1=1, tier2=2, tmb=3.5, msi="MSS", summary_line="1 Tier I, 2 Tier II")
        return self.ledger.succeed(record.id, "w1", output_key, headline)

    def dead(self, key: str) -> SampleRecord:
        record = self.add(key)
        assert self.ledger.claim_specific(record.id, "w1", 60) is not None
        return self.ledger.fail(record.id, "w1", "bundle FASTA unreadable", retryable=False,
                                reason_code=ReasonCode.BUNDLE_ERROR)  # fmt: skip


    def reinterpreted(self, record: SampleRecord, version: str, *, changed: bool = True) -> ReinterpretJob:
        """A DONE re-interpretation of ``record`` against ``version``, through the ledger's own
        job API; with ``changed``, its change report tarball is in the store."""
        reinterps = Reinterpretations(self.ledger)
        assert reinterps.enqueue(version, Selection(keys=(record.key,))) == 1
        job = reinterps.claim("r1", 60, version)
        assert job is not None and job.sample_pk == record.id and record.output_key
        key = reinterpretation_key(record.output_key, version) if changed else None
        if key is not None:
            write_output(self.bucket / key, key, CHANGE_REPORT, "changes.html")
        return reinterps.complete(job.id, "r1", output_key=key, location=key or record.output_key,
                                  changes=2 if changed else 0, meaningful=1 if changed else 0,
                                  summary={"tier_changes": 2} if changed else {}, notice=None)  # fmt: skip


def write_output(path: Path, output_key: str, body: bytes = REPORT, name: str = "report.html") -> None:
    root = output_key.rsplit("/", 1)[-1].removesuffix(".tar.gz")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(f"{root}/{name}")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ONCODROP_"):
            monkeypatch.delenv(name)


def make_settings(tmp_path: Path, **web: object) -> Settings:
    bucket = tmp_path / "bucket"
    bucket.mkdir(exist_ok=True)
    return Settings.load(db=f"sqlite:///{tmp_path / 'ledger.db'}", store=bucket.as_uri(),
                         **{f"web__{k}": v for k, v in web.items()})  # fmt: skip


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    settings = make_settings(tmp_path, webhook_secret="hook-secret-for-tests")
    with Ledger.open(settings.db) as ledger:
        tokens = {role: access.create_token(ledger.engine, ledger.now(), f"t-{role.value}", role, None)[0]
                  for role in Role}  # fmt: skip
        for role in Role:
            access.set_account(ledger.engine, ledger.now(), role.value, PASSWORD, role)
        app = create_app(settings, ledger)
        with TestClient(app, base_url="https://testserver") as client:
            yield Console(client, ledger, tmp_path / "bucket", tokens, settings)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the page)."""
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    done = client.post("/login", data={"username": username, "password": password, "csrf": token, "next": "/"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    home = client.get("/")
    return home.text.split('data-csrf="', 1)[1].split('"', 1)[0]
