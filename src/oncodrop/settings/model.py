"""``Settings``: everything an operator can set, validated once (see the package docstring for
names and precedence)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from oncodrop.errors import ConfigError
from oncodrop.logs import REDACTED, redact
from oncodrop.settings.areas import (
    REVEAL_SECRETS,
    AwsSettings,
    BatchSettings,
    CelerySettings,
    IntakeLimits,
    NotifySettings,
    PcgrSettings,
    RefdataSettings,
    ReinterpretSettings,
    ReportSettings,
    SlurmSettings,
)
from oncodrop.settings.console import OidcSettings, SlackSettings, WebSettings
from oncodrop.settings.fields import (
    ENV_PREFIX,
    LEGACY_NAMES,
    NESTED_DELIMITER,
    FieldDoc,
    docs_of,
    env_names,
    leaves,
    set_path,
)
from oncodrop.settings.sources import (
    CONFIG_ENV,
    CredentialsSource,
    LegacyEnvSource,
    TomlFileSource,
)
from oncodrop.settings.sources import (
    config_file as _config_file,
)


class Settings(BaseSettings):
    """Everything an operator can set (see the module docstring for names and precedence)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    store: str = Field(
        default="file://./bucket", description="Where tarballs are dropped: file:///DIR or s3://bucket[/prefix]."
    )
    db: str = Field(default="sqlite:///oncodrop.db", description="SQLAlchemy URL of the ledger.")
    bundle: Path | None = Field(default=None, description="Reference bundle folder.")
    bundle_version: str | None = Field(
        default=None,
        description="The bundle version this deployment pins: workers refuse to start on another "
                    "(the release image sets it to the version baked in).",
    )  # fmt: skip
    bundle_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-fA-F]{64}$",
        description="sha256 of the pinned bundle's manifest.json (`oncodrop refdata verify` prints it): "
                    "workers check it, then every file's checksum, before the first sample.",
    )  # fmt: skip
    workdir: Path | None = Field(default=None, description="Private per-job dirs go under it (unset: system temp).")
    workers: int = Field(default=2, ge=1, le=256, description="Worker processes.")
    poll_interval: float = Field(default=2.0, gt=0, description="Seconds between store listings.")
    settle_s: float = Field(
        default=30.0, ge=0,
        description="A local-folder object is admitted only after its size and mtime stayed unchanged this "
                    "long (covers stalls of slow network copies; S3 objects need none).",
    )  # fmt: skip
    admission_sweep_s: float = Field(default=60.0, gt=0,
                                     description="Seconds between two sweeps driving RECEIVED samples on.")  # fmt: skip
    lease_s: float = Field(default=20.0, gt=0,
                           description="Seconds of heartbeat silence after which a running sample is claimable "
                                       "again (its worker or service died); independent of job_timeout_s.")  # fmt: skip
    heartbeat_s: float = Field(default=3.0, gt=0,
                               description="Seconds between two heartbeats of a running sample "
                                           "(at most lease_s/3 is used).")  # fmt: skip
    job_timeout_s: float = Field(default=3600.0, gt=0, description="A job running longer is killed (and retried).")
    max_attempts: int = Field(default=3, ge=1, description="Attempts per sample before it is DEAD.")
    retry_backoff_s: float = Field(default=30.0, ge=0, description="Delay before the first retry; doubles per attempt.")
    retry_backoff_cap_s: float = Field(default=900.0, ge=0, description="Longest delay between two attempts.")
    retry_jitter: float = Field(default=0.25, ge=0, le=1, description="Retry delays vary by +/- this fraction.")
    outage_budget_s: float = Field(default=1800.0, ge=0,
                                   description="How long a store, database or network outage is retried "
                                               "without spending a sample's attempts.")  # fmt: skip
    outage_backoff_cap_s: float = Field(default=60.0, ge=0, description="Longest delay between two retries "
                                        "during an outage.")  # fmt: skip
    max_lease_losses: int = Field(default=5, ge=1, description="A sample whose worker died this often in one run "
                                  "is DEAD (lease_expired).")  # fmt: skip
    executor: Literal["local", "celery", "slurm", "batch"] = Field(
        default="local", description="Run jobs on local workers, Celery, Slurm or AWS Batch.")  # fmt: skip
    events: Literal["poll", "sqs"] = Field(default="poll",
                                           description="Hear of new objects by listing the store or from SQS.")  # fmt: skip
    queue_url: str | None = Field(default=None, description="With events = sqs: the queue of S3 notifications.")
    intake_only: bool = Field(default=False,
                              description="serve runs intake, notifications and a remote executor's dispatch "
                                          "(Celery, Slurm, Batch) but no local workers, and needs no bundle.")  # fmt: skip
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level.")
    log_json: bool = Field(default=False, description="Log one JSON object per line.")
    intake: IntakeLimits = IntakeLimits()
    notify: NotifySettings = NotifySettings()
    celery: CelerySettings = CelerySettings()
    aws: AwsSettings = AwsSettings()
    batch: BatchSettings = BatchSettings()
    slurm: SlurmSettings = SlurmSettings()
    refdata: RefdataSettings = RefdataSettings()
    report: ReportSettings = ReportSettings()
    pcgr: PcgrSettings = PcgrSettings()
    reinterpret: ReinterpretSettings = ReinterpretSettings()
    web: WebSettings = WebSettings()
    oidc: OidcSettings = OidcSettings()
    slack: SlackSettings = SlackSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """CLI (init kwargs) > env (nested names, then legacy flat names) > systemd credentials >
        TOML file > defaults; no .env files, no secrets dir."""
        return (init_settings, env_settings, LegacyEnvSource(settings_cls), CredentialsSource(settings_cls),
                TomlFileSource(settings_cls))  # fmt: skip

    @model_validator(mode="after")
    def _check_cloud(self) -> Settings:
        if self.events == "sqs" and not self.queue_url:
            raise ValueError("events = sqs needs queue_url (--queue-url or ONCODROP_QUEUE_URL)")
        given = self.celery.broker_visibility_timeout_s
        if given is not None and given <= self.job_timeout_s:
            raise ValueError(
                f"celery.broker_visibility_timeout_s ({given:g}) must exceed job_timeout_s "
                f"({self.job_timeout_s:g}), or the broker redelivers jobs that are still running"
            )
        return self

    @property
    def visibility_timeout_s(self) -> float:
        """The broker visibility timeout in force: as set, else the job timeout plus margin."""
        given = self.celery.broker_visibility_timeout_s
        return given if given is not None else self.job_timeout_s + max(60.0, 2 * self.lease_s)

    @classmethod
    def load(cls, config_file: Path | None = None, **cli_overrides: Any) -> Settings:
        """Build settings from all sources. Overrides are field names, ``area__field`` for a field
        of an area (``batch__vcpus=4``) or a legacy flat name (``broker_url=``); ``None``
        means "option not given". Without
        ``config_file``, the file named by ``ONCODROP_CONFIG`` (if set) is read.

        Raises ``ConfigError`` naming the source and the field when something is invalid.
        """
        if config_file is None and os.environ.get(CONFIG_ENV):
            config_file = Path(os.environ[CONFIG_ENV])
        overrides: dict[str, Any] = {}
        for name, value in cli_overrides.items():
            if value is not None:
                set_path(overrides, LEGACY_NAMES.get(name) or name.replace(NESTED_DELIMITER, "."), value)
        token = _config_file.set(config_file)
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise ConfigError(_describe_errors(exc, config_file)) from None
        finally:
            _config_file.reset(token)

    def handover_json(self) -> str:
        """The settings for a worker process, secrets included: write it only to a 0600 file."""
        return self.model_dump_json(context={REVEAL_SECRETS: True})

    @classmethod
    def from_handover(cls, text: str) -> Settings:
        """The settings ``handover_json`` wrote, exactly (no env or file is read again)."""
        return cls.model_validate_json(text)

    @property
    def work_root(self) -> Path:
        """Where private per-job dirs go: ``workdir``, else the system temp dir."""
        return self.workdir or Path(tempfile.gettempdir())

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value (secret fields, passwords in URLs), for the log redaction filter."""
        values = []
        for _, value in leaves(self):
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
            elif isinstance(value, str) and "://" in value:
                password = urlsplit(value).password
                if password:
                    values.append(password)
        return tuple(values)

    def redacted_dict(self) -> dict[str, Any]:
        """Settings as plain data with secrets reduced to ``***`` + host (for display)."""
        data = self.model_dump(mode="json")
        secrets = self.secret_values()
        for path, value in leaves(self):
            if isinstance(value, SecretStr):
                set_path(data, path, _redact_secret_url(value.get_secret_value()))
            elif isinstance(value, str) and "://" in value:
                set_path(data, path, redact(value, secrets))
        return data

    def require(self, path: str, option: str) -> Any:
        """The value at ``path`` (``report.vcf``), or ``ConfigError`` saying where to set it."""
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part)
        if value is None:
            raise ConfigError(f"{path} is not set: pass {option}, set {env_names(path)[0]} or "
                              f"set it in the settings file")  # fmt: skip
        return value


def field_docs() -> list[FieldDoc]:
    """Every leaf field of ``Settings``, in declaration order (top level first, then areas)."""
    return docs_of(Settings)


def _redact_secret_url(url: str) -> str:
    host = urlsplit(url).hostname
    return f"{REDACTED} ({host})" if host else REDACTED


def _describe_errors(exc: ValidationError, config_file: Path | None) -> str:
    """One line per problem, naming the field and where it may come from; values never shown."""
    where = f"{config_file}, " if config_file else ""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
        field = ".".join(loc) or "settings"
        env = ENV_PREFIX + NESTED_DELIMITER.join(loc).upper()
        problems.append(f"{field} (set in {where}{env} or a CLI option): {error['msg']}")
    return "invalid settings: " + "; ".join(problems)
