"""Direct browser uploads to S3: the console signs a POST policy for one well-named key and the
intake cap; the bucket (a real moto_server) receives the form; the service admits the object.

moto does not enforce POST policies (it stores whatever a form sends), so the policy's
conditions and its SigV4 signature are checked here the way S3 checks them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import moto_fixture
import pytest
from conftest import make_settings
from fastapi.testclient import TestClient

from oncodrop.domain.access import Role
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.store.s3 import s3_client
from oncodrop.web.app import create_app

moto_endpoint = moto_fixture.moto_endpoint
V053 = "pcgr/v0.5.3"
CAP = 5 * 1024 * 1024


@dataclass
class S3Console:
    client: TestClient
    ledger: Ledger
    bucket: str
    endpoint: str
    headers: dict[Role, dict[str, str]]


@pytest.fixture
def s3_console(tmp_path: Path, moto_endpoint: str) -> Iterator[S3Console]:
    bucket = f"onco-{uuid.uuid4().hex[:12]}"
    s3_client(moto_endpoint).create_bucket(Bucket=bucket)
    settings = Settings.load(db=f"sqlite:///{tmp_path / 'ledger.db'}", store=f"s3://{bucket}",
                             aws__s3_endpoint_url=moto_endpoint, intake__max_compressed_bytes=CAP)  # fmt: skip
    with Ledger.open(settings.db) as ledger:
        headers = {role: {"Authorization": "Bearer " + access.create_token(ledger.engine, ledger.now(), role.value,
                                                                            role, None)[0]} for role in Role}  # fmt: skip
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            yield S3Console(client, ledger, bucket, moto_endpoint, headers)


def _policy(fields: dict[str, str]) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


def _sigv4_of_policy(fields: dict[str, str], secret: str) -> str:
    """What S3 computes to check a POST policy (AWS Signature Version 4, POST uploads)."""
    _, date, region, service, _ = fields["x-amz-credential"].split("/")
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, fields["policy"].encode(), hashlib.sha256).hexdigest()


def test_a_presigned_post_is_signed_for_one_key_and_the_cap_and_the_bucket_takes_the_file(
    s3_console: S3Console, testdata: Path, tmp_path: Path
) -> None:
    src = testdata / V053
    good = pack_sample(tmp_path / "brca-a1b2c3-somatic.tar.gz", src / "tumor_sample.BRCA.vcf.gz",
                       src / "pcgr_configuration_examples.toml", index=src / "tumor_sample.BRCA.vcf.gz.tbi")  # fmt: skip
    size = good.stat().st_size
    answer = s3_console.client.post("/api/v1/uploads/presign", headers=s3_console.headers[Role.SUBMITTER],
                                    json={"filename": good.name, "size": size, "prefix": "projA"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["key"] == "projA/brca-a1b2c3-somatic.tar.gz"
    assert body["url"].startswith(s3_console.endpoint)
    fields = body["fields"]
    conditions = _policy(fields)["conditions"]
    assert isinstance(conditions, list)
    assert {"key": "projA/brca-a1b2c3-somatic.tar.gz"} in conditions  # exactly this key, not a prefix
    assert {"bucket": s3_console.bucket} in conditions
    assert ["content-length-range", 1, CAP] in conditions
    assert fields["x-amz-signature"] == _sigv4_of_policy(fields, "testing")  # moto_fixture's fake secret

    posted = httpx.post(body["url"], data=fields, files={"file": (good.name, good.read_bytes())})
    assert posted.status_code == 204, posted.text
    stored = s3_client(s3_console.endpoint).get_object(Bucket=s3_console.bucket, Key=body["key"])["Body"].read()
    assert stored == good.read_bytes()

    # the service sees it like any dropped object
    assert s3_console.client.app.state.console.rescan() == 1  # type: ignore[attr-defined]
    keys = [r.key for r in s3_console.ledger.list_samples()]
    assert keys == ["projA/brca-a1b2c3-somatic.tar.gz"]
    audit = access.audit_entries(s3_console.ledger.engine)
    assert [(e.action, e.target) for e in audit] == [("upload", "projA/brca-a1b2c3-somatic.tar.gz")]


def test_a_bad_name_an_oversize_file_and_a_viewer_get_no_signed_form(s3_console: S3Console) -> None:
    sub = s3_console.headers[Role.SUBMITTER]
    bad = s3_console.client.post("/api/v1/uploads/presign", headers=sub,
                                 json={"filename": "brca-XYZ-somatic.tar.gz", "size": 10})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["reason_code"] == "bad_key"
    other = s3_console.client.post("/api/v1/uploads/presign", headers=sub,
                                   json={"filename": "notes.txt", "size": 10})  # fmt: skip
    assert other.status_code == 422 and "would be ignored" in other.json()["message"]
    big = s3_console.client.post("/api/v1/uploads/presign", headers=sub,
                                 json={"filename": "b-a1b2c3-somatic.tar.gz", "size": CAP + 1})  # fmt: skip
    assert big.status_code == 413 and "max_compressed_bytes" in big.json()["detail"]
    viewer = s3_console.client.post("/api/v1/uploads/presign", headers=s3_console.headers[Role.VIEWER],
                                    json={"filename": "b-a1b2c3-somatic.tar.gz", "size": 10})  # fmt: skip
    assert viewer.status_code == 403
    assert access.audit_entries(s3_console.ledger.engine) == []


def test_the_upload_page_posts_to_the_bucket_and_its_csp_allows_only_that_origin(s3_console: S3Console) -> None:
    page = s3_console.client.get("/upload", headers=s3_console.headers[Role.SUBMITTER])
    assert page.status_code == 200
    assert 'data-presign="/api/v1/uploads/presign"' in page.text
    csp = page.headers["content-security-policy"]
    assert f"connect-src 'self' {s3_console.endpoint};" in csp
    home = s3_console.client.get("/", headers=s3_console.headers[Role.SUBMITTER])
    assert "connect-src 'self';" in home.headers["content-security-policy"]


def test_a_folder_store_has_no_presigned_uploads(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Ledger.open(settings.db) as ledger:
        secret, _ = access.create_token(ledger.engine, ledger.now(), "s", Role.SUBMITTER, None)
        with TestClient(create_app(settings, ledger), base_url="https://testserver") as client:
            answer = client.post("/api/v1/uploads/presign", headers={"Authorization": f"Bearer {secret}"},
                                 json={"filename": "b-a1b2c3-somatic.tar.gz", "size": 10})  # fmt: skip
            page = client.get("/upload", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 409 and "/api/v1/uploads" in answer.json()["detail"]
    assert "data-presign" not in page.text
