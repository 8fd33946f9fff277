"""Operator settings: typed, validated once, from CLI options, ``ONCODROP_*`` env and one TOML file.

Every setting any ``oncodrop`` command reads is a field of ``Settings`` (``oncodrop config show``
lists them all, ``docs/settings.md`` describes them). Precedence, highest first, for every field:
CLI overrides > environment > TOML file > defaults.

- The service's core fields are the top level, with the flat env names automation uses
  (``ONCODROP_STORE``, ``ONCODROP_DB``, ``ONCODROP_WORKERS``, …) and top-level TOML keys.
- Every other area is a sub-model: ``[notify]``, ``[celery]``, ``[aws]``, ``[intake]``,
  ``[batch]``, ``[refdata]``, ``[report]``, ``[web]`` in the TOML, ``ONCODROP_<AREA>__<FIELD>`` in the env
  (``ONCODROP_BATCH__VCPUS=4``), ``<area>__<field>=`` as a ``Settings.load`` override.
- Older flat names (``ONCODROP_SLACK_WEBHOOK_URL``, ``ONCODROP_BROKER_URL``,
  ``ONCODROP_REFDATA_OUT``, …; see ``LEGACY_NAMES``) are still read from the env, as top-level
  TOML keys and as ``Settings.load`` overrides, each at its source's precedence level; the nested
  name wins when both are set in the same source.
- ``ONCODROP_CONFIG`` names the TOML file when no ``--config`` is given (it is not a field).
- Under systemd, ``LoadCredential=<setting>:<file>`` passes a secret as a file; it ranks between
  the environment and the TOML file (see ``_CredentialsSource``, deploy/onprem/README.md).

Secrets (webhook URLs) are ``SecretStr`` so they never print by accident; ``redacted_dict`` is
what ``oncodrop config show`` prints; ``handover_json`` is the one serialisation that reveals
them (for a worker process, in a 0600 file).
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    SerializationInfo,
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
NESTED_DELIMITER = "__"
CONFIG_ENV = "ONCODROP_CONFIG"  # the TOML file when no --config is given; not a field
CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"  # systemd's, set with LoadCredential=; not ours
PANELAPP_URL = "https://panelapp.genomicsengland.co.uk/api/v1"

# The TOML file of the Settings.load call in progress (a context variable, not a global, so
# concurrent loads in threads do not see each other's file).
_config_file: ContextVar[Path | None] = ContextVar("oncodrop_config_file", default=None)
_REVEAL = "reveal_secrets"


GiB = 1024**3
MiB = 1024**2


def _secret_json(value: SecretStr, info: SerializationInfo) -> str:
    """JSON form of a secret: masked, unless serialised for a worker hand-over."""
    return value.get_secret_value() if info.context and info.context.get(_REVEAL) else str(value)


Secret = Annotated[SecretStr, PlainSerializer(_secret_json, return_type=str, when_used="json")]


class _Area(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntakeLimits(_Area):
    """Caps on what one input may cost us; ``oncodrop.intake`` checks every cap before or while
    writing. ``[intake]`` in the TOML, ``ONCODROP_INTAKE__MAX_MEMBERS`` in the environment."""

    max_compressed_bytes: int = Field(default=2 * GiB, gt=0, description="Largest tarball accepted (bytes).")
    max_unpacked_bytes: int = Field(default=20 * GiB, gt=0, description="Most bytes one tarball may unpack to.")
    max_members: int = Field(default=64, gt=0, description="Most files in one tarball.")
    max_ratio: float = Field(default=200.0, gt=1, description="Largest unpacked/compressed ratio (zip-bomb guard).")
    ratio_floor_bytes: int = Field(default=1 * MiB, ge=0, description="Below this unpacked size the ratio is not checked.")


class NotifySettings(_Area):
    """Where terminal-state (and rejection) notifications go, and how hard to try.

    Notifications wait in the ledger's outbox; the notifier loop of ``oncodrop serve`` delivers
    them (docs/notifications.md). The defaults retry a target for about 40 minutes.
    """

    slack_webhook_url: Secret | None = Field(default=None, description="Slack incoming-webhook URL (secret).")
    webhook_url: Secret | None = Field(default=None, description="Generic JSON webhook URL (secret).")
    attempts: int = Field(default=12, ge=1,
                          description="Delivery attempts per notification before it is given up (logged).")  # fmt: skip
    backoff_s: float = Field(default=1.0, ge=0, description="First retry delay; doubles per attempt.")
    max_backoff_s: float = Field(default=600.0, ge=0, description="Longest delay between two delivery attempts.")
    jitter: float = Field(default=0.25, ge=0, le=1, description="Retry delays vary by +/- this fraction.")
    timeout_s: float = Field(default=10.0, gt=0, description="One HTTP request to a target may take this long.")
    console_url: str | None = Field(default=None, description="The console's URL as people reach it: Slack "
                                                              "failure messages get 'Open' and 'Re-run' buttons "
                                                              "(answered by [slack] ChatOps).")  # fmt: skip
    poll_s: float = Field(default=1.0, gt=0, description="Seconds between two looks of the notifier loop at the outbox.")
    concurrency: int = Field(default=4, ge=1, le=64, description="Notifications delivered at once by one loop.")
    link_expires_s: int = Field(default=12 * 3600, gt=0, le=7 * 24 * 3600,
                                description="Lifetime of the report download link (an S3 link also ends with the "
                                            "credentials that signed it).")  # fmt: skip


class CelerySettings(_Area):
    """The Celery executor (``executor = "celery"``): broker, queue, redelivery."""

    broker_url: str = Field(default="redis://127.0.0.1:6379/0",
                            description="Any broker Celery speaks: redis://, amqp://, sqs://.")  # fmt: skip
    queue: str = Field(default="oncodrop", description="Celery queue name.")
    queue_url: str | None = Field(default=None, description="SQS broker: the predefined queue's URL.")
    broker_visibility_timeout_s: float | None = Field(
        default=None, gt=0,
        description="Seconds before an unacked message is redelivered; must exceed job_timeout_s "
                    "(unset: job_timeout_s plus a margin).",
    )  # fmt: skip
    redispatch_s: float = Field(default=900.0, gt=0, description="Re-send a QUEUED sample nobody claimed after this.")
    sweep_interval_s: float = Field(default=5.0, gt=0, description="Seconds between two dispatcher sweeps.")


SseMode = Literal["AES256", "aws:kms", "aws:kms:dsse"]


class AwsSettings(_Area):
    """Our AWS endpoints and S3 encryption (credentials and region stay boto3's: ``AWS_*``)."""

    s3_endpoint_url: str | None = Field(default=None, description="S3 endpoint (unset: AWS).")
    s3_sse: SseMode | None = Field(default=None, description="Server-side encryption of uploads (unset: bucket default).")
    s3_sse_kms_key_id: str | None = Field(default=None, description="KMS key for s3_sse = aws:kms*.")
    sqs_endpoint_url: str | None = Field(default=None,
                                         description="SQS endpoint (unset: derived from the queue URL).")  # fmt: skip
    ec2_endpoint_url: str | None = Field(default=None, description="EC2 endpoint for spot-prices.")
    batch_endpoint_url: str | None = Field(default=None, description="AWS Batch endpoint (unset: AWS).")
    secrets_endpoint_url: str | None = Field(default=None, description="Secrets Manager endpoint (unset: AWS).")
    db_secret_id: str | None = Field(default=None,
                                     description="Secrets Manager secret (ARN or name) with the ledger's username and "
                                                 "password (RDS format); read at start into db's URL.")  # fmt: skip
    slack_secret_id: str | None = Field(default=None,
                                        description="Secret holding the Slack webhook URL (plain string or JSON url).")  # fmt: skip
    webhook_secret_id: str | None = Field(default=None,
                                          description="Secret holding the generic webhook URL (plain or JSON url).")  # fmt: skip
    web_secret_id: str | None = Field(default=None,
                                      description="Secret holding the console's inbound-webhook HMAC key (plain or JSON "
                                                  "key).")  # fmt: skip

    @property
    def secret_ids(self) -> tuple[str, ...]:
        """The Secrets Manager secrets this process is to read at start (see ``store.secrets``)."""
        return tuple(i for i in (self.db_secret_id, self.slack_secret_id, self.webhook_secret_id, self.web_secret_id)
                     if i)  # fmt: skip

    @model_validator(mode="after")
    def _check_sse(self) -> AwsSettings:
        if self.s3_sse_kms_key_id and not (self.s3_sse or "").startswith("aws:kms"):
            raise ValueError("s3_sse_kms_key_id is set but s3_sse is not aws:kms; set both or neither")
        return self


class BatchSettings(_Area):
    """The AWS Batch executor (``executor = "batch"``): one Batch job per sample on the oncodrop
    image (``oncodrop batch-job --record-id N``); Batch's managed spot compute environment
    scales from zero, retries spot reclaims and keeps the logs (deploy/aws/README.md)."""

    job_queue: str | None = Field(default=None, description="Job queue name or ARN (spot compute environment first).")
    final_attempt_queue: str | None = Field(default=None,
                                            description="On-demand job queue for a sample's last attempt "
                                                        "(unset: always job_queue).")  # fmt: skip
    job_definition: str | None = Field(default=None, description="Job definition name[:revision] or ARN.")
    job_name: str = Field(default="oncodrop", description="Prefix of every job's name (the sample id follows).")
    vcpus: int = Field(default=2, ge=1, description="vCPUs per sample job (also the cost estimate's).")
    memory_mib: int = Field(default=8192, ge=512, description="Memory per sample job in MiB.")
    tags: tuple[str, ...] = Field(default=(), description="More cost-allocation tags as KEY=VALUE on every job.")
    poll_s: float = Field(default=10.0, gt=0, description="Seconds between two looks at the ledger and the jobs.")
    resubmit_backoff_s: float = Field(default=30.0, ge=0,
                                      description="A job that ended without claiming its sample is resubmitted after "
                                                  "this, doubling per repeat (a bad image or command does not spin).")  # fmt: skip
    spot_price_per_vcpu_hour: float = Field(default=0.02, ge=0,
                                            description="USD per vCPU-hour for the cost estimate of `oncodrop status` "
                                                        "(see `oncodrop spot-prices`).")  # fmt: skip


class SlurmSettings(_Area):
    """The Slurm executor (``executor = "slurm"``): one ``sbatch`` job per sample (an array for a
    batch), resources and where its files go. ``spool_dir`` and ``work_dir`` must be on storage
    every compute node mounts; the ledger must be reachable from them (PostgreSQL on a cluster)."""

    partition: str | None = Field(default=None, description="Partition (unset: the cluster's default).")
    account: str | None = Field(default=None, description="Account to charge (unset: the user's default).")
    qos: str | None = Field(default=None, description="Quality of service (unset: the default).")
    cpus_per_task: int = Field(default=1, ge=1, description="CPUs per sample job.")
    mem_mb: int | None = Field(default=4096, ge=1, description="Memory per sample job in MiB (unset: the partition's default).")
    time_limit_min: int = Field(default=120, ge=1, description="Slurm time limit per job (minutes).")
    spool_dir: Path | None = Field(default=None,
                                   description="Shared dir for job scripts, settings hand-over and logs "
                                               "(unset: <workdir>/oncodrop-slurm).")  # fmt: skip
    work_dir: Path | None = Field(default=None, description="Shared or node-local dir for job work dirs (unset: workdir).")
    python: str | None = Field(default=None, description="Python with oncodrop on the compute nodes (unset: this one).")
    bin_dir: Path | None = Field(default=None, description="Where sbatch/scontrol/scancel are (unset: PATH).")
    job_name: str = Field(default="oncodrop", description="Slurm job name of every sample job.")
    extra_args: tuple[str, ...] = Field(default=(), description="More sbatch options, e.g. --constraint=avx2.")
    poll_s: float = Field(default=5.0, gt=0, description="Seconds between two looks at the ledger and the queue.")
    cancel_on_stop: bool = Field(default=True, description="scancel our jobs when serve stops (their samples are released).")


class RefdataSettings(_Area):
    """``oncodrop refdata build``: what goes into a reference bundle and where."""

    out: Path | None = Field(default=None, description="New folder for the bundle (required to build).")
    demo: bool = Field(default=False, description="Build the offline demo bundle (GRCh37) instead.")
    builds: tuple[Literal["grch37", "grch38"], ...] = Field(default=("grch38",), description="Genome builds.")
    source_urls: tuple[str, ...] = Field(default=(), description="NAME=URL source URL replacements.")
    skip: tuple[str, ...] = Field(default=(), description="Optional sources to leave out.")
    name: str = Field(default="oncodrop", description="Bundle name in the manifest.")
    version: str = Field(default="", description="Bundle version (empty: today's date).")
    panelapp: tuple[str, ...] = Field(default=(), description="PanelApp panels as ID or ID:NAME.")
    panelapp_url: str = Field(default=PANELAPP_URL, description="PanelApp API base (…/api/v1).")


# Over this many rows the tiers TSV and the MAF are written bgzip'd (the reporter's default too).
DEFAULT_COMPRESS_ROWS_OVER = 250_000


class ReportSettings(_Area):
    """``oncodrop report``: one VCF reported outside the service (the bundle is top-level ``bundle``)."""

    vcf: Path | None = Field(default=None, description="The VCF (bgzipped or plain).")
    sample_config: Path | None = Field(default=None, description="Sample config TOML (ours or PCGR 0.5–0.9).")
    cna: Path | None = Field(default=None, description="Copy-number segments TSV.")
    out: Path | None = Field(default=None, description="Output folder (created).")
    sample_id: str | None = Field(default=None, description="Sample id (unset: the config's, else the VCF name).")
    kind: Literal["somatic", "normal"] = Field(default="somatic", description="Reporter: somatic or normal.")
    compress_rows_over: int = Field(default=DEFAULT_COMPRESS_ROWS_OVER, ge=0,
                                    description="Over this many rows the tiers TSV and the MAF are written bgzip'd "
                                                "(.tsv.gz, .maf.gz; tabix-indexed when in genomic order); workers too.")  # fmt: skip


class PcgrSettings(_Area):
    """PCGR/CPSR as an optional reporter backend (a sample config asks with ``[reporter]
    backend = "pcgr"``): their data bundles and how long one run may take."""

    refdata_dir: Path | None = Field(default=None, description="PCGR/CPSR reference data folder (--refdata_dir).")
    vep_dir: Path | None = Field(default=None, description="VEP cache folder (--vep_dir).")
    timeout_s: float = Field(default=6 * 3600.0, gt=0, description="A pcgr/cpsr run longer than this is stopped.")


AnnounceRule = Literal["new_tier_1_2", "vus_plp", "therapy_lost", "therapy_gained", "tier_any",
                       "germline_class_any"]


class ReinterpretSettings(_Area):
    """``oncodrop reinterpret``: past samples re-interpreted against the current bundle
    (docs/reinterpretation.md)."""

    announce: tuple[AnnounceRule, ...] = Field(
        default=("new_tier_1_2", "vus_plp", "therapy_lost"),
        description="Changes announced through the notification outbox: new_tier_1_2 (a variant rises into "
                    "Tier I/II), vus_plp (germline VUS <-> P/LP), therapy_lost, therapy_gained, tier_any, "
                    "germline_class_any.",
    )  # fmt: skip
    workers: int = Field(default=1, ge=1, le=64, description="Re-interpretation runner processes.")
    lease_s: float = Field(default=120.0, gt=0, description="Lease of one re-interpretation job (a runner that "
                                                            "dies holding it is replaced after this).")  # fmt: skip
    max_attempts: int = Field(default=3, ge=1, description="Tries of one re-interpretation before it is DEAD.")
    watch_s: float = Field(default=0.0, ge=0, description="oncodrop serve checks this often whether the current "
                                                          "bundle (refdata install) has past samples not yet "
                                                          "re-interpreted, and runs them (0: never; run "
                                                          "oncodrop reinterpret instead).")  # fmt: skip


class WebSettings(_Area):
    """The operators' console (dashboard, REST API, webhooks): where it listens and its secrets.
    ``oncodrop serve`` embeds it unless ``enabled`` is false; ``oncodrop web`` runs it alone."""

    enabled: bool = Field(default=True, description="oncodrop serve also serves the console.")
    bind: str = Field(default="127.0.0.1", description="Address the console listens on.")
    port: int = Field(default=8765, ge=0, le=65535, description="Console port (0: any free port).")
    tls_cert: Path | None = Field(default=None, description="TLS certificate (PEM) for a non-loopback bind.")
    tls_key: Path | None = Field(default=None, description="TLS private key (PEM), with tls_cert.")
    behind_proxy: bool = Field(default=False,
                               description="A TLS-terminating proxy is in front: allows a non-loopback bind "
                                           "without tls_cert.")  # fmt: skip
    session_secret: Secret | None = Field(default=None,
                                          description="Signs session cookies (unset: random per process; "
                                                      "set it when several console processes serve).")  # fmt: skip
    session_ttl_s: int = Field(default=12 * 3600, gt=0, description="A browser login lasts this long.")
    cookie_secure: bool = Field(default=True, description="Session cookies carry Secure (browsers keep "
                                                          "them on https and on loopback http).")  # fmt: skip
    webhook_secret: Secret | None = Field(default=None,
                                          description="HMAC-SHA256 key of inbound webhooks (unset: refused).")  # fmt: skip
    webhook_window_s: float = Field(default=300.0, gt=0, description="Inbound webhook timestamps older or newer "
                                                                    "than this are refused (replays).")  # fmt: skip
    live_interval_s: float = Field(default=0.5, gt=0, description="Seconds between two ledger looks for live "
                                                                 "dashboard updates.")  # fmt: skip
    metrics_public: bool = Field(default=False, description="Serve /metrics without a token.")
    presign_expires_s: int = Field(default=900, ge=60, le=7 * 24 * 3600,
                                   description="With an S3 store, a browser's presigned upload form is valid "
                                               "this long.")  # fmt: skip

    @model_validator(mode="after")
    def _check_tls(self) -> WebSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("set both tls_cert and tls_key, or neither")
        return self


RoleName = Literal["viewer", "submitter", "admin"]
_ROLE_NAMES: tuple[RoleName, ...] = ("viewer", "submitter", "admin")


def role_pairs(pairs: tuple[str, ...], what: str) -> dict[str, RoleName]:
    """``("name=role", …)`` -> ``{name: role}``; a malformed pair or unknown role is an error."""
    found: dict[str, RoleName] = {}
    for pair in pairs:
        name, _, role = pair.rpartition("=")
        if not name or role not in _ROLE_NAMES:
            raise ValueError(f"{pair!r} is not '{what}=role' with role one of {', '.join(_ROLE_NAMES)}")
        found[name] = role
    return found


class OidcSettings(_Area):
    """Browser login through an OpenID Connect provider (authorization code + PKCE); local
    accounts stay available beside it. The provider's groups (or another claim) map to roles."""

    issuer: str | None = Field(default=None, description="The provider's issuer URL (unset: OIDC login is off); "
                                                         "its /.well-known/openid-configuration is read.")  # fmt: skip
    client_id: str | None = Field(default=None, description="The console's client id at the provider.")
    client_secret: Secret | None = Field(default=None, description="Client secret (unset: a public client, "
                                                                   "PKCE only).")  # fmt: skip
    scopes: str = Field(default="openid email profile groups", description="Scopes asked for at login.")
    username_claim: str = Field(default="email", description="ID-token claim that names the user (audit log).")
    roles_claim: str = Field(default="groups", description="ID-token claim listing the user's groups.")
    roles: tuple[str, ...] = Field(default=(), description="'group=role' pairs (role: viewer, submitter, admin); "
                                                           "the strongest of a user's groups wins.")  # fmt: skip
    default_role: RoleName | None = Field(default=None, description="Role of a user in none of those groups "
                                                                    "(unset: refused).")  # fmt: skip
    display_name: str = Field(default="single sign-on", description="The login button says 'Log in with …'.")
    public_url: str | None = Field(default=None, description="The console's external URL for the redirect URI "
                                                             "(unset: taken from the request).")  # fmt: skip

    @model_validator(mode="after")
    def _check_client(self) -> OidcSettings:
        if self.issuer and not self.client_id:
            raise ValueError("oidc.issuer is set but oidc.client_id is not")
        role_pairs(self.roles, "group")
        return self

    @property
    def role_map(self) -> dict[str, RoleName]:
        return role_pairs(self.roles, "group")


class SlackSettings(_Area):
    """Slack ChatOps: the ``/oncodrop`` slash command and the buttons of failure notifications,
    answered by the console at ``/slack/events`` (Slack's HTTP mode, request signatures checked)."""

    signing_secret: Secret | None = Field(default=None, description="The Slack app's signing secret "
                                                                    "(unset: ChatOps is off).")  # fmt: skip
    users: tuple[str, ...] = Field(default=(), description="'slack_user_id=role' pairs (U…=submitter); "
                                                           "other users are refused.")  # fmt: skip
    @model_validator(mode="after")
    def _check_users(self) -> SlackSettings:
        role_pairs(self.users, "Slack user")
        return self

    @property
    def user_roles(self) -> dict[str, RoleName]:
        return role_pairs(self.users, "Slack user")


# Flat names read before the areas existed -> the field they set now. Each is read from the env
# (ONCODROP_<NAME>) and as a top-level TOML key; the nested name wins when both are given.
LEGACY_NAMES: dict[str, str] = {
    "slack_webhook_url": "notify.slack_webhook_url",
    "webhook_url": "notify.webhook_url",
    "notify_attempts": "notify.attempts",
    "notify_backoff_s": "notify.backoff_s",
    "link_expires_s": "notify.link_expires_s",
    "broker_url": "celery.broker_url",
    "celery_queue": "celery.queue",
    "celery_queue_url": "celery.queue_url",
    "broker_visibility_timeout_s": "celery.broker_visibility_timeout_s",
    "redispatch_s": "celery.redispatch_s",
    "sweep_interval_s": "celery.sweep_interval_s",
    "s3_endpoint_url": "aws.s3_endpoint_url",
    "s3_sse": "aws.s3_sse",
    "s3_sse_kms_key_id": "aws.s3_sse_kms_key_id",
    "sqs_endpoint_url": "aws.sqs_endpoint_url",
    "ec2_endpoint_url": "aws.ec2_endpoint_url",
    "refdata_out": "refdata.out",
    "refdata_demo": "refdata.demo",
    "refdata_builds": "refdata.builds",
    "refdata_source_urls": "refdata.source_urls",
    "refdata_skip": "refdata.skip",
    "refdata_name": "refdata.name",
    "refdata_version": "refdata.version",
    "refdata_panelapp_url": "refdata.panelapp_url",
    "report_vcf": "report.vcf",
    "report_config": "report.sample_config",
    "report_cna": "report.cna",
    "report_out": "report.out",
    "report_sample_id": "report.sample_id",
    "report_kind": "report.kind",
}


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def _has_path(data: Mapping[str, Any], path: str) -> bool:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return False
        data = data[part]
    return True


def _apply_legacy(data: dict[str, Any], legacy: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` plus each legacy value at its new place, unless that place is already set."""
    for name, value in legacy.items():
        path = LEGACY_NAMES[name]
        if not _has_path(data, path):
            _set_path(data, path, value)
    return data


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by the current ``Settings.load`` call (if any)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = _config_file.get()
        data = _read_toml(path) if path is not None else {}
        legacy = {name: data.pop(name) for name in list(data) if name in LEGACY_NAMES}
        self._data: dict[str, Any] = _apply_legacy(data, legacy)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class _LegacyEnvSource(PydanticBaseSettingsSource):
    """The flat env names of ``LEGACY_NAMES``; multi-valued ones space-separated, as before."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        env = {name.upper(): value for name, value in os.environ.items()}
        legacy: dict[str, Any] = {}
        for name, path in LEGACY_NAMES.items():
            value = env.get(ENV_PREFIX + name.upper())
            if value is None:
                continue
            if _is_sequence(_field_at(path).annotation) and not value.lstrip().startswith("["):
                legacy[name] = value.split()
            else:
                legacy[name] = value
        return _apply_legacy({}, legacy)


class _CredentialsSource(PydanticBaseSettingsSource):
    """systemd credentials (``LoadCredential=notify.slack_webhook_url:/etc/…``): each file in
    ``$CREDENTIALS_DIRECTORY`` named after a setting (``db``, ``notify.webhook_url``, …) sets it
    from the file's content, so secrets are never in a unit file or the environment. Files with
    other names are left alone (systemd may pass credentials meant for others)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        folder = os.environ.get(CREDENTIALS_ENV)
        if not folder or not Path(folder).is_dir():
            return {}
        known = {doc.path for doc in field_docs()}
        data: dict[str, Any] = {}
        for path in sorted(Path(folder).iterdir()):
            if path.name in known and path.is_file():
                _set_path(data, path.name, path.read_text(encoding="utf-8").strip())
        return data


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"settings file {path} does not exist; pass an existing --config FILE") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}; fix the syntax") from None
    oncodrop_table = data.get("oncodrop")
    return dict(oncodrop_table) if isinstance(oncodrop_table, dict) else data


class Settings(BaseSettings):
    """Everything an operator can set (see the module docstring for names and precedence)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    store: str = Field(default="file://./bucket", description="Where tarballs are dropped: file:///DIR or s3://bucket[/prefix].")
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
        return (init_settings, env_settings, _LegacyEnvSource(settings_cls), _CredentialsSource(settings_cls),
                _TomlFileSource(settings_cls))  # fmt: skip

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
                _set_path(overrides, LEGACY_NAMES.get(name) or name.replace(NESTED_DELIMITER, "."), value)
        token = _config_file.set(config_file)
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise ConfigError(_describe_errors(exc, config_file)) from None
        finally:
            _config_file.reset(token)

    def handover_json(self) -> str:
        """The settings for a worker process, secrets included: write it only to a 0600 file."""
        return self.model_dump_json(context={_REVEAL: True})

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
        for _, value in _leaves(self):
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
        for path, value in _leaves(self):
            if isinstance(value, SecretStr):
                _set_path(data, path, _redact_secret_url(value.get_secret_value()))
            elif isinstance(value, str) and "://" in value:
                _set_path(data, path, redact(value, secrets))
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


def _leaves(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _leaves(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


@dataclass(frozen=True, slots=True)
class FieldDoc:
    """One setting, for ``oncodrop config`` and ``docs/settings.md``."""

    path: str  # "workers", "batch.vcpus"
    env: tuple[str, ...]  # its env name first, then any legacy flat name
    default: Any
    description: str


def _field_at(path: str) -> FieldInfo:
    model: type[BaseModel] = Settings
    *parents, leaf = path.split(".")
    for part in parents:
        annotation = model.model_fields[part].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return model.model_fields[leaf]


def _is_sequence(annotation: Any) -> bool:
    return get_origin(annotation) in (tuple, list)


def env_names(path: str) -> tuple[str, ...]:
    """The env names of the field at ``path``: ``ONCODROP_BATCH__VCPUS``, then legacy ones."""
    canonical = ENV_PREFIX + path.replace(".", NESTED_DELIMITER).upper()
    legacy = [ENV_PREFIX + name.upper() for name, target in LEGACY_NAMES.items() if target == path]
    return (canonical, *legacy)


def field_docs() -> list[FieldDoc]:
    """Every leaf field of ``Settings``, in declaration order (top level first, then areas)."""
    docs = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        nested = []
        for name, info in model.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                nested.append((name, annotation))
                continue
            path = prefix + name
            docs.append(FieldDoc(path, env_names(path), info.get_default(call_default_factory=True),
                                 info.description or ""))  # fmt: skip
        for name, sub in nested:
            walk(sub, f"{prefix}{name}.")

    walk(Settings, "")
    return docs


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


__all__ = [
    "CONFIG_ENV",
    "ENV_PREFIX",
    "LEGACY_NAMES",
    "AwsSettings",
    "BatchSettings",
    "CelerySettings",
    "FieldDoc",
    "IntakeLimits",
    "NotifySettings",
    "OidcSettings",
    "RefdataSettings",
    "ReportSettings",
    "Settings",
    "SlackSettings",
    "SlurmSettings",
    "WebSettings",
    "env_names",
    "field_docs",
]  # fmt: skip
