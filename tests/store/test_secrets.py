"""Secrets from AWS Secrets Manager (moto_server): filled into the settings at start, redacted
from every log and display, refused clearly when missing or malformed; and presigned links
that never outlive the credentials that sign them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import moto_fixture
import pytest
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.errors import ConfigError
from oncodrop.settings import Settings
from oncodrop.store.s3 import aws_client, open_s3, s3_client, signing_lifetime_s
from oncodrop.store.secrets import db_url_with, secret_field, with_secrets

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)


def _secret(endpoint: str, value: str) -> str:
    return str(aws_client("secretsmanager", endpoint).create_secret(Name=f"s-{uuid.uuid4().hex[:10]}",
                                                                    SecretString=value)["ARN"])  # fmt: skip


def test_the_ledger_secret_fills_user_password_host_and_database_into_a_password_free_url() -> None:
    url = db_url_with("postgresql+psycopg://nobody@placeholder:5432/x",
                      json.dumps({"username": "onco", "password": "p@ss/w:rd", "host": "db.internal", "port": 6432,
                                  "dbname": "oncodrop", "engine": "postgres"}))  # fmt: skip
    assert url == "postgresql+psycopg://onco:p%40ss%2Fw%3Ard@db.internal:6432/oncodrop"
    with pytest.raises(ConfigError, match="username and password"):
        db_url_with("postgresql+psycopg://x@h/d", "just-a-string", secret_id="arn:ledger")
    assert secret_field('{"url": "https://hooks.slack.com/services/T/B/x"}', "url") == "https://hooks.slack.com/services/T/B/x"
    assert secret_field("https://plain.example/hook", "url") == "https://plain.example/hook"
    with pytest.raises(ConfigError, match="without any of key"):
        secret_field('{"other": 1}', "key", secret_id="arn:web")


def test_each_secret_id_is_read_at_start_and_shown_nowhere(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    password, token = f"pw-{uuid.uuid4().hex}", f"tok-{uuid.uuid4().hex}"
    ledger = _secret(moto_endpoint, json.dumps({"username": "onco", "password": password}))
    slack = _secret(moto_endpoint, json.dumps({"url": f"https://hooks.slack.com/services/T/B/{token}"}))
    web = _secret(moto_endpoint, "hmac-key-123")
    settings = Settings.load(db="postgresql+psycopg://onco@db.internal/oncodrop", aws__db_secret_id=ledger,
                             aws__slack_secret_id=slack, aws__web_secret_id=web,
                             aws__secrets_endpoint_url=moto_endpoint)  # fmt: skip
    filled = with_secrets(settings)
    assert filled.db == f"postgresql+psycopg://onco:{password}@db.internal/oncodrop"
    assert filled.notify.slack_webhook_url is not None and token in filled.notify.slack_webhook_url.get_secret_value()
    assert filled.web.webhook_secret is not None and filled.web.webhook_secret.get_secret_value() == "hmac-key-123"
    assert password in filled.secret_values() and token not in json.dumps(filled.redacted_dict())
    # the CLI reads them too, and `config show` prints none of them
    for name, value in {"ONCODROP_DB": settings.db, "ONCODROP_AWS__DB_SECRET_ID": ledger,
                        "ONCODROP_AWS__SLACK_SECRET_ID": slack, "ONCODROP_AWS__SECRETS_ENDPOINT_URL": moto_endpoint}.items():
        monkeypatch.setenv(name, value)
    shown = CliRunner().invoke(main, ["config", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    assert password not in shown.output and token not in shown.output and "***" in shown.output


def test_a_missing_secret_or_one_this_role_may_not_read_is_a_config_error(moto_endpoint: str) -> None:
    settings = Settings.load(aws__db_secret_id="arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-abc",
                             aws__secrets_endpoint_url=moto_endpoint)  # fmt: skip
    with pytest.raises(ConfigError, match="read secret arn:aws:secretsmanager:.*gone-abc failed"):
        with_secrets(settings)
    result = CliRunner().invoke(main, ["status", "--db", "sqlite:///x.db"],
                                env={"ONCODROP_AWS__DB_SECRET_ID": "gone", "ONCODROP_AWS__SECRETS_ENDPOINT_URL": moto_endpoint})
    assert result.exit_code == 1 and "read secret gone failed" in result.output


def test_a_link_signed_with_temporary_credentials_lasts_no_longer_than_they_do(moto_endpoint: str) -> None:
    bucket = f"links-{uuid.uuid4().hex[:10]}"
    s3_client(moto_endpoint).create_bucket(Bucket=bucket)
    assert signing_lifetime_s(s3_client(moto_endpoint)) is None  # long-lived keys: as asked
    expiry = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    session = boto3.session.Session()
    credentials = RefreshableCredentials.create_from_metadata(
        {"access_key": "AKIA", "secret_key": "s", "token": "t", "expiry_time": expiry},
        refresh_using=lambda: {"access_key": "AKIA", "secret_key": "s", "token": "t", "expiry_time": expiry},
        method="test-role",
    )  # fmt: skip
    session._session._credentials = credentials  # the session a Fargate task role would give
    client = session.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1",
                            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    store = open_s3(f"s3://{bucket}", client=client)
    lifetime = int(parse_qs(urlsplit(store.link("a-output.tar.gz", 12 * 3600)).query)["X-Amz-Expires"][0])
    assert 7000 < lifetime <= 7200  # cut from 12 h to the credentials' 2 h
    assert Settings().notify.link_expires_s == 12 * 3600
