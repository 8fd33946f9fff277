"""Operator settings: typed, validated once, from CLI options, ``ONCODROP_*`` env and one TOML file.

Precedence, highest first: CLI overrides > environment > TOML file > defaults. Secrets
(webhook URLs) are ``SecretStr`` so they never print by accident; ``redacted_dict`` is what
``oncodrop config show`` prints. Nested values use ``__`` in env names
(``ONCODROP_INTAKE__MAX_MEMBERS=50``) and a table in TOML (``[intake] max_members = 50``).
"""

from __future__ import annotations

import tempfile
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from oncodrop.errors import ConfigError
from oncodrop.logs import REDACTED, redact

ENV_PREFIX = "ONCODROP_"

# The TOML file of the Settings.load call in progress (a context variable, not a global, so
# concurrent loads in threads do not see each other's file).
_config_file: ContextVar[Path | None] = ContextVar("oncodrop_config_file", default=None)


GiB = 1024**3
MiB = 1024**2


class IntakeLimits(BaseModel):
    """Caps on what one input may cost us; ``oncodrop.intake`` checks every cap before or while
    writing. ``[intake]`` in the TOML, ``ONCODROP_INTAKE__MAX_MEMBERS`` in the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_compressed_bytes: int = Field(default=2 * GiB, gt=0)
    max_unpacked_bytes: int = Field(default=20 * GiB, gt=0)
    max_members: int = Field(default=64, gt=0)
    max_ratio: float = Field(default=200.0, gt=1)  # unpacked/compressed: a zip-bomb guard
    ratio_floor_bytes: int = Field(default=1 * MiB, ge=0)


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by the current ``Settings.load`` call (if any)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = _config_file.get()
        self._data: dict[str, Any] = _read_toml(path) if path is not None else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"settings file {path} does not exist; pass an existing --config FILE") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}; fix the syntax") from None
    oncodrop_table = data.get("oncodrop")
    return oncodrop_table if isinstance(oncodrop_table, dict) else data


class Settings(BaseSettings):
    """Everything an operator can set. Every field is also ``ONCODROP_<FIELD>`` in the env."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    store: str = "file://./bucket"
    db: str = "sqlite:///oncodrop.db"
    bundle: Path | None = None
    workdir: Path | None = None  # private per-job dirs are made under it; None = system temp
    workers: int = Field(default=2, ge=1, le=256)
    poll_interval: float = Field(default=2.0, gt=0)
    lease_s: float = Field(default=300.0, gt=0)
    job_timeout_s: float = Field(default=3600.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)
    executor: Literal["local", "celery"] = "local"
    # Celery executor (``executor = "celery"``): any broker Celery speaks (redis://, amqp://, sqs://)
    broker_url: str = "redis://127.0.0.1:6379/0"
    celery_queue: str = "oncodrop"
    celery_queue_url: str | None = None  # SQS broker: the queue's URL (a predefined queue)
    # how long the broker waits for an ack before redelivering; must exceed job_timeout_s or a
    # long job runs twice (the ledger lease still makes the second copy a no-op). None = derived
    broker_visibility_timeout_s: float | None = Field(default=None, gt=0)
    redispatch_s: float = Field(default=900.0, gt=0)  # re-send a QUEUED sample nobody claimed
    sweep_interval_s: float = Field(default=5.0, gt=0)
    # where `serve` hears of new objects: list the store (poll) or an S3-notification SQS queue
    events: Literal["poll", "sqs"] = "poll"
    queue_url: str | None = None
    s3_endpoint_url: str | None = None
    slack_webhook_url: SecretStr | None = None
    webhook_url: SecretStr | None = None
    notify_attempts: int = Field(default=4, ge=1)
    notify_backoff_s: float = Field(default=1.0, ge=0)
    link_expires_s: int = Field(default=7 * 24 * 3600, gt=0)
    intake: IntakeLimits = IntakeLimits()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """CLI (init kwargs) > env > TOML file > defaults; no .env files, no secrets dir."""
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    @model_validator(mode="after")
    def _check_cloud(self) -> Settings:
        if self.events == "sqs" and not self.queue_url:
            raise ValueError("events = sqs needs queue_url (--queue-url or ONCODROP_QUEUE_URL)")
        given = self.broker_visibility_timeout_s
        if given is not None and given <= self.job_timeout_s:
            raise ValueError(
                f"broker_visibility_timeout_s ({given:g}) must exceed job_timeout_s "
                f"({self.job_timeout_s:g}), or the broker redelivers jobs that are still running"
            )
        return self

    @property
    def visibility_timeout_s(self) -> float:
        """The broker visibility timeout in force: as set, else the job timeout plus margin."""
        given = self.broker_visibility_timeout_s
        return given if given is not None else self.job_timeout_s + max(60.0, 2 * self.lease_s)

    @classmethod
    def load(cls, config_file: Path | None = None, **cli_overrides: Any) -> Settings:
        """Build settings from all sources; ``None`` overrides mean "option not given".

        Raises ``ConfigError`` naming the source and the field when something is invalid.
        """
        overrides = {name: value for name, value in cli_overrides.items() if value is not None}
        token = _config_file.set(config_file)
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise ConfigError(_describe_errors(exc, config_file)) from None
        finally:
            _config_file.reset(token)

    @property
    def work_root(self) -> Path:
        """Where private per-job dirs go: ``workdir``, else the system temp dir."""
        return self.workdir or Path(tempfile.gettempdir())

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value, for the log redaction filter."""
        values = [s.get_secret_value() for s in (self.slack_webhook_url, self.webhook_url) if s]
        for url in (self.db, self.store, self.s3_endpoint_url, self.broker_url):
            password = urlsplit(url).password if url else None
            if password:
                values.append(password)
        return tuple(values)

    def redacted_dict(self) -> dict[str, Any]:
        """Settings as plain data with secrets reduced to ``***`` + host (for display)."""
        data = self.model_dump(mode="json")
        for name in ("slack_webhook_url", "webhook_url"):
            secret: SecretStr | None = getattr(self, name)
            data[name] = _redact_secret_url(secret.get_secret_value()) if secret else None
        for name in ("db", "store", "s3_endpoint_url", "broker_url"):
            if data[name]:
                data[name] = redact(data[name], self.secret_values())
        return data


def _redact_secret_url(url: str) -> str:
    host = urlsplit(url).hostname
    return f"{REDACTED} ({host})" if host else REDACTED


def _describe_errors(exc: ValidationError, config_file: Path | None) -> str:
    """One line per problem, naming the field and where it may come from; values never shown."""
    where = f"{config_file}, " if config_file else ""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        env = ENV_PREFIX + "__".join(str(part) for part in error["loc"]).upper()
        problems.append(f"{field} (set in {where}{env} or a CLI option): {error['msg']}")
    return "invalid settings: " + "; ".join(problems)
