"""Secrets from AWS Secrets Manager, read once when a process starts.

On AWS no secret value is ever put in a template, a job definition, a Lambda's environment or
user data: those carry only a secret's *ARN* (``[aws] db_secret_id``, ``slack_secret_id``,
``webhook_secret_id``, ``web_secret_id``), each role may read only the secrets it needs
(its own ``secretsmanager:GetSecretValue`` on those ARNs), and ``with_secrets`` fills the
values into the settings in memory. The log redaction filter is configured after this, so the
values are masked in every log line (``Settings.secret_values``).

A secret is a plain string, or a JSON object: the ledger's is the RDS format (``username``,
``password``, optionally ``host``, ``port``, ``dbname``), merged into the ``db`` URL, which
therefore holds no password in the environment (``postgresql+psycopg://oncodrop@host/db``).
Webhook secrets are the URL itself or ``{"url": …}``; the console's HMAC key is the key or
``{"key": …}``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from oncodrop.errors import ConfigError
from oncodrop.settings import Settings
from oncodrop.store.s3 import aws_client, aws_errors


def read_secret(secret_id: str, endpoint_url: str | None = None, *, client: Any = None) -> str:
    """The current value (``SecretString``) of one secret; ``ConfigError`` when it is missing or
    this role may not read it, ``TransientError`` when Secrets Manager cannot be reached."""
    client = client or aws_client("secretsmanager", endpoint_url)
    with aws_errors(f"read secret {secret_id}"):
        response = client.get_secret_value(SecretId=secret_id)
    value = response.get("SecretString")
    if not value:
        raise ConfigError(f"secret {secret_id} has no SecretString; store the value as text or JSON")
    return str(value)


def secret_field(text: str, *names: str, secret_id: str = "") -> str:
    """``text`` itself, or the first of ``names`` in it when it is a JSON object."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    for name in names:
        if data.get(name):
            return str(data[name])
    raise ConfigError(f"secret {secret_id} is a JSON object without any of {', '.join(names)}")


def db_url_with(url: str, text: str, *, secret_id: str = "") -> str:
    """The ledger URL ``url`` with the user, password (and host, port, dbname when given) of
    the RDS-format secret ``text``."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not data.get("password"):
        raise ConfigError(f"secret {secret_id} must be a JSON object with username and password (RDS format)")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("db is not an SQLAlchemy URL; set ONCODROP_DB=postgresql+psycopg://USER@HOST/DB") from None
    update: dict[str, Any] = {"password": str(data["password"])}
    for key, field in (("username", "username"), ("host", "host"), ("dbname", "database")):
        if data.get(key):
            update[field] = str(data[key])
    if data.get("port"):
        update["port"] = int(data["port"])
    return parsed.set(**update).render_as_string(hide_password=False)


def with_secrets(settings: Settings, *, client: Any = None) -> Settings:
    """``settings`` with every ``[aws] *_secret_id`` read and filled in (unchanged without any)."""
    aws = settings.aws
    if not aws.secret_ids:
        return settings
    client = client or aws_client("secretsmanager", aws.secrets_endpoint_url)
    update: dict[str, Any] = {}
    if aws.db_secret_id:
        update["db"] = db_url_with(settings.db, read_secret(aws.db_secret_id, client=client),
                                   secret_id=aws.db_secret_id)  # fmt: skip
    notify: dict[str, Any] = {}
    for secret_id, field in ((aws.slack_secret_id, "slack_webhook_url"), (aws.webhook_secret_id, "webhook_url")):
        if secret_id:
            notify[field] = SecretStr(secret_field(read_secret(secret_id, client=client), "url", secret_id=secret_id))
    if notify:
        update["notify"] = settings.notify.model_copy(update=notify)
    if aws.web_secret_id:
        key = secret_field(read_secret(aws.web_secret_id, client=client), "key", secret_id=aws.web_secret_id)
        update["web"] = settings.web.model_copy(update={"webhook_secret": SecretStr(key)})
    return settings.model_copy(update=update)


__all__ = ["db_url_with", "read_secret", "secret_field", "with_secrets"]
