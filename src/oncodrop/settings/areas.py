"""The settings areas of the service, its executors and the reporter: one frozen model per
``[area]`` table of the TOML (``ONCODROP_<AREA>__<FIELD>`` in the environment)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    SerializationInfo,
    model_validator,
)

from oncodrop.settings.defaults import DEFAULT_COMPRESS_ROWS_OVER, PANELAPP_URL

# The serialisation context key under which secrets are written in clear (worker hand-over only).
REVEAL_SECRETS = "reveal_secrets"


GiB = 1024**3
MiB = 1024**2


def _secret_json(value: SecretStr, info: SerializationInfo) -> str:
    """JSON form of a secret: masked, unless serialised for a worker hand-over."""
    return value.get_secret_value() if info.context and info.context.get(REVEAL_SECRETS) else str(value)


Secret = Annotated[SecretStr, PlainSerializer(_secret_json, return_type=str, when_used="json")]


class Area(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntakeLimits(Area):
    """Caps on what one input may cost us; ``oncodrop.intake`` checks every cap before or while
    writing. ``[intake]`` in the TOML, ``ONCODROP_INTAKE__MAX_MEMBERS`` in the environment."""

    max_compressed_bytes: int = Field(default=2 * GiB, gt=0, description="Largest tarball accepted (bytes).")
    max_unpacked_bytes: int = Field(default=20 * GiB, gt=0, description="Most bytes one tarball may unpack to.")
    max_members: int = Field(default=64, gt=0, description="Most files in one tarball.")
    max_ratio: float = Field(default=200.0, gt=1, description="Largest unpacked/compressed ratio (zip-bomb guard).")
    ratio_floor_bytes: int = Field(
        default=1 * MiB, ge=0, description="Below this unpacked size the ratio is not checked."
    )


class NotifySettings(Area):
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
    poll_s: float = Field(
        default=1.0, gt=0, description="Seconds between two looks of the notifier loop at the outbox."
    )
    concurrency: int = Field(default=4, ge=1, le=64, description="Notifications delivered at once by one loop.")
    link_expires_s: int = Field(default=12 * 3600, gt=0, le=7 * 24 * 3600,
                                description="Lifetime of the report download link (an S3 link also ends with the "
                                            "credentials that signed it).")  # fmt: skip


class CelerySettings(Area):
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


class AwsSettings(Area):
    """Our AWS endpoints and S3 encryption (credentials and region stay boto3's: ``AWS_*``)."""

    s3_endpoint_url: str | None = Field(default=None, description="S3 endpoint (unset: AWS).")
    s3_sse: SseMode | None = Field(
        default=None, description="Server-side encryption of uploads (unset: bucket default)."
    )
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


class BatchSettings(Area):
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


class SlurmSettings(Area):
    """The Slurm executor (``executor = "slurm"``): one ``sbatch`` job per sample (an array for a
    batch), resources and where its files go. ``spool_dir`` and ``work_dir`` must be on storage
    every compute node mounts; the ledger must be reachable from them (PostgreSQL on a cluster)."""

    partition: str | None = Field(default=None, description="Partition (unset: the cluster's default).")
    account: str | None = Field(default=None, description="Account to charge (unset: the user's default).")
    qos: str | None = Field(default=None, description="Quality of service (unset: the default).")
    cpus_per_task: int = Field(default=1, ge=1, description="CPUs per sample job.")
    mem_mb: int | None = Field(
        default=4096, ge=1, description="Memory per sample job in MiB (unset: the partition's default)."
    )
    time_limit_min: int = Field(default=120, ge=1, description="Slurm time limit per job (minutes).")
    spool_dir: Path | None = Field(default=None,
                                   description="Shared dir for job scripts, settings hand-over and logs "
                                               "(unset: <workdir>/oncodrop-slurm).")  # fmt: skip
    work_dir: Path | None = Field(
        default=None, description="Shared or node-local dir for job work dirs (unset: workdir)."
    )
    python: str | None = Field(default=None, description="Python with oncodrop on the compute nodes (unset: this one).")
    bin_dir: Path | None = Field(default=None, description="Where sbatch/scontrol/scancel are (unset: PATH).")
    job_name: str = Field(default="oncodrop", description="Slurm job name of every sample job.")
    extra_args: tuple[str, ...] = Field(default=(), description="More sbatch options, e.g. --constraint=avx2.")
    poll_s: float = Field(default=5.0, gt=0, description="Seconds between two looks at the ledger and the queue.")
    cancel_on_stop: bool = Field(
        default=True, description="scancel our jobs when serve stops (their samples are released)."
    )


class RefdataSettings(Area):
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


class ReportSettings(Area):
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


class PcgrSettings(Area):
    """PCGR/CPSR as an optional reporter backend (a sample config asks with ``[reporter]
    backend = "pcgr"``): their data bundles and how long one run may take."""

    refdata_dir: Path | None = Field(default=None, description="PCGR/CPSR reference data folder (--refdata_dir).")
    vep_dir: Path | None = Field(default=None, description="VEP cache folder (--vep_dir).")
    timeout_s: float = Field(default=6 * 3600.0, gt=0, description="A pcgr/cpsr run longer than this is stopped.")


AnnounceRule = Literal["new_tier_1_2", "vus_plp", "therapy_lost", "therapy_gained", "tier_any", "germline_class_any"]


class ReinterpretSettings(Area):
    """``oncodrop reinterpret``: past samples re-interpreted against the current bundle
    (docs/reinterpretation.md)."""

    announce: tuple[AnnounceRule, ...] = Field(
        default=("new_tier_1_2", "vus_plp", "therapy_lost"),
        description="Changes announced through the notification outbox: new_tier_1_2 (a variant rises into "
                    "Tier I/II), vus_plp (germline VUS <-> P/LP), therapy_lost, therapy_gained, tier_any, "
                    "germline_class_any.",
    )  # fmt: skip
    workers: int = Field(default=1, ge=1, le=64, description="Re-interpretation runner processes (executor local), "
                                                          "or drains sent to Celery, Slurm or AWS Batch.")  # fmt: skip
    lease_s: float = Field(default=120.0, gt=0, description="Lease of one re-interpretation job (a runner that "
                                                            "dies holding it is replaced after this).")  # fmt: skip
    max_attempts: int = Field(default=3, ge=1, description="Tries of one re-interpretation before it is DEAD.")
    watch_s: float = Field(default=0.0, ge=0, description="oncodrop serve checks this often whether the current "
                                                          "bundle (refdata install) has past samples not yet "
                                                          "re-interpreted, and runs them (on a remote executor: "
                                                          "sends drains to it) (0: never; run oncodrop "
                                                          "reinterpret instead).")  # fmt: skip
